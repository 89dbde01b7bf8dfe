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

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.tensorflow.engine.TfNDArray;
import ai.djl.tensorflow.engine.TfNDManager;
import ai.djl.tensorflow.engine.javacpp.JavacppUtils;
import io.segstream.image.RgbImage;
import io.segstream.inference.TensorFlowRuntime;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.internal.c_api.TFE_Op;
import org.tensorflow.internal.c_api.TFE_TensorHandle;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * JPEG decoding with TensorFlow's own {@code DecodeJpeg} kernel (libjpeg-turbo inside the shipped
 * native library), run eagerly in the DJL TensorFlow engine's context. DJL exposes no image op of
 * its own for TensorFlow (its {@code ImageFactory} decodes with ImageIO), and its op builder is
 * package-private, so this calls the TensorFlow C API that DJL's engine is built on. Bench only:
 * it does none of {@code FrameDecoder}'s checks. Not thread-safe.
 */
public final class TensorFlowJpegDecoder implements AutoCloseable {

  private final TfNDManager manager;

  public TensorFlowJpegDecoder() {
    manager = (TfNDManager) TensorFlowRuntime.engine().newBaseManager(Device.cpu());
  }

  /** Decodes {@code jpeg} to RGB8 pixels. */
  public RgbImage decode(byte[] jpeg) {
    ByteBuffer contents = manager.allocateDirect(jpeg.length);
    contents.put(jpeg).flip();
    TF_Status status = TF_NewStatus();
    try (NDArray input = manager.createStringTensor(new Shape(), contents)) {
      TFE_Op op = TFE_NewOp(manager.getEagerSession(), "DecodeJpeg", status);
      check(status);
      try {
        TFE_OpAddInput(op, ((TfNDArray) input).getHandle(), status);
        check(status);
        TFE_OpSetAttrInt(op, "channels", 3);
        try (PointerPointer<TFE_TensorHandle> outputs = new PointerPointer<>(1);
            IntPointer count = new IntPointer(1).put(1)) {
          TFE_Execute(op, outputs, count, status);
          check(status);
          TFE_TensorHandle pixels = outputs.get(TFE_TensorHandle.class, 0);
          try {
            Shape shape = JavacppUtils.getShape(pixels); // height, width, channels
            ByteBuffer rgb = JavacppUtils.getByteBuffer(pixels);
            byte[] copy = new byte[rgb.remaining()];
            rgb.get(copy);
            return new RgbImage((int) shape.get(1), (int) shape.get(0), copy);
          } finally {
            TFE_DeleteTensorHandle(pixels);
          }
        }
      } finally {
        TFE_DeleteOp(op);
      }
    } finally {
      TF_DeleteStatus(status);
    }
  }

  private static void check(TF_Status status) {
    if (TF_GetCode(status) != TF_OK) {
      throw new IllegalArgumentException("TensorFlow DecodeJpeg: " + TF_Message(status).getString());
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
