package io.segstream.testing;

import java.net.URI;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * Lets Testcontainers find the Docker API that scripts/container-runtime.sh started (podman's, on a
 * socket under target/) without a DOCKER_HOST in the environment. DOCKER_HOST, when set, still wins:
 * its strategy ranks higher. Registered in META-INF/services.
 */
public final class PreparedDockerHostStrategy extends DockerClientProviderStrategy {

  private final String dockerHost = ContainerRuntime.dockerHost().orElse(null);

  @Override
  public String getDescription() {
    return "the Docker API prepared by scripts/container-runtime.sh at " + dockerHost;
  }

  @Override
  protected boolean isApplicable() {
    return dockerHost != null;
  }

  @Override
  protected boolean isPersistable() {
    // Never written to ~/.testcontainers.properties: the socket belongs to this checkout's build.
    return false;
  }

  @Override
  protected int getPriority() {
    // Below EnvironmentAndSystemPropertyClientProviderStrategy (100), above the default socket (80).
    return 95;
  }

  /**
   * The API is a local socket, so published ports are on this host's loopback. (Testcontainers would
   * otherwise take the bridge's gateway address, since this build itself may run in a container.)
   */
  @Override
  public synchronized String getDockerHostIpAddress() {
    return dockerHost.startsWith("unix://") ? "127.0.0.1" : super.getDockerHostIpAddress();
  }

  @Override
  public TransportConfig getTransportConfig() {
    return TransportConfig.builder().dockerHost(URI.create(dockerHost)).build();
  }
}
