package dev.licensegateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Expired /auth sessions are purged; live ones stay. */
class SessionStoreTest {

  @Test
  void purgeRemovesOnlySessionsExpiredBeforeTheCutoff() throws Exception {
    Fixtures.License license = Fixtures.license();
    Instant now = Instant.now();
    String old = insertSession(license, now.minusSeconds(3 * 86_400));
    String live = insertSession(license, now.plusSeconds(3_600));
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(TestServers.get().postgresUri()).using(vertx).build();
    try {
      int purged = new SessionStore(pool, 10_000).purgeExpired(now.minusSeconds(86_400)).await(10, TimeUnit.SECONDS);
      assertEquals(1, purged);
      assertEquals(0, Fixtures.count("SELECT count(*) FROM sessions WHERE token_digest = ?", Secrets.digest(old)));
      assertEquals(1, Fixtures.count("SELECT count(*) FROM sessions WHERE token_digest = ?", Secrets.digest(live)));
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static String insertSession(Fixtures.License license, Instant expiresAt) {
    String token = Secrets.sessionToken();
    Fixtures.exec("INSERT INTO sessions (token_digest, product_id, license_id, machine_id, expires_at, secret_box, "
            + "billed_until) VALUES (?, ?, ?, ?, ?, ?, ?)", Secrets.digest(token), license.productId(), license.id(),
        Fixtures.randomMachineId(), expiresAt, new byte[] {1, 2, 3}, expiresAt);
    return token;
  }
}
