package io.segstream.cli;

import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code demo}'s class-areas.csv: one row per class present in each frame, as the areas topic has it. */
final class ClassAreasCsv {

  private final StringBuilder csv = new StringBuilder(
      "stream_id,frame_seq,class_id,label,pixel_count,fraction,min_x,min_y,max_x,max_y,centroid_x,centroid_y\n");

  void add(ClassAreas areas) {
    for (ClassArea a : areas.getAreas()) {
      csv.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%d,%.6f,%d,%d,%d,%d,%.2f,%.2f%n",
          areas.getStreamId(), areas.getFrameSeq(), a.getClassId(), a.getLabel(), a.getPixelCount(),
          a.getFraction(), a.getMinX(), a.getMinY(), a.getMaxX(), a.getMaxY(), a.getCentroidX(),
          a.getCentroidY()));
    }
  }

  void write(Path file) throws IOException {
    Files.writeString(file, csv);
  }
}
