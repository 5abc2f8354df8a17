package dev.licensegateway.webhook;

import dev.licensegateway.infra.IpAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * SSRF guard of webhook URLs. By default a URL must be {@code https} and its host must resolve
 * only to public addresses: never loopback, private, shared (CGNAT), link-local (cloud metadata
 * at 169.254.169.254), multicast, reserved or documentation ranges, nor IPv6 unique-local,
 * link-local, or IPv6 forms that embed an IPv4 address. It is checked when a URL is saved and
 * again before each delivery, which then connects to the very address checked, since DNS may
 * answer differently later. {@code allowPrivate} (LGW_WEBHOOK_ALLOW_PRIVATE, dev mode) lifts
 * it: http and any address.
 */
public final class UrlGuard {

  /** Where one delivery goes: the URL's parts, and the checked address to connect to (null: resolve freely). */
  public record Target(String host, int port, boolean ssl, String pathAndQuery, String address) {}

  /** A URL that may not be used, and why (the API reports it on the {@code url} field). */
  public static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private static final List<IpAddresses.Cidr> BLOCKED = List.of(
      // IPv4: "this network", private, CGNAT, loopback, link-local (metadata), IETF, documentation,
      // 6to4 relay, benchmarking, multicast, reserved and broadcast.
      cidr("0.0.0.0/8"), cidr("10.0.0.0/8"), cidr("100.64.0.0/10"), cidr("127.0.0.0/8"), cidr("169.254.0.0/16"),
      cidr("172.16.0.0/12"), cidr("192.0.0.0/24"), cidr("192.0.2.0/24"), cidr("192.88.99.0/24"),
      cidr("192.168.0.0/16"), cidr("198.18.0.0/15"), cidr("198.51.100.0/24"), cidr("203.0.113.0/24"),
      cidr("224.0.0.0/4"), cidr("240.0.0.0/4"),
      // IPv6: unspecified, loopback and IPv4-compatible (::/96), NAT64, discard, Teredo, documentation,
      // 6to4, unique-local, link-local, site-local, multicast.
      cidr("::/96"), cidr("64:ff9b::/96"), cidr("64:ff9b:1::/48"), cidr("100::/64"), cidr("2001::/32"),
      cidr("2001:db8::/32"), cidr("2002::/16"), cidr("fc00::/7"), cidr("fe80::/10"), cidr("fec0::/10"),
      cidr("ff00::/8"));

  private final Vertx vertx;
  private final boolean allowPrivate;

  public UrlGuard(Vertx vertx, boolean allowPrivate) {
    this.vertx = vertx;
    this.allowPrivate = allowPrivate;
  }

  public boolean allowPrivate() {
    return allowPrivate;
  }

  /** The URL's form alone (no lookup); null when acceptable, else why not. */
  public String formProblem(String url) {
    try {
      parse(url);
      return null;
    } catch (Refused e) {
      return e.getMessage();
    }
  }

  /**
   * The URL checked in full: its form, then (unless private targets are allowed) every
   * address its host resolves to, looked up on a worker thread. Fails with {@link Refused}.
   */
  public Future<Target> check(String url) {
    Target parsed;
    try {
      parsed = parse(url);
    } catch (Refused e) {
      return Future.failedFuture(e);
    }
    if (allowPrivate) {
      return Future.succeededFuture(parsed);
    }
    String literal = IpAddresses.normalize(parsed.host());
    if (literal != null) {
      // An address literal: nothing to look up.
      return refusalOf(address(literal)) == null ? Future.succeededFuture(withAddress(parsed, literal))
          : Future.failedFuture(new Refused(refusalOf(address(literal))));
    }
    // The JDK resolver blocks: never on an event loop.
    return vertx.executeBlocking(() -> InetAddress.getAllByName(parsed.host()), false)
        .recover(e -> Future.failedFuture(new Refused(e instanceof UnknownHostException
            ? "host " + parsed.host() + " does not resolve" : "host " + parsed.host() + " cannot be resolved")))
        .compose(addresses -> {
          // Every address must be public: a name that also resolves inward is refused, so that
          // no later choice among its addresses can reach inside.
          for (InetAddress a : addresses) {
            String why = refusalOf(a);
            if (why != null) {
              return Future.failedFuture(new Refused(why));
            }
          }
          return Future.succeededFuture(withAddress(parsed, addresses[0].getHostAddress()));
        });
  }

  private static Target withAddress(Target t, String address) {
    return new Target(t.host(), t.port(), t.ssl(), t.pathAndQuery(), address);
  }

  private Target parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new Refused("is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
      throw new Refused(allowPrivate ? "must be an http or https URL" : "must be an https URL");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty() || uri.getRawAuthority() == null) {
      throw new Refused("must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new Refused("must not carry credentials");
    }
    if (uri.getRawFragment() != null) {
      throw new Refused("must not have a fragment");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    boolean ssl = scheme.equals("https");
    int port = uri.getPort() == -1 ? (ssl ? 443 : 80) : uri.getPort();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    return new Target(host, port, ssl, path, null);
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Why an address may not be a webhook target, or null when it is public. */
  static String refusalOf(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
      return "resolves to an IPv4-mapped address, which is not allowed";
    }
    if (address instanceof Inet4Address || address instanceof Inet6Address) {
      for (IpAddresses.Cidr range : BLOCKED) {
        if (range.contains(bytes)) {
          return "resolves to a loopback, private, link-local or reserved address ("
              + address.getHostAddress() + "), which is not allowed";
        }
      }
    }
    return null;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    if (b.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  private static IpAddresses.Cidr cidr(String text) {
    return IpAddresses.Cidr.parse(text);
  }
}
