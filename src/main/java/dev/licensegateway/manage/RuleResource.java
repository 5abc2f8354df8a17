package dev.licensegateway.manage;

import static dev.licensegateway.manage.ManageInput.body;
import static dev.licensegateway.manage.ManageInput.owned;
import static dev.licensegateway.manage.ManageInput.productPage;
import static dev.licensegateway.manage.ManageInput.valid;

import dev.licensegateway.access.Caller;
import dev.licensegateway.access.Scope;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.Problem;
import dev.licensegateway.infra.Formats;
import dev.licensegateway.infra.IpAddresses;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.licensing.RuleKind;
import dev.licensegateway.manage.ManageApi.Result;
import dev.licensegateway.manage.ManageStore.Kind;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.util.Locale;
import java.util.UUID;

/** docs/management-api.md rules: a product's HWID and IP lists, and a license's registered and blocked IPs. */
final class RuleResource extends ManageResource {

  RuleResource(ManageStore store) {
    super(store);
  }

  @Override
  void mount(ManageApi api, Router router) {
    api.route(router, HttpMethod.POST, "/rules", Scope.RULES_WRITE, this::create);
    api.route(router, HttpMethod.GET, "/rules", Scope.RULES_WRITE, (x, c) -> productPage(store, x, c,
        Kind.RULE, (product, after, limit) -> store.rules(c, product, after, limit)));
    api.route(router, HttpMethod.DELETE, "/rules/:id", Scope.RULES_WRITE,
        (x, c) -> owned(store, x, c, Kind.RULE, "id").compose(store::deleteRule).map(MachineResource::deleted));
    api.route(router, HttpMethod.POST, "/licenses/:id/ips", Scope.RULES_WRITE, this::putLicenseIp);
    // Reading them is reading the license, so the license's read scope suffices.
    api.route(router, HttpMethod.GET, "/licenses/:id/ips", Scope.LICENSES_READ,
        (x, c) -> owned(store, x, c, Kind.LICENSE, "id").compose(store::licenseIps).map(page -> Result.ok(page.toJson())));
    api.route(router, HttpMethod.DELETE, "/licenses/:id/ips/:ip", Scope.RULES_WRITE, (x, c) -> {
      String ip = IpAddresses.normalize(x.pathParam("ip"));
      return owned(store, x, c, Kind.LICENSE, "id")
          .compose(id -> ip == null ? Future.failedFuture(Problem.notFound("IP")) : store.deleteLicenseIp(id, ip))
          .compose(n -> n == 0 ? Future.failedFuture(Problem.notFound("IP"))
              : Future.succeededFuture(MachineResource.deleted(n)));
    });
  }

  private Future<Result> create(Exchange x, Caller caller) {
    return body(x).compose(f -> {
      UUID productId = f.requiredId("product_id");
      String kindName = f.requiredString("kind", 32);
      RuleKind kind = kindName == null ? null : WireName.parse(RuleKind.class, kindName);
      if (kindName != null && kind == null) {
        f.add("kind", "must be one of allow_hwid, allow_ip, block_hwid, block_ip");
      }
      String value = f.requiredString("value", 255);
      String cidr = null;
      if (kind != null && value != null) {
        if (kind == RuleKind.BLOCK_IP || kind == RuleKind.ALLOW_IP) {
          cidr = cidr(value);
          if (cidr == null) {
            f.add("value", "must be an IP address or a CIDR such as 203.0.113.0/24");
          }
        } else {
          value = value.toLowerCase(Locale.ROOT);
          if (!Formats.isHex64(value)) {
            f.add("value", "must be a machine id: 64 hexadecimal characters");
          }
        }
      }
      String ruleValue = cidr != null ? cidr : value;
      String ruleCidr = cidr;
      return valid(f)
          .compose(v -> store.owned(caller, Kind.PRODUCT, productId))
          .compose(product -> store.createRule(caller, product, kind, ruleValue, ruleCidr))
          .map(Result::created);
    });
  }

  private Future<Result> putLicenseIp(Exchange x, Caller caller) {
    return owned(store, x, caller, Kind.LICENSE, "id").compose(id -> body(x).compose(f -> {
      String raw = f.requiredString("ip", 64);
      String ip = raw == null ? null : IpAddresses.normalize(raw);
      if (raw != null && ip == null) {
        f.add("ip", "must be an IP address");
      }
      Boolean blocked = f.optionalBoolean("blocked");
      return valid(f).compose(v -> store.putLicenseIp(id, ip, Boolean.TRUE.equals(blocked)));
    })).map(Result::created);
  }

  /** An IP address or CIDR in canonical form ({@code 203.0.113.0/24}); null when it is neither. */
  static String cidr(String value) {
    String[] parts = value.split("/", -1);
    if (parts.length > 2) {
      return null;
    }
    String ip = IpAddresses.normalize(parts[0]);
    if (ip == null) {
      return null;
    }
    int max = ip.contains(":") ? 128 : 32;
    int prefix = max;
    if (parts.length == 2) {
      try {
        prefix = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        return null;
      }
      if (prefix < 0 || prefix > max) {
        return null;
      }
    }
    return ip + "/" + prefix;
  }
}
