package dev.licensegateway.console;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The machine's own Chromium, driven by Playwright, which is told never to download a browser.
 * No Chromium is a failure with instructions, never a skip: `.ci/run` installs it where missing.
 */
final class Chromium {

  private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
      "/usr/lib/chromium/chromium", "/usr/bin/google-chrome",
      "/Applications/Chromium.app/Contents/MacOS/Chromium",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");

  private Chromium() {}

  /** LGW_CHROMIUM if set, else the usual Debian, Ubuntu and macOS places. */
  static Path executable() {
    String configured = System.getenv("LGW_CHROMIUM");
    Stream<String> paths = configured == null || configured.isBlank() ? CANDIDATES.stream() : Stream.of(configured);
    return paths.map(Path::of).filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
        "No Chromium for the console's browser tests: looked at " + (configured != null ? configured : CANDIDATES)
            + ". Install it with `apt-get install -y chromium` (.ci/run does so when it is missing), "
            + "or point LGW_CHROMIUM at a Chromium executable."));
  }

  static Playwright playwright() {
    Map<String, String> env = new HashMap<>(System.getenv());
    // The Java driver would otherwise fetch its own browser builds on first use.
    env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    return Playwright.create(new Playwright.CreateOptions().setEnv(env));
  }

  static Browser launch(Playwright playwright) {
    return playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(executable())
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage")));
  }
}
