package dev.licensegateway.http;

import dev.licensegateway.infra.IpAddresses;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * docs/rate-limits.md: the client IP is the socket peer, or, when the peer is a trusted proxy, the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy.
 */
public final class ClientIp {

  private final List<IpAddresses.Cidr> trusted;

  public ClientIp(List<String> trustedCidrs) {
    List<IpAddresses.Cidr> parsed = new ArrayList<>();
    for (String cidr : trustedCidrs) {
      parsed.add(IpAddresses.Cidr.parse(cidr));
    }
    this.trusted = List.copyOf(parsed);
  }

  public String resolve(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String peerIp = peer == null ? null : IpAddresses.normalize(peer.hostAddress());
    if (peerIp == null || trusted.isEmpty() || !isTrusted(peerIp)) {
      return peerIp;
    }
    String forwarded = request.headers().get("X-Forwarded-For");
    if (forwarded == null) {
      return peerIp;
    }
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = IpAddresses.normalize(hops[i].trim());
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
    for (IpAddresses.Cidr cidr : trusted) {
      if (cidr.contains(ip)) {
        return true;
      }
    }
    return false;
  }
}
