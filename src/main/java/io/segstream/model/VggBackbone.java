package io.segstream.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The FCN paper's VGG-style downsampling path, scaled down: five blocks of two 3x3 convolutions + ReLU,
 * each ending in 2x2 max pooling (SAME padding), then fc6 and fc7 as convolutions (3x3 and 1x1; the
 * paper's 7x7 is too large for small images). Block b has {@code width * 2^(b-1)} channels, capped at
 * 8x; fc6/fc7 have {@code 16 * width}. Maps: fc7 (stride 32, named "fr"), pool4 (16), pool3 (8).
 */
public final class VggBackbone implements FcnBackbone {

  private static final int BLOCKS = 5;
  private static final int CONVS_PER_BLOCK = 2;

  private final int width;

  public VggBackbone(int width) {
    if (width < 1) {
      throw new IllegalArgumentException("need width >= 1");
    }
    this.width = width;
  }

  public int width() {
    return width;
  }

  @Override
  public List<FeatureMap> build(Ops tf, WeightSource weights, Operand<TFloat32> image) {
    Operand<TFloat32> x = tf.math.sub(image, tf.constant(0.5f));
    Operand<TFloat32> pool3 = null;
    Operand<TFloat32> pool4 = null;
    int channels = 3;
    for (int block = 1; block <= BLOCKS; block++) {
      int out = width * Math.min(1 << (block - 1), 8);
      for (int i = 1; i <= CONVS_PER_BLOCK; i++) {
        x = tf.nn.relu(FcnBuilder.conv(tf, weights, "conv" + block + "_" + i, x, 3, channels, out, WeightInit.HE_NORMAL));
        channels = out;
      }
      x = tf.withName("pool" + block).nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}),
          tf.constant(new int[] {1, 2, 2, 1}), "SAME");
      if (block == 3) {
        pool3 = x;
      } else if (block == 4) {
        pool4 = x;
      }
    }
    int fc = deepestChannels();
    x = tf.nn.relu(FcnBuilder.conv(tf, weights, "fc6", x, 3, channels, fc, WeightInit.HE_NORMAL));
    x = tf.nn.relu(FcnBuilder.conv(tf, weights, "fc7", x, 1, fc, fc, WeightInit.HE_NORMAL));
    return List.of(new FeatureMap("fr", 32, fc, x), new FeatureMap("pool4", 16, 8 * width, pool4),
        new FeatureMap("pool3", 8, 4 * width, pool3));
  }

  @Override
  public int deepestStride() {
    return 32;
  }

  @Override
  public int deepestChannels() {
    return 16 * width;
  }

  @Override
  public String describe() {
    return "base width " + width;
  }
}
