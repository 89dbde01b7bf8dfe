package io.segstream.bench;

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
import io.segstream.image.RgbImage;
import io.segstream.inference.TensorFlowRuntime;
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
 * library the engine ships), for {@code bench decode} to compare with {@code FrameDecoder}'s ImageIO.
 * DJL decodes images with ImageIO and keeps its op builder package-private, so this calls the
 * TensorFlow C API that DJL's engine is built on. It does none of {@code FrameDecoder}'s checks.
 *
 * <p>Each thread gets an eager context of its own, <b>synchronous</b>: on DJL's shared context, which
 * is asynchronous, one damaged JPEG poisoned every later op of the process ("This error cancels all
 * future operations"); on a synchronous one the error is the failing call's alone.
 */
public final class TensorFlowJpegDecoder {

  private static final ThreadLocal<TFE_Context> CONTEXTS = ThreadLocal.withInitial(() -> {
    TensorFlowRuntime.engine(); // loads the native library
    return JavacppUtils.createEagerSession(false, 2, JavacppUtils.getSessionConfig());
  });

  /** Decodes {@code jpeg}, whatever its size, to RGB8 pixels. */
  public RgbImage decode(byte[] jpeg) {
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

  private static void check(TF_Status status) {
    if (TF_GetCode(status) != TF_OK) {
      throw new IllegalArgumentException("TensorFlow DecodeJpeg: " + TF_Message(status).getString());
    }
  }
}
