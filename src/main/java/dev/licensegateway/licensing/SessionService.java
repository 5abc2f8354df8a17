package dev.licensegateway.licensing;

import dev.licensegateway.infra.Secrets;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The app-SDK logins and sessions of docs/dialects.md, built on the licensing core: a login is an
 * activation (HWID slots bind on first sight) that opens a session; a heartbeat re-checks
 * the license and keeps the session alive. Credits: one per login and one per started hour
 * of heartbeats, when the account has a balance.
 */
public final class SessionService {

  public static final long BILLING_HOUR_SECONDS = 3600;
  /** A session without a heartbeat policy lives this long without a heartbeat. */
  public static final long DEFAULT_SESSION_SECONDS = 3600;

  /** A login or heartbeat: the core's result, and, when the app is known, its secret to sign with. */
  public record SessionResult(LicenseResult result, String appSecret, String token, Instant expiresAt) {
    public Outcome outcome() {
      return result.outcome();
    }
  }

  private final LicenseService core;
  private final ProductDirectory products;
  private final SessionRepository sessions;
  private final Clock clock;

  public SessionService(LicenseService core, ProductDirectory products, SessionRepository sessions, Clock clock) {
    this.core = core;
    this.products = products;
    this.sessions = sessions;
    this.clock = clock;
  }

  public Future<SessionResult> login(String appId, String appSecret, LicenseQuery query) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    return products.byAppId(appId).compose(product -> {
      if (product == null || !Secrets.matches(appSecret, product.secretDigest())) {
        // docs/dialects.md: a wrong app id/secret pair is answered unsigned: no secret is known.
        return Future.succeededFuture(refused(Outcome.PRODUCT_NOT_FOUND, null, now));
      }
      LicenseQuery scoped = query.inProduct(product.id());
      return core.admit(scoped).compose(admitted -> {
        if (!admitted.outcome().ok()) {
          return Future.succeededFuture(new SessionResult(admitted, appSecret, null, null));
        }
        LicenseContext ctx = admitted.context();
        Future<Boolean> paid = !ctx.creditBalance() ? Future.succeededFuture(true)
            : sessions.spendCredit(ctx.accountId());
        return paid.compose(ok -> {
          if (!ok) {
            return Future.succeededFuture(new SessionResult(LicenseResult.of(Outcome.NO_CREDITS, ctx, now),
                appSecret, null, null));
          }
          return core.activate(scoped).compose(activated -> {
            if (!activated.outcome().ok()) {
              Future<Void> refund = !ctx.creditBalance() ? Future.succeededFuture()
                  : sessions.refundCredit(ctx.accountId());
              return refund.map(v -> new SessionResult(activated, appSecret, null, null));
            }
            String token = Secrets.sessionToken();
            Instant expiresAt = now.plusSeconds(sessionSeconds(activated.context()));
            return sessions.create(Secrets.digest(token), product.id(), ctx.licenseId(), query.machineId(), now,
                    expiresAt, Secrets.seal(appSecret.getBytes(StandardCharsets.UTF_8), token),
                    now.plusSeconds(BILLING_HOUR_SECONDS))
                .map(v -> new SessionResult(activated, appSecret, token, expiresAt));
          });
        });
      });
    });
  }

  public Future<SessionResult> heartbeat(String appId, String token, String ip) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    return sessions.find(Secrets.digest(token)).compose(session -> {
      if (session == null) {
        return Future.succeededFuture(refused(Outcome.SESSION_EXPIRED, null, now));
      }
      if (!session.appId().equals(appId)) {
        return Future.succeededFuture(refused(Outcome.PRODUCT_NOT_FOUND, null, now));
      }
      Secrets.Opened opened = Secrets.open(session.secretBox(), token);
      if (opened == null) {
        // A box that does not open proves nothing: answered like a lost session, unsigned.
        return Future.succeededFuture(refused(Outcome.SESSION_EXPIRED, null, now));
      }
      String appSecret = new String(opened.plaintext(), StandardCharsets.UTF_8);
      if (session.expiresAt().isBefore(now)) {
        return Future.succeededFuture(refused(Outcome.SESSION_EXPIRED, appSecret, now));
      }
      // Sessions sealed before v2 migrate as they are used; the expired ones are left to the purge.
      Future<Boolean> migrated = !opened.legacy() ? Future.succeededFuture(false)
          : sessions.reseal(session.id(), session.secretBox(), Secrets.seal(opened.plaintext(), token));
      LicenseQuery query = LicenseQuery.of(session.licenseKey(), session.machineId(), ip).inProduct(session.productId());
      return migrated.compose(v -> core.heartbeat(query)).compose(beat -> {
        if (!beat.outcome().ok()) {
          return Future.succeededFuture(new SessionResult(beat, appSecret, null, null));
        }
        LicenseContext ctx = beat.context();
        Instant expiresAt = now.plusSeconds(sessionSeconds(ctx));
        return sessions.extend(session.id(), ctx.accountId(), now, expiresAt, BILLING_HOUR_SECONDS)
            .map(paid -> paid
                ? new SessionResult(beat, appSecret, token, expiresAt)
                : new SessionResult(LicenseResult.of(Outcome.NO_CREDITS, ctx, now), appSecret, null, null));
      });
    });
  }

  /**
   * docs/dialects.md: every body is signed, a bad request's too, whenever the request proves its app:
   * the right app id/secret pair, or a session token of that app. Null when it proves none.
   */
  public Future<String> signingSecret(String appId, String appSecret, String token) {
    if (appId == null) {
      return Future.succeededFuture(null);
    }
    if (appSecret != null) {
      return products.byAppId(appId)
          .map(product -> product != null && Secrets.matches(appSecret, product.secretDigest()) ? appSecret : null);
    }
    if (token != null) {
      return sessions.find(Secrets.digest(token)).map(session -> {
        Secrets.Opened opened = session == null || !session.appId().equals(appId) ? null
            : Secrets.open(session.secretBox(), token);
        return opened == null ? null : new String(opened.plaintext(), StandardCharsets.UTF_8);
      });
    }
    return Future.succeededFuture(null);
  }

  /** A session lasts until its machine would be overdue (docs/domain.md), or an hour without a heartbeat policy. */
  private static long sessionSeconds(LicenseContext ctx) {
    return ctx.heartbeatIntervalS() == null ? DEFAULT_SESSION_SECONDS : Heartbeats.overdueSeconds(ctx.heartbeatIntervalS());
  }

  private static SessionResult refused(Outcome outcome, String appSecret, Instant now) {
    return new SessionResult(LicenseResult.of(outcome, null, now), appSecret, null, null);
  }
}
