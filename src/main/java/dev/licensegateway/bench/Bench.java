package dev.licensegateway.bench;

import dev.licensegateway.Main;
import dev.licensegateway.config.GatewayConfig;
import java.util.List;

/** {@code bench sign|http|cache}: harnesses that print figures. Only in the dev-capable jar. */
public final class Bench {

  private Bench() {}

  /** Called by {@link Main} through reflection. */
  public static int main(GatewayConfig ignored, List<String> argv) throws Exception {
    String sub = argv.isEmpty() ? "" : argv.get(0);
    switch (sub) {
      case "sign" -> {
        int i = argv.indexOf("--seconds");
        if (i >= 0 && i + 1 >= argv.size()) {
          throw new Main.UsageException("--seconds needs a value");
        }
        SignBench.run(i < 0 ? 2.0 : Double.parseDouble(argv.get(i + 1)));
      }
      case "http" -> {
        try {
          HttpBench.run(argv.subList(1, argv.size()));
        } catch (HttpBench.BadOption e) {
          throw new Main.UsageException(e.getMessage());
        }
      }
      case "cache" -> CacheBench.run(intOption(argv, "--licenses", 100_000), intOption(argv, "--machines", 1));
      case "load" -> throw new Main.UsageException("`bench load` is now `bench http`: it seeds its own licenses, "
          + "raises every rate-limit bucket of the gateway it starts (no 429s) and compares it with a bare Vert.x "
          + "server; `bench http --quick` is a 1.5-minute smoke run");
      default -> throw new Main.UsageException(
          "bench sign [--seconds S] | bench http [options] | bench cache [--licenses N] [--machines M]");
    }
    return 0;
  }

  private static int intOption(List<String> argv, String name, int fallback) {
    int i = argv.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    try {
      return Integer.parseInt(argv.get(i + 1));
    } catch (IndexOutOfBoundsException | NumberFormatException e) {
      throw new Main.UsageException(name + " needs a whole number");
    }
  }
}
