package dev.licensegateway.cli;

import dev.licensegateway.access.Scope;
import dev.licensegateway.infra.Secrets;
import dev.licensegateway.infra.WireName;
import dev.licensegateway.store.Migrations;
import io.vertx.pgclient.PgConnectOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * docs/operations.md {@code admin}: accounts belong to the operator, who manages them from the command
 * line. Blocking JDBC is right here: a one-shot command, not the event loop.
 */
public final class AccountAdmin implements AutoCloseable {

  public static final List<String> ALL_SCOPES = List.copyOf(WireName.names(Scope.class));

  private final Connection connection;

  public AccountAdmin(String pgUri) throws SQLException {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUri);
    this.connection = DriverManager.getConnection(Migrations.jdbcUrl(options), options.getUser(), options.getPassword());
  }

  public Connection connection() {
    return connection;
  }

  public record NewAccount(UUID id, String apiKey) {}

  /** Creates the account and its first {@code lk_live_} key with every scope. */
  public NewAccount createAccount(String name, Long credits) throws SQLException {
    connection.setAutoCommit(false);
    try {
      UUID id;
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO accounts (name, credits) VALUES (?, ?) RETURNING id")) {
        insert.setString(1, name);
        insert.setObject(2, credits);
        try (ResultSet rs = insert.executeQuery()) {
          rs.next();
          id = rs.getObject(1, UUID.class);
        }
      }
      String key = Secrets.apiKey("live");
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO api_keys (account_id, name, key_digest, key_hint, scopes, environment) "
              + "VALUES (?, 'admin', ?, ?, ?, 'live')")) {
        insert.setObject(1, id);
        insert.setBytes(2, Secrets.digest(key));
        insert.setString(3, Secrets.hint(key));
        insert.setArray(4, connection.createArrayOf("text", ALL_SCOPES.toArray()));
        insert.executeUpdate();
      }
      connection.commit();
      return new NewAccount(id, key);
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  public void setStatus(UUID id, String status) throws SQLException {
    if (!List.of("active", "suspended", "billing_suspended").contains(status)) {
      throw new IllegalArgumentException("status must be active, suspended or billing_suspended");
    }
    update("UPDATE accounts SET status = ? WHERE id = ?", status, id);
  }

  /**
   * Adds credits to a limited balance. An account with unlimited credits (null) is refused:
   * adding to it would silently start counting; {@link #setCredits} says so explicitly.
   */
  public long addCredits(UUID id, long credits) throws SQLException {
    if (credits <= 0) {
      throw new IllegalArgumentException("credits to add must be positive");
    }
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE accounts SET credits = credits + ? WHERE id = ? AND credits IS NOT NULL RETURNING credits")) {
      update.setLong(1, credits);
      update.setObject(2, id);
      try (ResultSet rs = update.executeQuery()) {
        if (rs.next()) {
          return rs.getLong(1);
        }
      }
    }
    requireAccount(id);
    throw new IllegalArgumentException("account " + id + " has unlimited credits; nothing was added (adding would "
        + "start counting). To give it a balance instead: admin set-credits " + id + " N");
  }

  /** Sets the balance to {@code credits}, or makes the account unlimited when it is null. */
  public void setCredits(UUID id, Long credits) throws SQLException {
    if (credits != null && credits < 0) {
      throw new IllegalArgumentException("credits must be unlimited or a number >= 0");
    }
    try (PreparedStatement update = connection.prepareStatement("UPDATE accounts SET credits = ? WHERE id = ?")) {
      update.setObject(1, credits);
      update.setObject(2, id);
      if (update.executeUpdate() != 1) {
        throw new IllegalArgumentException("no account " + id);
      }
    }
  }

  private void requireAccount(UUID id) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
      select.setObject(1, id);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalArgumentException("no account " + id);
        }
      }
    }
  }

  private void update(String sql, String value, UUID id) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(sql)) {
      update.setString(1, value);
      update.setObject(2, id);
      if (update.executeUpdate() != 1) {
        throw new IllegalArgumentException("no account " + id);
      }
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
