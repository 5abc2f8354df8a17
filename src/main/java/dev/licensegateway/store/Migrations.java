package dev.licensegateway.store;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/** docs/operations.md: versioned schema migrations, applied at start over JDBC, before Vert.x serves. */
public final class Migrations {

  private Migrations() {}

  /** Flyway's own default: how many one-second tries it makes for the lock another instance holds. */
  private static final int DEFAULT_LOCK_TRIES = 50;

  /** Applies pending migrations (blocking) and returns the schema version now in force. */
  public static String apply(String pgUri) {
    return apply(pgUri, DEFAULT_LOCK_TRIES);
  }

  /**
   * As {@link #apply(String)}; while another instance applies them (Flyway's advisory lock), waits
   * up to {@code lockWaitSeconds} for it to finish. A connection failure is the caller's to retry.
   */
  public static String apply(String pgUri, int lockWaitSeconds) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUri);
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl(options), options.getUser(), options.getPassword())
        // SQL migrations, and Java ones where a rule of the code must fill the data.
        .locations("classpath:db/migration", "classpath:dev/licensegateway/store/migration")
        .connectRetries(0)
        .lockRetryCount(lockWaitSeconds)
        .load();
    flyway.migrate();
    MigrationInfo current = flyway.info().current();
    return current == null ? "0" : current.getVersion().getVersion();
  }

  public static String jdbcUrl(PgConnectOptions options) {
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
