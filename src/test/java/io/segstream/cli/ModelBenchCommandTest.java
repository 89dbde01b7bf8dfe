package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.inference.ColourModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelBenchCommandTest {

  @TempDir Path tmp;

  @Test
  void writesOneRowPerSizeAndBatch() throws Exception {
    Path model = ColourModel.export(tmp.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
    Path out = tmp.resolve("bench");

    int exit = new CommandLine(new SegstreamCli()).execute("bench", "model", "--model", model.toString(),
        "--sizes", "40,30x20", "--batches", "1,3", "--seconds", "0.05", "--device", "cpu", "--out", out.toString());

    assertEquals(0, exit);
    List<String> csv = Files.readAllLines(out.resolve("model-throughput.csv"));
    assertEquals(5, csv.size());
    assertTrue(csv.get(0).startsWith("model,version,device,width,height,batch,calls"), csv.get(0));
    assertTrue(csv.get(4).startsWith("colour,1,cpu,30,20,3,"), csv.get(4));
    for (String row : csv.subList(1, 5)) {
      double imagesPerSecond = Double.parseDouble(row.split(",")[8]);
      assertTrue(imagesPerSecond > 0, row);
    }
    String md = Files.readString(out.resolve("model-throughput.md"));
    assertTrue(md.contains("| 30x20 | 3 |"), md);
  }
}
