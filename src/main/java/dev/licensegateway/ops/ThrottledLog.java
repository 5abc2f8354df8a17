package dev.licensegateway.ops;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a repeated error the first few times, then every Nth time with its count, so that a
 * failing dependency under load does not write one line per request.
 */
public final class ThrottledLog {

  private static final int FIRST = 5;
  private static final int EVERY = 1000;

  private final Logger log;
  private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

  public ThrottledLog(Logger log) {
    this.log = log;
  }

  public void warn(String key, String message, Throwable failure) {
    long n = counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    if (n <= FIRST || n % EVERY == 0) {
      log.warn("{} (occurrence {}): {}", message, n, failure == null ? "" : failure.toString());
    }
  }

  public void error(String key, String message, Throwable failure) {
    long n = counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    if (n <= FIRST) {
      log.error(message + " (occurrence " + n + ")", failure);
    } else if (n % EVERY == 0) {
      log.error("{} (occurrence {}): {}", message, n, String.valueOf(failure));
    }
  }
}
