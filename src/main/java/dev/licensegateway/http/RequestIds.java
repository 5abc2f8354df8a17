package dev.licensegateway.http;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 128 random bits as 32 hex characters, without SecureRandom's contention. */
public final class RequestIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = random.nextLong();
    long lo = random.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xF];
      out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xF];
    }
    return new String(out);
  }
}
