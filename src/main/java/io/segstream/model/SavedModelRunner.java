package io.segstream.model;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.segstream.image.RgbImage;
import io.segstream.inference.TensorFlowRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs an exported FCN SavedModel through DJL's TensorFlow engine and returns class masks. A small
 * single-threaded runner for offline evaluation; serving goes through the inference package.
 */
public final class SavedModelRunner implements AutoCloseable {

  private final ZooModel<NDList, NDList> model;
  private final Predictor<NDList, NDList> predictor;

  public SavedModelRunner(Path modelDir) throws IOException {
    TensorFlowRuntime.engine();
    Criteria<NDList, NDList> criteria = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optModelPath(modelDir)
        .optEngine("TensorFlow")
        .optTranslator(new NoopTranslator())
        .build();
    try {
      model = criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException e) {
      throw new IOException("cannot load SavedModel from " + modelDir + ": " + e.getMessage(), e);
    }
    predictor = model.newPredictor();
  }

  /** One class-id mask per image (all images of one size), row-major. */
  public List<byte[]> classMasks(List<RgbImage> images) {
    RgbImage first = images.get(0);
    int pixels = first.width() * first.height();
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray input = manager.create(ImageTensors.toNhwc(images),
          new Shape(images.size(), first.height(), first.width(), 3));
      input.setName(FcnBuilder.INPUT);
      NDList output = predictor.predict(new NDList(input));
      NDArray classes = output.get(FcnBuilder.CLASSES);
      if (classes == null) {
        throw new IllegalStateException("model has no output named " + FcnBuilder.CLASSES + ": " + output);
      }
      int[] ids = classes.toIntArray();
      List<byte[]> masks = new ArrayList<>(images.size());
      for (int n = 0; n < images.size(); n++) {
        byte[] mask = new byte[pixels];
        for (int i = 0; i < pixels; i++) {
          mask[i] = (byte) ids[n * pixels + i];
        }
        masks.add(mask);
      }
      return masks;
    } catch (TranslateException e) {
      throw new IllegalStateException("inference failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
