package dev.licensegateway.licensing;

import dev.licensegateway.infra.UtcClock;
import dev.licensegateway.licensing.LicenseContext.MachineState;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * The licensing core: activate, validate, heartbeat, deactivate and status, each deciding
 * one {@link Outcome} in the order of docs/dialects.md, for every dialect.
 */
public final class LicenseService {

  private final LicenseRepository store;
  private final ValidationQuota quota;
  private final Clock clock;

  public LicenseService(LicenseRepository store, ValidationQuota quota, Clock clock) {
    this.store = store;
    this.quota = quota;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  public Future<LicenseResult> validate(LicenseQuery query) {
    Instant now = now();
    return store.context(query, now).compose(ctx -> countValidation(ctx, now).compose(withinQuota -> {
      if (!withinQuota) {
        return Future.succeededFuture(LicenseResult.of(Outcome.QUOTA_EXHAUSTED, ctx, now));
      }
      Outcome gate = admission(ctx, query, now);
      if (gate != null) {
        return Future.succeededFuture(LicenseResult.of(gate, ctx, now));
      }
      Future<Boolean> ipRegistered = ctx.mustRegister(query.ip())
          ? store.registerIp(ctx.licenseId(), query.ip(), ctx.maxIps())
          : Future.succeededFuture(true);
      return ipRegistered.map(registered -> {
        if (!registered) {
          return LicenseResult.of(Outcome.IP_LIMIT_REACHED, ctx, now);
        }
        // A query that names no machine validates the license alone (/v1 without a
        // fingerprint, /api/v1/validate).
        Outcome machine = query.machineId() == null ? null : switch (ctx.machineState(now)) {
          case ABSENT, RELEASED -> Outcome.MACHINE_NOT_ACTIVATED;
          case OVERDUE -> Outcome.HEARTBEAT_OVERDUE;
          case ACTIVE -> null;
        };
        if (machine != null) {
          return LicenseResult.of(machine, ctx, now);
        }
        if (!Set.copyOf(ctx.entitlements()).containsAll(query.entitlements())) {
          return LicenseResult.of(Outcome.ENTITLEMENTS_MISSING, ctx, now);
        }
        return LicenseResult.of(Outcome.VALID, ctx, now);
      });
    }));
  }

  /**
   * A validation of the license alone, without its machine: existence, quota, account,
   * product, license state and the device and IP rules. Logins start with it.
   */
  public Future<LicenseResult> admit(LicenseQuery query) {
    Instant now = now();
    return store.context(query, now).compose(ctx -> countValidation(ctx, now).map(withinQuota -> {
      if (!withinQuota) {
        return LicenseResult.of(Outcome.QUOTA_EXHAUSTED, ctx, now);
      }
      Outcome gate = admission(ctx, query, now);
      return LicenseResult.of(gate == null ? Outcome.VALID : gate, ctx, now);
    }));
  }

  /**
   * docs/rate-limits.md: every validation of a product with a daily limit counts, once its license is
   * known to belong to a product that is up; false when the day's quota is used.
   */
  private Future<Boolean> countValidation(LicenseContext ctx, Instant now) {
    if (ctx == null || ctx.dailyValidationLimit() == null || ownerOutcome(ctx) != null) {
      return Future.succeededFuture(true);
    }
    return quota.take(ctx.productId(), ctx.dailyValidationLimit(), UtcClock.day(now));
  }

  /**
   * Binds the machine. The license row is locked for the whole transaction, so concurrent
   * activations on any instance see each other's machines: the cap cannot be overrun.
   */
  public Future<LicenseResult> activate(LicenseQuery query) {
    Instant now = now();
    // An unlocked read first. It settles most activations without the lock: a refusal read a
    // moment ago is as true as one read under the lock (slots only free up, never appear
    // from nowhere), and an already-bound machine takes no slot. SDKs activate on every
    // start, and a crowd racing for the last slot should not queue on one row.
    return store.context(query, now).compose(ctx -> {
      Outcome gate = admission(ctx, query, now);
      if (gate != null) {
        return Future.succeededFuture(LicenseResult.of(gate, ctx, now));
      }
      if (ctx.mustRegister(query.ip())) {
        return activateLocked(query, now);
      }
      MachineState state = ctx.machineState(now);
      if (state == MachineState.ACTIVE || state == MachineState.OVERDUE) {
        return store.touchMachine(ctx.licenseId(), query, now).compose(touched -> touched
            ? Future.succeededFuture(LicenseResult.valid(ctx, now, ctx.machinesUsed(), now))
            : activateLocked(query, now)); // deactivated meanwhile: bind it under the lock
      }
      if (ctx.machinesUsed() >= ctx.maxMachines()) {
        return Future.succeededFuture(LicenseResult.of(Outcome.LIMIT_REACHED, ctx, now));
      }
      return activateLocked(query, now);
    });
  }

  private Future<LicenseResult> activateLocked(LicenseQuery query, Instant now) {
    return store.inLicenseLock(query, now, tx -> {
      LicenseContext ctx = tx.context();
      if (ctx == null) {
        return Future.succeededFuture(LicenseResult.of(Outcome.NOT_FOUND, null, now));
      }
      Outcome gate = admission(ctx, query, now);
      if (gate != null) {
        return Future.succeededFuture(LicenseResult.of(gate, ctx, now));
      }
      Future<Boolean> ipRegistered = ctx.mustRegister(query.ip())
          ? tx.registerIp(query.ip())
          : Future.succeededFuture(true);
      return ipRegistered.compose(registered -> {
        if (!registered) {
          return Future.succeededFuture(LicenseResult.of(Outcome.IP_LIMIT_REACHED, ctx, now));
        }
        MachineState state = ctx.machineState(now);
        if (state == MachineState.ACTIVE || state == MachineState.OVERDUE) {
          // docs/domain.md: activating an active machine again succeeds and takes no slot.
          return tx.touchMachine(query, now)
              .map(v -> LicenseResult.valid(ctx, now, ctx.machinesUsed(), now));
        }
        if (ctx.machinesUsed() >= ctx.maxMachines()) {
          return Future.succeededFuture(LicenseResult.of(Outcome.LIMIT_REACHED, ctx, now));
        }
        return tx.insertMachine(query, now)
            .map(v -> LicenseResult.valid(ctx, now, ctx.machinesUsed() + 1, now));
      });
    });
  }

  /**
   * Records a heartbeat. A machine that missed its interval is told so (overdue) and must
   * activate again, which revives it while it still holds its slot: every dialect agrees
   * (native 1711, /auth session_expired, /v1 HEARTBEAT_REQUIRED).
   */
  public Future<LicenseResult> heartbeat(LicenseQuery query) {
    Instant now = now();
    return store.context(query, now).compose(ctx -> {
      Outcome gate = admission(ctx, query, now);
      if (gate != null) {
        return Future.succeededFuture(LicenseResult.of(gate, ctx, now));
      }
      MachineState state = ctx.machineState(now);
      if (state == MachineState.ABSENT || state == MachineState.RELEASED) {
        return Future.succeededFuture(LicenseResult.of(Outcome.MACHINE_NOT_ACTIVATED, ctx, now));
      }
      if (state == MachineState.OVERDUE) {
        return Future.succeededFuture(LicenseResult.of(Outcome.HEARTBEAT_OVERDUE, ctx, now));
      }
      return store.recordHeartbeat(ctx.licenseId(), query.machineId(), now)
          .map(updated -> updated
              ? LicenseResult.valid(ctx, now, ctx.machinesUsed(), now)
              : LicenseResult.of(Outcome.MACHINE_NOT_ACTIVATED, ctx, now));
    });
  }

  /**
   * Frees the machine's slot. Only existence, account and product gate it: a suspended or
   * expired license may still hand back its machines.
   */
  public Future<LicenseResult> deactivate(LicenseQuery query) {
    Instant now = now();
    return store.context(query, now).compose(ctx -> {
      if (ctx == null) {
        return Future.succeededFuture(LicenseResult.of(Outcome.NOT_FOUND, null, now));
      }
      Outcome owner = ownerOutcome(ctx);
      if (owner != null) {
        return Future.succeededFuture(LicenseResult.of(owner, ctx, now));
      }
      return store.deleteMachine(ctx.licenseId(), query.machineId()).map(deleted -> deleted
          ? new LicenseResult(Outcome.VALID, ctx, now, Math.max(0, ctx.machinesUsed() - 1), null)
          : LicenseResult.of(Outcome.MACHINE_NOT_ACTIVATED, ctx, now));
    });
  }

  /** docs/native-protocol.md: every existing license answers, whatever its state. */
  public Future<LicenseResult> status(LicenseQuery query) {
    Instant now = now();
    return store.context(query, now).map(ctx -> ctx == null
        ? LicenseResult.of(Outcome.NOT_FOUND, null, now)
        : new LicenseResult(Outcome.VALID, ctx, now, ctx.machinesUsed(), null));
  }

  /**
   * The checks of docs/dialects.md from license existence up to the IP rules; null when all pass.
   * IP registration, machine, heartbeat and entitlements follow in each operation.
   */
  static Outcome admission(LicenseContext ctx, LicenseQuery query, Instant now) {
    if (ctx == null) {
      return Outcome.NOT_FOUND;
    }
    Outcome owner = ownerOutcome(ctx);
    if (owner != null) {
      return owner;
    }
    switch (ctx.status()) {
      case REVOKED -> {
        return Outcome.REVOKED;
      }
      case INACTIVE, SUSPENDED -> {
        return Outcome.SUSPENDED;
      }
      case ACTIVE -> { }
    }
    if (ctx.expired(now)) {
      return Outcome.EXPIRED;
    }
    if (query.machineId() != null) {
      if (ctx.hwidBlocked()) {
        return Outcome.HWID_BLOCKED;
      }
      if (ctx.hwidAllowListed() && !ctx.hwidAllowed()) {
        return Outcome.HWID_NOT_ALLOWED;
      }
    }
    if (query.ip() != null) {
      if (ctx.ipBlockedByProduct() || Boolean.TRUE.equals(ctx.licenseIpBlocked())) {
        return Outcome.IP_BLOCKED;
      }
      if (ctx.ipAllowListed() && !ctx.ipAllowedByProduct()) {
        return Outcome.IP_NOT_ALLOWED;
      }
      if (ctx.ipMode() == IpMode.ALLOWLIST && ctx.licenseIpBlocked() == null) {
        return Outcome.IP_NOT_ALLOWED;
      }
      if (ctx.mustRegister(query.ip()) && ctx.ipsRegistered() >= ctx.maxIps()) {
        return Outcome.IP_LIMIT_REACHED;
      }
    }
    return null;
  }

  private static Outcome ownerOutcome(LicenseContext ctx) {
    return switch (ctx.accountStatus()) {
      case SUSPENDED -> Outcome.ACCOUNT_SUSPENDED;
      case BILLING_SUSPENDED -> Outcome.ACCOUNT_BILLING_SUSPENDED;
      case ACTIVE -> switch (ctx.productStatus()) {
        case ARCHIVED -> Outcome.PRODUCT_ARCHIVED;
        case DISABLED -> Outcome.PRODUCT_DISABLED;
        case ACTIVE -> null;
      };
    };
  }
}
