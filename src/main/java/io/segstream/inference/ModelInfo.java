package io.segstream.inference;

import java.util.List;

/** What a mask was produced by: carried on every mask event so consumers can tell models apart. */
public record ModelInfo(String name, String version, List<String> classLabels) {

  public ModelInfo {
    classLabels = List.copyOf(classLabels);
  }

  public int numClasses() {
    return classLabels.size();
  }
}
