package dev.licensegateway.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * SPEC 3: the client IP is the socket peer, or, when the peer is a trusted proxy, the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy.
 */
public final class ClientIp {

  private static final java.util.regex.Pattern IPV4 =
      java.util.regex.Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

  private final List<Cidr> trusted;

  public ClientIp(List<String> trustedCidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String cidr : trustedCidrs) {
      parsed.add(Cidr.parse(cidr));
    }
    this.trusted = List.copyOf(parsed);
  }

  public String resolve(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String peerIp = peer == null ? null : normalize(peer.hostAddress());
    if (peerIp == null || trusted.isEmpty() || !isTrusted(peerIp)) {
      return peerIp;
    }
    String forwarded = request.headers().get("X-Forwarded-For");
    if (forwarded == null) {
      return peerIp;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = normalize(hops[i].trim());
      if (hop == null) {
        return peerIp; // a malformed entry: trust nothing to its left
      }
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return peerIp;
  }

  private boolean isTrusted(String ip) {
    for (Cidr cidr : trusted) {
      if (cidr.contains(ip)) {
        return true;
      }
    }
    return false;
  }

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
    // Only literals: InetAddress.getByName would otherwise resolve a host name (and block).
    boolean ipv6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    if (!ipv6 && !IPV4.matcher(s).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  record Cidr(byte[] network, int prefix) {
    static Cidr parse(String text) {
      String[] parts = text.split("/");
      String ip = normalize(parts[0]);
      if (ip == null) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      byte[] address = bytes(ip);
      int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : address.length * 8;
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("not a CIDR: " + text);
      }
      return new Cidr(address, prefix);
    }

    boolean contains(String ip) {
      byte[] address = bytes(ip);
      if (address.length != network.length) {
        return false;
      }
      BigInteger mask = BigInteger.ONE.shiftLeft(address.length * 8).subtract(BigInteger.ONE)
          .xor(BigInteger.ONE.shiftLeft(address.length * 8 - prefix).subtract(BigInteger.ONE));
      return new BigInteger(1, address).and(mask).equals(new BigInteger(1, network).and(mask));
    }

    private static byte[] bytes(String ip) {
      try {
        return InetAddress.getByName(ip).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(ip, e);
      }
    }
  }
}
