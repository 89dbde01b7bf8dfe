#!/bin/sh
# apache/kafka's /opt/kafka/bin/kafka-topics.sh, for health checks written against that image.
exec java -Xmx256m -cp '/opt/kafka/libs/*' org.apache.kafka.tools.TopicCommand "$@"
