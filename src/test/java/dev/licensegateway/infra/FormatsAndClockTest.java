package dev.licensegateway.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written checks and formats of the hot path agree with the library ones they replace. */
class FormatsAndClockTest {

  @Test
  void rfc3339MatchesIsoInstantToTheSecondAcrossTheWholeRange() {
    Random random = new Random(42);
    for (int i = 0; i < 100_000; i++) {
      long second = (long) (random.nextDouble() * 253_402_300_799L);
      Instant instant = Instant.ofEpochSecond(second, random.nextInt(1_000_000_000));
      assertEquals(DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS)),
          UtcClock.rfc3339(instant), instant.toString());
    }
    assertEquals("1970-01-01T00:00:00Z", UtcClock.rfc3339(Instant.EPOCH));
    assertEquals("9999-12-31T23:59:59Z", UtcClock.rfc3339(Instant.parse("9999-12-31T23:59:59.999Z")));
    assertEquals("+10000-01-01T00:00:00Z", UtcClock.rfc3339(Instant.parse("+10000-01-01T00:00:00Z")));
    assertEquals("1969-12-31T23:59:59Z", UtcClock.rfc3339(Instant.ofEpochSecond(-1)));
    assertNull(UtcClock.rfc3339(null));
  }

  @Test
  void secondsToMidnightCountsToTheNextUtcDay() {
    assertEquals(86_400, UtcClock.secondsToMidnight(Instant.parse("2026-12-02T00:00:00Z")));
    assertEquals(1, UtcClock.secondsToMidnight(Instant.parse("2026-12-02T23:59:59.999Z")));
    assertEquals(3_600, UtcClock.secondsToMidnight(Instant.parse("2026-12-02T23:00:00Z")));
  }

  @Test
  void hex64IsExactlySixtyFourLowercaseHexDigits() {
    assertTrue(Formats.isHex64("0123456789abcdef".repeat(4)));
    assertFalse(Formats.isHex64("0123456789ABCDEF".repeat(4)));
    assertFalse(Formats.isHex64("0123456789abcdef".repeat(4) + "0"));
    assertFalse(Formats.isHex64("0123456789abcdeg".repeat(4)));
    assertFalse(Formats.isHex64("٠".repeat(64)));
    assertFalse(Formats.isHex64(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "255.255.255.255", "10.20.30.40"})
  void canonicalDottedQuadsAreTheirOwnCanonicalForm(String ip) {
    assertTrue(IpAddresses.isDottedQuad(ip));
    assertEquals(ip, IpAddresses.normalize(ip));
  }

  @ParameterizedTest
  @ValueSource(strings = {"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ", "", "1.2.3.-4", "1234.1.1.1"})
  void anythingElseIsNoDottedQuad(String text) {
    assertFalse(IpAddresses.isDottedQuad(text));
  }

  @Test
  void cidrsMatchByPrefixAndNeverAcrossFamilies() {
    IpAddresses.Cidr net = IpAddresses.Cidr.parse("203.0.113.0/25");
    assertTrue(net.contains("203.0.113.127"));
    assertFalse(net.contains("203.0.113.128"));
    assertTrue(net.contains("::ffff:cb00:7101"), "an IPv4-mapped address is the IPv4 one, as ClientIp reads it");
    assertFalse(net.contains("2001:db8::cb00:7101"), "an IPv6 address never matches an IPv4 network");
    IpAddresses.Cidr v6 = IpAddresses.Cidr.parse("2001:db8::/33");
    assertTrue(v6.contains("2001:db8:7fff::1"));
    assertFalse(v6.contains("2001:db8:8000::1"));
    assertTrue(IpAddresses.Cidr.parse("0.0.0.0/0").contains("198.51.100.9"));
    assertFalse(IpAddresses.Cidr.parse("198.51.100.9").contains("198.51.100.8"));
  }
}
