package io.segstream.inference;

import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteOp;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_DeleteTensorHandle;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_Execute;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_NewOp;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpAddInput;
import static org.tensorflow.internal.c_api.global.tensorflow.TFE_OpSetAttrInt;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;

import ai.djl.ndarray.types.Shape;
import ai.djl.tensorflow.engine.javacpp.JavacppUtils;
import ai.djl.util.Pair;
import io.segstream.image.FrameRejectedException;
import io.segstream.image.FrameRejectedException.Reason;
import io.segstream.image.JpegDecoder;
import io.segstream.image.RgbImage;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.internal.c_api.TFE_Context;
import org.tensorflow.internal.c_api.TFE_Op;
import org.tensorflow.internal.c_api.TFE_TensorHandle;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * JPEG decoding with TensorFlow's own {@code DecodeJpeg} kernel (libjpeg-turbo, inside the native
 * library the engine ships anyway): about 2.2 times less CPU than the JDK's decoder ({@code bench
 * decode}, docs/benchmarks.md). DJL decodes images with ImageIO and keeps its op builder
 * package-private, so this calls the TensorFlow C API that DJL's engine is built on.
 *
 * <p>Each thread gets an eager context of its own, <b>synchronous</b>: on DJL's shared context, which
 * is asynchronous, one damaged JPEG poisoned every later op of the process ("This error cancels all
 * future operations"); on a synchronous one the error is the failing call's alone. Contexts live as
 * long as their threads (the worker pool's, a few per process). Selected by {@code
 * jpeg.decoder=tensorflow}; found by {@link java.util.ServiceLoader}.
 */
public final class TensorFlowJpegDecoder implements JpegDecoder {

  public static final String NAME = "tensorflow";

  private static final ThreadLocal<TFE_Context> CONTEXTS = ThreadLocal.withInitial(() -> {
    TensorFlowRuntime.engine(); // loads the native library
    return JavacppUtils.createEagerSession(false, 2, JavacppUtils.getSessionConfig());
  });

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RgbImage decode(byte[] jpeg, int width, int height) throws FrameRejectedException {
    RgbImage image = decode(jpeg);
    if (image.width() != width || image.height() != height) {
      throw new FrameRejectedException(Reason.CORRUPT_IMAGE, "jpeg header says " + width + "x" + height
          + " but TensorFlow decoded " + image.width() + "x" + image.height());
    }
    return image;
  }

  /** Decodes {@code jpeg}, whatever its size, to RGB8 pixels. */
  public RgbImage decode(byte[] jpeg) throws FrameRejectedException {
    TFE_Context context = CONTEXTS.get(); // first: it loads the native library the tensors need
    ByteBuffer contents = ByteBuffer.allocateDirect(jpeg.length);
    contents.put(jpeg).flip();
    Pair<TF_Tensor, TFE_TensorHandle> input =
        JavacppUtils.createStringTensor(new long[0], new ByteBuffer[] {contents});
    TF_Status status = TF_NewStatus();
    TFE_Op op = TFE_NewOp(context, "DecodeJpeg", status);
    try (PointerPointer<TFE_TensorHandle> outputs = new PointerPointer<>(1);
        IntPointer count = new IntPointer(1).put(1)) {
      check(status);
      TFE_OpAddInput(op, input.getValue(), status);
      check(status);
      TFE_OpSetAttrInt(op, "channels", 3);
      TFE_Execute(op, outputs, count, status);
      check(status);
      TFE_TensorHandle pixels = outputs.get(TFE_TensorHandle.class, 0);
      try {
        Shape shape = JavacppUtils.getShape(pixels); // height, width, channels
        ByteBuffer rgb = JavacppUtils.getByteBuffer(pixels); // a heap copy; the tensor is freed
        return new RgbImage((int) shape.get(1), (int) shape.get(0), wholeArray(rgb));
      } finally {
        TFE_DeleteTensorHandle(pixels);
      }
    } finally {
      if (op != null) {
        TFE_DeleteOp(op);
      }
      TF_DeleteStatus(status);
      input.getValue().close();
      input.getKey().close();
    }
  }

  /** The buffer's bytes, without a second copy where its array holds exactly them. */
  private static byte[] wholeArray(ByteBuffer buffer) {
    if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
        && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    byte[] copy = new byte[buffer.remaining()];
    buffer.get(copy);
    return copy;
  }

  private static void check(TF_Status status) throws FrameRejectedException {
    if (TF_GetCode(status) != TF_OK) {
      throw new FrameRejectedException(
          Reason.CORRUPT_IMAGE, "corrupt jpeg image data: TensorFlow DecodeJpeg: " + TF_Message(status).getString());
    }
  }
}
