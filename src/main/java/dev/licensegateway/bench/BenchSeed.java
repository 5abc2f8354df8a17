package dev.licensegateway.bench;

import dev.licensegateway.access.Scope;
import dev.licensegateway.cli.AccountAdmin;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.licensing.Heartbeats;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The rows {@code bench http} loads: a new account per run (rows stay behind, never shared
 * between runs), one product without a daily limit, one heartbeat policy, N licenses, and
 * the credential of each dialect. Written over JDBC, as {@code admin} and dev mode do.
 */
final class BenchSeed {

  /** A policy interval long enough that no machine falls overdue during a run. */
  static final int HEARTBEAT_INTERVAL_S = 3600;
  static final int MAX_MACHINES = 5;

  /** What the requests carry: machine i belongs to license i. */
  record Fixture(UUID accountId, String apiKey, String appId, String appSecret, String productKey,
      List<String> licenses, List<String> machines) {}

  private BenchSeed() {}

  static Fixture seed(String pgUri, int licenses) throws SQLException {
    try (AccountAdmin admin = new AccountAdmin(pgUri)) {
      // createAccount also makes a key with every scope; the benchmark's /v1 key below has
      // only the scope a server-side validator needs.
      AccountAdmin.NewAccount account = admin.createAccount("bench " + Instant.now(), null);
      Connection c = admin.connection();
      c.setAutoCommit(false);
      String apiKey = Secrets.apiKey("live");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (account_id, name, key_digest, key_hint, "
          + "scopes, environment) VALUES (?, 'bench validate', ?, ?, ?, 'live')")) {
        ps.setObject(1, account.id());
        ps.setBytes(2, Secrets.digest(apiKey));
        ps.setString(3, Secrets.hint(apiKey));
        ps.setArray(4, c.createArrayOf("text", new String[] {Scope.LICENSES_VALIDATE.wire()}));
        ps.executeUpdate();
      }
      String appId = Secrets.appId();
      String appSecret = Secrets.appSecret();
      String productKey = Secrets.productKey("live");
      UUID productId = single(c, "INSERT INTO products (account_id, environment, name, app_id, app_secret_digest, "
          + "product_key_digest, daily_validation_limit) VALUES (?, 'live', 'Bench App', ?, ?, ?, NULL) RETURNING id",
          account.id(), appId, Secrets.digest(appSecret), Secrets.digest(productKey));
      UUID policyId;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO policies (account_id, product_id, name, "
          + "max_machines, duration_days, heartbeat_interval_s, slot_release_s, entitlements) "
          + "VALUES (?, ?, 'Bench', ?, 365, ?, ?, ?) RETURNING id")) {
        ps.setObject(1, account.id());
        ps.setObject(2, productId);
        ps.setInt(3, MAX_MACHINES);
        ps.setInt(4, HEARTBEAT_INTERVAL_S);
        ps.setLong(5, Heartbeats.slotReleaseSeconds(HEARTBEAT_INTERVAL_S));
        ps.setArray(6, c.createArrayOf("text", new String[] {"pro"}));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          policyId = rs.getObject(1, UUID.class);
        }
      }
      List<String> keys = new ArrayList<>(licenses);
      List<String> machines = new ArrayList<>(licenses);
      SecureRandom random = new SecureRandom();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO licenses (account_id, product_id, policy_id, "
          + "environment, key, expires_at) VALUES (?, ?, ?, 'live', ?, now() + interval '365 days')")) {
        for (int i = 0; i < licenses; i++) {
          String key = Secrets.licenseKey();
          byte[] machine = new byte[32];
          random.nextBytes(machine);
          keys.add(key);
          machines.add(HexFormat.of().formatHex(machine));
          ps.setObject(1, account.id());
          ps.setObject(2, productId);
          ps.setObject(3, policyId);
          ps.setString(4, key);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      c.commit();
      return new Fixture(account.id(), apiKey, appId, appSecret, productKey, List.copyOf(keys), List.copyOf(machines));
    }
  }

  private static UUID single(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getObject(1, UUID.class);
      }
    }
  }
}
