package io.segstream.model;

import java.util.Locale;

/**
 * The three FCN heads of Long, Shelhamer and Darrell (2015). The number is the stride of the coarsest
 * prediction that is upsampled to the image: FCN-32s upsamples the fc7 scores alone, FCN-16s first
 * fuses them with scores from pool4, FCN-8s additionally with scores from pool3.
 */
public enum FcnVariant {
  FCN_32S(32),
  FCN_16S(16),
  FCN_8S(8);

  private final int outputStride;

  FcnVariant(int outputStride) {
    this.outputStride = outputStride;
  }

  /** Stride of the score map that the final upsampling layer enlarges to image size. */
  public int outputStride() {
    return outputStride;
  }

  /** Short name as in the paper and on the command line: "32s", "16s", "8s". */
  public String shortName() {
    return outputStride + "s";
  }

  /** Parses "8s", "fcn-8s", "FCN_8S" and the like. */
  public static FcnVariant parse(String text) {
    String key = text.trim().toLowerCase(Locale.ROOT).replace("fcn", "").replaceAll("[-_]", "");
    for (FcnVariant variant : values()) {
      if (variant.shortName().equals(key)) {
        return variant;
      }
    }
    throw new IllegalArgumentException("unknown FCN variant '" + text + "'; expected 32s, 16s or 8s");
  }
}
