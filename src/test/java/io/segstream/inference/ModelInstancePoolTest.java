package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelInstancePoolTest {

  @Test
  void autoMeansEveryGpuElseTheCpu() {
    assertEquals(List.of(Device.cpu()), ModelInstancePool.parseDevices("auto", 0));
    assertEquals(List.of(Device.gpu(0), Device.gpu(1)), ModelInstancePool.parseDevices(" AUTO ", 2));
  }

  @Test
  void listsNameDevicesInOrder() {
    assertEquals(List.of(Device.cpu()), ModelInstancePool.parseDevices("cpu", 2));
    assertEquals(List.of(Device.gpu(1), Device.gpu(0)), ModelInstancePool.parseDevices("gpu:1, gpu:0", 2));
    assertEquals(List.of(Device.gpu(0), Device.cpu()), ModelInstancePool.parseDevices("gpu:0,cpu", 1));
  }

  @Test
  void badDeviceListsAreExplained() {
    assertMessage("gpu:0", 0, "gpu:0 requested but TensorFlow sees 0 GPU(s)");
    assertMessage("gpu:2", 2, "gpu:2 requested but TensorFlow sees 2 GPU(s)");
    assertMessage("tpu", 0, "'tpu' is not auto, cpu or gpu:N");
    assertMessage("gpu", 1, "'gpu' is not auto, cpu or gpu:N");
    assertMessage("cpu,cpu", 0, "cpu is listed twice");
    assertMessage("", 0, "'' is not auto, cpu or gpu:N");
  }

  private static void assertMessage(String spec, int gpus, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelInstancePool.parseDevices(spec, gpus));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void threadsDeriveFromCoresAndInstancesUnlessConfigured() {
    assertEquals(new SessionSettings(2, 1), ModelInstancePool.sessionSettings(2, 1, 0, 0));
    assertEquals(new SessionSettings(16, 4), ModelInstancePool.sessionSettings(16, 4, 0, 0));
    assertEquals(new SessionSettings(3, 5), ModelInstancePool.sessionSettings(16, 4, 3, 5));
  }

  @Test
  void byDefaultAGpuGetsTwoInstancesAndTheCpuOne() {
    assertEquals(2, ModelInstancePool.instancesOn(ai.djl.Device.gpu(1), 0));
    assertEquals(1, ModelInstancePool.instancesOn(ai.djl.Device.cpu(), 0));
    assertEquals(3, ModelInstancePool.instancesOn(ai.djl.Device.gpu(0), 3));
    assertEquals(3, ModelInstancePool.instancesOn(ai.djl.Device.cpu(), 3));
  }

  @Test
  void instanceIdsMustBeUnique() {
    ModelInstance a = new ModelInstance("cpu#0", "cpu", new FakeBackend());
    ModelInstance b = new ModelInstance("cpu#0", "cpu", new FakeBackend());
    assertThrows(IllegalArgumentException.class, () -> new ModelInstancePool(List.of(a, b)));
    assertThrows(IllegalArgumentException.class, () -> new ModelInstancePool(List.of()));
  }
}
