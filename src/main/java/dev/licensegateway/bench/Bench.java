package dev.licensegateway.bench;

import dev.licensegateway.Main;
import dev.licensegateway.config.GatewayConfig;
import java.util.List;
import java.util.function.Function;

/** {@code bench sign|http|cache}: harnesses that print figures. Only in the dev-capable jar. */
public final class Bench {

  private Bench() {}

  /** Called by {@link Main} through reflection. */
  public static int main(GatewayConfig ignored, List<String> argv) throws Exception {
    String sub = argv.isEmpty() ? "" : argv.get(0);
    switch (sub) {
      case "sign" -> {
        double seconds = option(argv, "--seconds", 2.0, Double::parseDouble, "a number of seconds above 0");
        if (!(seconds > 0)) {
          throw new Main.UsageException("--seconds needs a number of seconds above 0");
        }
        SignBench.run(seconds);
      }
      case "http" -> {
        try {
          HttpBench.run(argv.subList(1, argv.size()));
        } catch (HttpBench.BadOption e) {
          throw new Main.UsageException(e.getMessage());
        }
      }
      case "cache" -> CacheBench.run(
          option(argv, "--licenses", 100_000, Integer::parseInt, "a whole number"),
          option(argv, "--machines", 1, Integer::parseInt, "a whole number"));
      case "load" -> throw new Main.UsageException("`bench load` is now `bench http`: it seeds its own licenses, "
          + "raises every rate-limit bucket of the gateway it starts (no 429s) and compares it with a bare Vert.x "
          + "server; `bench http --quick` is a 1.5-minute smoke run");
      default -> throw new Main.UsageException(
          "bench sign [--seconds S] | bench http [options] | bench cache [--licenses N] [--machines M]");
    }
    return 0;
  }

  /** The value after {@code name}, parsed; a missing or unreadable one is a usage error, not a stack trace. */
  private static <T> T option(List<String> argv, String name, T fallback, Function<String, T> parse, String what) {
    int i = argv.indexOf(name);
    if (i < 0) {
      return fallback;
    }
    if (i + 1 >= argv.size()) {
      throw new Main.UsageException(name + " needs " + what);
    }
    return parsed(name, argv.get(i + 1), parse, what);
  }

  /** The value given for option {@code name}, parsed; an unreadable one is a usage error that names the option. */
  static <T> T parsed(String name, String value, Function<String, T> parse, String what) {
    try {
      return parse.apply(value);
    } catch (NumberFormatException e) {
      throw new Main.UsageException(name + " needs " + what + ", not '" + value + "'");
    }
  }
}
