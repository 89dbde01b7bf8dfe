package io.segstream.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.segstream.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * DJL translator between {@link RgbImage} and {@link Segmentation} for any model a {@link ModelConfig}
 * describes: NHWC float input, per-pixel scores out.
 *
 * <p>It batches: {@code Predictor.batchPredict} over images of one size builds a single [N,H,W,3] input
 * and makes one model call ({@link #batchProcessInput}, {@link #batchProcessOutput} override the
 * per-item stack/split of DJL's {@link Batchifier#STACK} to skip a copy per image). Images of different
 * sizes cannot share a batch, unless the model has a {@link FixedInputSize}: then every frame is fitted
 * to that size on the way in, and its mask brought back to the frame's size on the way out. DJL's
 * {@code BaseImageTranslator} and {@code ai.djl.modality.cv} transforms do not fit: they work on DJL
 * {@code Image}s, one image at a time, lay tensors out NCHW and have no letterbox nor a way back to the
 * frame's size, while these models take NHWC batches.
 */
public final class SegmentationTranslator implements Translator<RgbImage, Segmentation> {

  private static final String INPUT_IMAGES = "segstream.inputImages";
  private static final String FORWARD_START = "segstream.forwardStart";

  private final ModelConfig config;
  private final FixedInputSize fixedSize;
  /** Model input value of each byte value: the scale and offset applied once, not per pixel. */
  private final float[] byteToInput = new float[256];

  public SegmentationTranslator(ModelConfig config) {
    this.config = config;
    this.fixedSize = config.fixedInputSize().orElse(null);
    for (int b = 0; b < 256; b++) {
      byteToInput[b] = b * config.inputScale() + config.inputOffset();
    }
  }

  @Override
  public Batchifier getBatchifier() {
    return Batchifier.STACK;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, RgbImage image) {
    return fixedSize != null
        ? input(ctx, List.of(image), new Shape(fixedSize.height(), fixedSize.width(), 3))
        : input(ctx, List.of(image), new Shape(image.height(), image.width(), 3));
  }

  @Override
  public NDList batchProcessInput(TranslatorContext ctx, List<RgbImage> images) {
    if (fixedSize != null) {
      return input(ctx, images, new Shape(images.size(), fixedSize.height(), fixedSize.width(), 3));
    }
    RgbImage first = images.get(0);
    for (RgbImage image : images) {
      if (image.width() != first.width() || image.height() != first.height()) {
        throw new IllegalArgumentException(
            "one batch needs images of one size, got " + first.width() + "x" + first.height()
                + " and " + image.width() + "x" + image.height());
      }
    }
    return input(ctx, images, new Shape(images.size(), first.height(), first.width(), 3));
  }

  private NDList input(TranslatorContext ctx, List<RgbImage> images, Shape shape) {
    int imageValues = fixedSize != null ? fixedSize.inputValues() : images.get(0).pixels().length;
    float[] values = new float[images.size() * imageValues];
    int i = 0;
    for (RgbImage image : images) {
      if (fixedSize != null) {
        fixedSize.fill(image, byteToInput, values, i);
        i += imageValues;
        continue;
      }
      for (byte b : image.pixels()) {
        values[i++] = byteToInput[b & 0xff];
      }
    }
    NDArray input = ctx.getNDManager().create(values, shape);
    input.setName(config.inputName());
    ctx.setAttachment(INPUT_IMAGES, images);
    ctx.setAttachment(FORWARD_START, System.nanoTime());
    return new NDList(input);
  }

  @Override
  public Segmentation processOutput(TranslatorContext ctx, NDList output) {
    return decode(ctx, output, false).get(0);
  }

  @Override
  public List<Segmentation> batchProcessOutput(TranslatorContext ctx, NDList output) {
    return decode(ctx, output, true);
  }

  @SuppressWarnings("unchecked")
  private List<Segmentation> decode(TranslatorContext ctx, NDList output, boolean batched) {
    long forwardNanos = System.nanoTime() - (Long) ctx.getAttachment(FORWARD_START);
    List<RgbImage> images = (List<RgbImage>) ctx.getAttachment(INPUT_IMAGES);
    int count = images.size();
    // The model's output size: the frames' own, or its fixed input size.
    int width = fixedSize != null ? fixedSize.width() : images.get(0).width();
    int height = fixedSize != null ? fixedSize.height() : images.get(0).height();
    int pixels = width * height;
    int classes = config.numClasses();

    NDArray scores = named(output, config.scoresOutput());
    long[] expected =
        batched ? new long[] {count, height, width, classes} : new long[] {height, width, classes};
    requireShape(scores, new Shape(expected));
    float[] scoreValues =
        (scores.getDataType() == DataType.FLOAT32 ? scores : scores.toType(DataType.FLOAT32, false))
            .toFloatArray();
    if (config.activation() == ModelConfig.OutputActivation.SOFTMAX) {
      new PixelScores(scoreValues, 0, count * pixels, classes).softmaxInPlace();
    }
    int[] classIds = null;
    if (config.classesOutput().isPresent()) {
      NDArray ids = named(output, config.classesOutput().get());
      requireShape(ids, new Shape(batched ? new long[] {count, height, width} : new long[] {height, width}));
      classIds = ids.getDataType() == DataType.INT32 ? ids.toIntArray() : ids.toType(DataType.INT32, false).toIntArray();
    }

    List<Segmentation> results = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      if (fixedSize != null) {
        RgbImage image = images.get(n);
        results.add(fixedSize.toFrame(scoreValues, n * pixels * classes, classes, image.width(), image.height(),
            forwardNanos / count));
        continue;
      }
      PixelScores imageScores = new PixelScores(scoreValues, n * pixels * classes, pixels, classes);
      byte[] mask = classIds == null ? imageScores.argmax() : slice(classIds, n * pixels, pixels, classes);
      results.add(new Segmentation(width, height, mask, imageScores.meanPerClass(), forwardNanos / count));
    }
    return results;
  }

  private static byte[] slice(int[] classIds, int offset, int pixels, int classes) {
    byte[] mask = new byte[pixels];
    for (int p = 0; p < pixels; p++) {
      int id = classIds[offset + p];
      if (id < 0 || id >= classes) {
        throw new IllegalStateException(
            "model output class id " + id + " is outside the " + classes + " configured labels");
      }
      mask[p] = (byte) id;
    }
    return mask;
  }

  private static NDArray named(NDList output, String name) {
    NDArray array = output.get(name);
    if (array == null) {
      List<String> names = output.stream().map(NDArray::getName).toList();
      throw new IllegalStateException("model has no output '" + name + "'; its outputs are " + names);
    }
    return array;
  }

  private static void requireShape(NDArray array, Shape expected) {
    if (!array.getShape().equals(expected)) {
      throw new IllegalStateException(
          "model output '" + array.getName() + "' has shape " + array.getShape() + ", expected "
              + expected + " ([N,]H,W[,C] with C the number of labels, same H,W as the input)");
    }
  }
}
