package dev.licensegateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/main/resources/openapi.json} is what {@code tools/openapi-gen.py} writes, byte for
 * byte, so that an edit of the JSON alone (lost at the next regeneration) fails here. Needs
 * {@code python3} on the PATH; without it the test is skipped, and says so.
 */
class OpenApiGeneratorTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();

  @Test
  void theCommittedDocumentIsTheGeneratorsOutput(@TempDir Path dir) throws Exception {
    assumeTrue(python3Runs(), "python3 is not on the PATH: tools/openapi-gen.py not checked");
    Path generated = dir.resolve("openapi.json");
    Process process = new ProcessBuilder("python3", "tools/openapi-gen.py", generated.toString())
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "tools/openapi-gen.py failed: " + output);
    assertEquals(Files.readString(ROOT.resolve("src/main/resources/openapi.json")), Files.readString(generated),
        "src/main/resources/openapi.json differs from what tools/openapi-gen.py writes: change the script and run "
            + "`python3 tools/openapi-gen.py src/main/resources/openapi.json`");
  }

  private static boolean python3Runs() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
