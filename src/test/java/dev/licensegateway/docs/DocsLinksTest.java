package dev.licensegateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.dialect.nativeapi.NativeError;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation lives in the repository and keeps up with the code: every relative link
 * of {@code README.md} and {@code docs/} leads to a file (and heading) inside the repository,
 * nothing cites the product contract that sits outside it, every native error code the code
 * defines is documented with its name, HTTP status and retry flag, and every environment
 * variable the gateway reads is documented.
 */
class DocsLinksTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path DOCS = ROOT.resolve("docs");
  /** {@code [text](target "title")}; images too. */
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[^\\n]*$");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*#*\\s*$");
  // Spelled in pieces so that this file does not cite what it forbids.
  private static final Pattern OUTSIDE_CONTRACT = Pattern.compile(
      "\\.\\./" + "shared|\\b" + "SPEC" + "\\.md|\\b" + "SPEC" + "\\s*§?\\s*\\d");
  /**
   * Applied Flyway migrations are frozen: Flyway checks each one's checksum (comments
   * included) at every start, so their old comments stay. New migrations are checked.
   */
  private static final Pattern FROZEN_MIGRATION = Pattern.compile("src/main/resources/db/migration/V[1-6]__[^/]+\\.sql");
  private static final Pattern READ_VARIABLE = Pattern.compile("\"((?:LGW_[A-Z0-9_]+)|LICENSE_API_SECRET)\"");

  @Test
  void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    int links = 0;
    for (Path file : markdownFiles()) {
      String text = FENCE.matcher(Files.readString(file)).replaceAll("");
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto:: not a file of the repository
        }
        links++;
        String where = ROOT.relativize(file) + " → " + target;
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
        if (!resolved.startsWith(ROOT)) {
          broken.add(where + " (outside the repository)");
        } else if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (anchor != null && !anchor.isEmpty()) {
          if (!resolved.toString().endsWith(".md") || !anchors(resolved).contains(anchor)) {
            broken.add(where + " (no such heading in " + ROOT.relativize(resolved) + ")");
          }
        }
      }
    }
    assertTrue(links > 50, "too few links found (" + links + "): is the link pattern broken?");
    assertTrue(broken.isEmpty(), "broken links:\n  " + String.join("\n  ", broken));
  }

  @Test
  void theIndexListsEveryPageAndTheReadmeLinksTheIndex() throws IOException {
    String index = Files.readString(DOCS.resolve("README.md"));
    try (Stream<Path> pages = Files.list(DOCS)) {
      for (Path page : pages.filter(p -> p.toString().endsWith(".md")).toList()) {
        String name = page.getFileName().toString();
        if (!name.equals("README.md")) {
          assertTrue(index.contains("](" + name + ")"), "docs/README.md does not list " + name);
        }
      }
    }
    assertTrue(Files.readString(ROOT.resolve("README.md")).contains("](docs/README.md)"),
        "README.md must link the documentation index");
  }

  @Test
  void nothingCitesTheContractOutsideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    List<Path> roots = List.of(ROOT.resolve("README.md"), DOCS, ROOT.resolve("src"), ROOT.resolve("k8s"),
        ROOT.resolve("conf"), ROOT.resolve("tools"), ROOT.resolve("compose"), ROOT.resolve("compose.yaml"),
        ROOT.resolve("pom.xml"), ROOT.resolve(".ci"));
    int scanned = 0;
    for (Path root : roots) {
      if (!Files.exists(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String relative = ROOT.relativize(file).toString().replace('\\', '/');
          if (FROZEN_MIGRATION.matcher(relative).matches()) {
            continue;
          }
          String text;
          try {
            text = Files.readString(file);
          } catch (MalformedInputException binary) {
            continue;
          }
          scanned++;
          String[] lines = text.split("\n", -1);
          for (int i = 0; i < lines.length; i++) {
            if (OUTSIDE_CONTRACT.matcher(lines[i]).find()) {
              found.add(relative + ":" + (i + 1) + ": " + lines[i].trim());
            }
          }
        }
      }
    }
    assertTrue(scanned > 100, "only " + scanned + " files scanned");
    assertTrue(found.isEmpty(), "cite docs/ instead of the outside contract:\n  " + String.join("\n  ", found));
  }

  @Test
  void everyNativeErrorCodeIsDocumented() throws IOException {
    String doc = Files.readString(DOCS.resolve("native-protocol.md"));
    for (NativeError error : NativeError.values()) {
      Pattern row = Pattern.compile("(?m)^\\| " + error.code + " \\| `" + error.wireName + "` \\| "
          + error.httpStatus + " \\| " + error.retryable + " \\|.+\\|$");
      assertTrue(row.matcher(doc).find(), "docs/native-protocol.md lacks the row `| " + error.code + " | `"
          + error.wireName + "` | " + error.httpStatus + " | " + error.retryable + " | meaning | advice |`");
    }
    Matcher documented = Pattern.compile("(?m)^\\| (17\\d\\d) \\| `").matcher(doc);
    Set<Integer> codes = new TreeSet<>();
    while (documented.find()) {
      codes.add(Integer.parseInt(documented.group(1)));
    }
    Set<Integer> defined = new TreeSet<>();
    for (NativeError error : NativeError.values()) {
      defined.add(error.code);
    }
    assertEquals(defined, codes, "docs/native-protocol.md documents codes the code does not define, or the reverse");
  }

  @Test
  void everyVariableTheGatewayReadsIsDocumented() throws IOException {
    String operations = Files.readString(DOCS.resolve("operations.md"));
    Set<String> undocumented = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = READ_VARIABLE.matcher(Files.readString(file));
        while (m.find()) {
          if (!operations.contains(m.group(1))) {
            undocumented.add(m.group(1));
          }
        }
      }
    }
    assertTrue(undocumented.isEmpty(), "docs/operations.md does not document " + undocumented);
  }

  // ---------------------------------------------------------------- helpers

  private static List<Path> markdownFiles() throws IOException {
    List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.walk(DOCS)) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    assertFalse(files.size() < 8, "expected README.md and the docs/ pages, found " + files);
    return files;
  }

  /** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as hyphens, -1, -2 for repeats. */
  static Set<String> anchors(Path markdown) throws IOException {
    String text = FENCE.matcher(Files.readString(markdown)).replaceAll("");
    Set<String> anchors = new TreeSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher m = HEADING.matcher(text);
    while (m.find()) {
      String slug = m.group(1).toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }
}
