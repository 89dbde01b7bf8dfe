package io.segstream.cli;

import io.segstream.contracts.ImageFrame;
import java.io.IOException;

/** Where a command's frame events go (a Kafka producer, paced or not). */
@FunctionalInterface
interface FrameSink {
  void send(ImageFrame frame) throws IOException;
}
