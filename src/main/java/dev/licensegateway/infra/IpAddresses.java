package dev.licensegateway.infra;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP literals and CIDR ranges, as the gateway compares them: one canonical text per address
 * (IPv4-mapped IPv6 as IPv4) and Postgres' {@code inet <<= cidr} semantics (same family,
 * same leading prefix bits).
 */
public final class IpAddresses {


  private IpAddresses() {}

  /** A literal IP in canonical form (IPv4-mapped IPv6 as IPv4, no zone); null if not an IP literal. */
  public static String normalize(String raw) {
    if (raw == null || raw.isEmpty() || raw.length() > 45) {
      return null;
    }
    String s = raw;
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (isDottedQuad(s)) {
      return s; // already canonical: four octets without leading zeros
    }
    // Only literals: InetAddress.getByName would otherwise resolve a host name (and block).
    boolean ipv6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    if (!ipv6 && !isDottedQuad(s)) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Four decimal octets 0–255 joined by dots, each without a leading zero. */
  static boolean isDottedQuad(String s) {
    int octets = 0;
    int i = 0;
    while (i <= s.length()) {
      int start = i;
      int value = 0;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return false;
        }
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || digits > 1 && s.charAt(start) == '0') {
        return false;
      }
      octets++;
      if (i == s.length()) {
        return octets == 4;
      }
      if (s.charAt(i) != '.' || octets == 4) {
        return false;
      }
      i++;
    }
    return false;
  }

  /** A network: its address bytes and prefix length. */
  public record Cidr(byte[] network, int prefix) {

    /** {@code 203.0.113.0/24}, {@code 2001:db8::/32}, or a bare address (a /32 or /128). */
    public static Cidr parse(String text) {
      String[] parts = text.split("/");
      String ip = normalize(parts[0]);
      if (ip == null || parts.length > 2) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      byte[] address = bytes(ip);
      int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : address.length * 8;
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      return new Cidr(address, prefix);
    }

    /** Whether an address lies in this network (never across families). */
    public boolean contains(String ip) {
      return contains(bytes(ip));
    }

    /** Whether an address ({@link #bytes}) lies in this network (never across families). */
    public boolean contains(byte[] address) {
      if (address == null || address.length != network.length) {
        return false;
      }
      int whole = prefix / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (network[whole] & mask);
    }

  }

  /** The bytes of an IP literal (4 or 16); null for anything that is not one. Never resolves a name. */
  public static byte[] bytes(String ip) {
    String literal = normalize(ip);
    if (literal == null) {
      return null;
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
