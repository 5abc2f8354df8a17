package dev.licensegateway.testing;

import dev.licensegateway.infra.Secrets;
import dev.licensegateway.store.Migrations;
import io.vertx.pgclient.PgConnectOptions;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rows for one test, written straight to the test Postgres: each test makes its own
 * account, product, policy and license, so tests share no state.
 */
public final class Fixtures {

  private Fixtures() {}

  /** A license with everything around it. Fields are the plaintexts a client would hold. */
  public record License(UUID accountId, UUID productId, UUID policyId, UUID id, String key,
      String appId, String appSecret, String productKey) {}

  /** What the license and its surroundings look like; the defaults are a plain active license. */
  public static final class Spec {
    String accountStatus = "active";
    Long credits;
    String environment = "live";
    String productStatus = "active";
    Integer dailyLimit;
    int maxMachines = 3;
    Integer durationDays;
    Integer heartbeatIntervalS;
    List<String> entitlements = List.of("export", "pro");
    Integer maxIps;
    String ipMode = "open";
    String licenseStatus = "active";
    Instant expiresAt;

    public Spec accountStatus(String v) { accountStatus = v; return this; }
    public Spec credits(Long v) { credits = v; return this; }
    public Spec environment(String v) { environment = v; return this; }
    public Spec productStatus(String v) { productStatus = v; return this; }
    public Spec dailyLimit(Integer v) { dailyLimit = v; return this; }
    public Spec maxMachines(int v) { maxMachines = v; return this; }
    public Spec heartbeatIntervalS(Integer v) { heartbeatIntervalS = v; return this; }
    public Spec entitlements(List<String> v) { entitlements = v; return this; }
    public Spec maxIps(Integer v) { maxIps = v; return this; }
    public Spec ipMode(String v) { ipMode = v; return this; }
    public Spec licenseStatus(String v) { licenseStatus = v; return this; }
    public Spec expiresAt(Instant v) { expiresAt = v; return this; }
  }

  public static Spec spec() {
    return new Spec();
  }

  public static License license() {
    return license(spec());
  }

  public static License license(Spec s) {
    try (Connection c = connect()) {
      UUID account = insert(c, "INSERT INTO accounts (name, status, credits) VALUES ('test vendor', ?, ?) RETURNING id",
          s.accountStatus, s.credits);
      String appId = Secrets.appId();
      String appSecret = Secrets.appSecret();
      String productKey = Secrets.productKey(s.environment);
      UUID product = insert(c, "INSERT INTO products (account_id, environment, name, status, app_id, "
              + "app_secret_digest, product_key_digest, daily_validation_limit) VALUES (?, ?, 'test app', ?, ?, ?, ?, ?) "
              + "RETURNING id",
          account, s.environment, s.productStatus, appId, Secrets.digest(appSecret), Secrets.digest(productKey),
          s.dailyLimit);
      UUID policy = insert(c, "INSERT INTO policies (account_id, product_id, name, max_machines, duration_days, "
              + "heartbeat_interval_s, entitlements, max_ips, ip_mode, slot_release_s) "
              + "VALUES (?, ?, 'test policy', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          account, product, s.maxMachines, s.durationDays, s.heartbeatIntervalS,
          c.createArrayOf("text", s.entitlements.toArray()), s.maxIps, s.ipMode,
          // docs/domain.md: released when overdue by more than twice the interval, i.e. silent > 3 × interval + 30 s.
          s.heartbeatIntervalS == null ? null : 3 * s.heartbeatIntervalS + 30);
      String key = Secrets.licenseKey();
      UUID license = insert(c, "INSERT INTO licenses (account_id, product_id, policy_id, environment, key, status, "
              + "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
          account, product, policy, s.environment, key, s.licenseStatus,
          s.expiresAt == null ? null : OffsetDateTime.ofInstant(s.expiresAt, ZoneOffset.UTC));
      return new License(account, product, policy, license, key, appId, appSecret, productKey);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A machine id as SDKs send it: SHA-256 of a device identifier, lowercase hex. */
  public static String machineId(String device) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(device.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String randomMachineId() {
    return machineId("device-" + UUID.randomUUID() + "-" + ThreadLocalRandom.current().nextLong());
  }

  /**
   * Runs one statement (a test's change of state) and returns the rows it touched, once every
   * running gateway has seen the change.
   */
  public static int exec(String sql, Object... args) {
    int touched;
    try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, args)) {
      touched = ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    TestGateway.syncAll();
    return touched;
  }

  /** The first column of the first row, as a long (for counts). */
  public static long count(String sql, Object... args) {
    try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of every row, as text. */
  public static List<String> strings(String sql, Object... args) {
    try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      List<String> values = new java.util.ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Row counts of every table a request may write, to show that a refused request wrote nothing. */
  public static long totalRows() {
    return count("SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM api_keys)"
        + " + (SELECT count(*) FROM products) + (SELECT count(*) FROM policies) + (SELECT count(*) FROM licenses)"
        + " + (SELECT count(*) FROM machines) + (SELECT count(*) FROM product_rules)"
        + " + (SELECT count(*) FROM license_ips) + (SELECT count(*) FROM sessions)");
  }

  public static Connection connect() throws SQLException {
    PgConnectOptions options = PgConnectOptions.fromUri(TestServers.get().postgresUri());
    return DriverManager.getConnection(Migrations.jdbcUrl(options), options.getUser(), options.getPassword());
  }

  private static UUID insert(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getObject(1, UUID.class);
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      Object arg = args[i];
      if (arg instanceof Instant instant) {
        arg = OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
      }
      if (arg instanceof Array array) {
        ps.setArray(i + 1, array);
      } else {
        ps.setObject(i + 1, arg);
      }
    }
    return ps;
  }
}
