package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

class SessionSettingsTest {

  private static ConfigProto proto(SessionSettings settings, int gpus) throws Exception {
    return ConfigProto.parseFrom(Base64.getDecoder().decode(settings.configProtoOption(gpus)));
  }

  @Test
  void idleThreadsSleepUnlessSpinningIsAskedFor() throws Exception {
    ConfigProto quiet = proto(new SessionSettings(2, 1), 0);
    assertTrue(quiet.getExperimental().getDisableThreadSpinning());
    assertEquals(2, quiet.getIntraOpParallelismThreads());
    assertEquals(1, quiet.getInterOpParallelismThreads());
    assertFalse(proto(new SessionSettings(2, 1).withThreadSpinning(true), 0).getExperimental().getDisableThreadSpinning());
  }

  @Test
  void everySessionSeesEveryGpuAndGrowsItsMemory() throws Exception {
    ConfigProto gpus = proto(SessionSettings.defaults(), 2);
    assertEquals("0,1", gpus.getGpuOptions().getVisibleDeviceList());
    assertTrue(gpus.getGpuOptions().getAllowGrowth());
  }
}
