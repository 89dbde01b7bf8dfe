package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.inference.TensorFlowRuntime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class FcnBuilderTest {

  private static final int CLASSES = 4;

  @BeforeAll
  static void loadTensorFlow() {
    TensorFlowRuntime.engine();
  }

  @ParameterizedTest
  @EnumSource(FcnVariant.class)
  void outputsHaveTheInputSizeForOddSizes(FcnVariant variant) {
    for (int[] size : new int[][] {{100, 152}, {61, 97}, {33, 7}}) {
      int height = size[0];
      int width = size[1];
      try (Graph g = new Graph(); Session s = new Session(g)) {
        FcnGraph fcn = new FcnBuilder(variant, 2, CLASSES).build(Ops.create(g), new TrainableWeights(1));
        s.initialize();
        try (TFloat32 image = randomImage(2, height, width, 7);
            Result r = s.runner().feed(fcn.image(), image).fetch(fcn.probabilities()).fetch(fcn.classes()).run()) {
          assertEquals(Shape.of(2, height, width, CLASSES), r.get(0).shape(), variant + " " + height + "x" + width);
          assertEquals(Shape.of(2, height, width), r.get(1).shape());
          float[] p = floats((TFloat32) r.get(0));
          for (int i = 0; i < p.length; i += CLASSES) {
            assertEquals(1.0, p[i] + p[i + 1] + p[i + 2] + p[i + 3], 1e-4, "softmax sums to one");
          }
          int[] classes = new int[Math.toIntExact(r.get(1).size())];
          ((TInt32) r.get(1)).asRawTensor().data().asInts().read(classes);
          for (int c : classes) {
            assertTrue(c >= 0 && c < CLASSES);
          }
        }
      }
    }
  }

  @Test
  void upsamplingKernelsStartBilinearAndSkipScoresAtZero() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      TrainableWeights weights = new TrainableWeights(3);
      new FcnBuilder(FcnVariant.FCN_8S, 2, CLASSES).build(Ops.create(g), weights);
      s.initialize();
      FrozenWeights values = weights.freeze(s);
      // 1-D bilinear taps for stride 2 (kernel 4) are 1/4, 3/4, 3/4, 1/4.
      float[] up2 = values.values("upscore2_pool4/kernel");
      float[] expected1d = {0.25f, 0.75f, 0.75f, 0.25f};
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          for (int in = 0; in < CLASSES; in++) {
            for (int out = 0; out < CLASSES; out++) {
              float w = up2[((y * 4 + x) * CLASSES + in) * CLASSES + out];
              assertEquals(in == out ? expected1d[y] * expected1d[x] : 0f, w, 1e-6f);
            }
          }
        }
      }
      // The stride-8 kernel (16 taps) interpolates: the four taps that feed one output phase sum to
      // one, so a constant score map stays constant.
      float[] up8 = values.values("upscore8/kernel");
      for (int py = 0; py < 8; py++) {
        for (int px = 0; px < 8; px++) {
          double sum = 0;
          for (int y : new int[] {py, py + 8}) {
            for (int x : new int[] {px, px + 8}) {
              sum += up8[((y * 16 + x) * CLASSES + 1) * CLASSES + 1];
            }
          }
          assertEquals(1.0, sum, 1e-5, "phase " + py + "," + px);
        }
      }
      for (String skip : new String[] {"score_pool4/kernel", "score_pool4/bias", "score_pool3/kernel", "score_pool3/bias"}) {
        for (float w : values.values(skip)) {
          assertEquals(0f, w, skip);
        }
      }
    }
  }

  @Test
  void freshSkipFusionsAddNothingSoFcn8sStartsAsItsCoarsePath() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      FcnGraph fcn = new FcnBuilder(FcnVariant.FCN_8S, 2, CLASSES).build(Ops.create(g), new TrainableWeights(5));
      s.initialize();
      try (TFloat32 image = randomImage(1, 75, 90, 11);
          Result r = s.runner().feed(fcn.image(), image)
              .fetch("upscore2_pool4/Conv2dBackpropInput").fetch("fuse_pool4")
              .fetch("upscore2_pool3/Conv2dBackpropInput").fetch("fuse_pool3").run()) {
        float[] upsampled4 = floats((TFloat32) r.get(0));
        assertTrue(maxAbs(upsampled4) > 1e-3, "scores are not trivially zero");
        assertArrayEquals(upsampled4, floats((TFloat32) r.get(1)));
        assertArrayEquals(floats((TFloat32) r.get(2)), floats((TFloat32) r.get(3)));
      }
    }
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  static TFloat32 randomImage(int n, int height, int width, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] data = new float[n * height * width * 3];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextDouble();
    }
    return TFloat32.tensorOf(Shape.of(n, height, width, 3), DataBuffers.of(data, true, false));
  }

  static float[] floats(TFloat32 tensor) {
    float[] data = new float[Math.toIntExact(tensor.size())];
    tensor.asRawTensor().data().asFloats().read(data);
    return data;
  }
}
