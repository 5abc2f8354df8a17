package dev.licensegateway.dev;

import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.infra.Secrets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** docs/operations.md dev mode: a demo account, API key, product, policy and license to call at once. */
public final class DemoSeed {

  public record Demo(UUID accountId, String apiKey, UUID productId, String appId, String appSecret,
      String productKey, UUID policyId, UUID licenseId, String licenseKey) {}

  private DemoSeed() {}

  public static Demo seed(String pgUri) throws SQLException {
    try (AccountAdmin admin = new AccountAdmin(pgUri)) {
      AccountAdmin.NewAccount account = admin.createAccount("Demo Vendor", null);
      Connection c = admin.connection();
      String appId = Secrets.appId();
      String appSecret = Secrets.appSecret();
      String productKey = Secrets.productKey("live");
      UUID productId = insert(c, "INSERT INTO products (account_id, environment, name, app_id, app_secret_digest, "
          + "product_key_digest) VALUES (?, 'live', 'Demo App', ?, ?, ?) RETURNING id",
          account.id(), appId, Secrets.digest(appSecret), Secrets.digest(productKey));
      UUID policyId;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO policies (account_id, product_id, name, "
          + "max_machines, duration_days, entitlements) VALUES (?, ?, 'Pro, 3 machines', 3, 365, ?) RETURNING id")) {
        ps.setObject(1, account.id());
        ps.setObject(2, productId);
        ps.setArray(3, c.createArrayOf("text", new String[] {"export", "pro"}));
        policyId = single(ps);
      }
      String licenseKey = Secrets.licenseKey();
      UUID licenseId = insert(c, "INSERT INTO licenses (account_id, product_id, policy_id, environment, key, expires_at) "
          + "VALUES (?, ?, ?, 'live', ?, now() + interval '365 days') RETURNING id",
          account.id(), productId, policyId, licenseKey);
      return new Demo(account.id(), account.apiKey(), productId, appId, appSecret, productKey, policyId, licenseId,
          licenseKey);
    }
  }

  private static UUID insert(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return single(ps);
    }
  }

  private static UUID single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getObject(1, UUID.class);
    }
  }
}
