package io.segstream.image;

/**
 * {@link DamagedImagesTest} with TensorFlow's {@code DecodeJpeg} decoding the pixels of colour JPEGs
 * ({@code jpeg.decoder=tensorflow}, the default): every damaged photo must be refused the same way.
 */
class DamagedImagesWithTensorFlowTest extends DamagedImagesTest {

  @Override
  JpegDecoder jpegDecoder() {
    return JpegDecoder.named("tensorflow");
  }

  @Override
  String jpegTruncation(String expected) {
    return "TensorFlow DecodeJpeg: jpeg::Uncompress failed. Invalid JPEG data or crop window.";
  }
}
