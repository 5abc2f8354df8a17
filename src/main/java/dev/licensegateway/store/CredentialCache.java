package dev.licensegateway.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.licensegateway.store.SnapshotCache.Target;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Credentials kept in memory beside the license read model (API keys by digest; products by
 * product-key digest or app id), so that a warm {@code /v1} or {@code /api/v1/validate} reads
 * no Postgres. It serves only while the read model does, that is while the invalidation
 * channel is live, and forgets every entry when a change of its kind is announced (credentials
 * change seldom, so all of them go), when the channel is lost or back, and after the safety TTL.
 *
 * <p>Only credentials found are kept: a key created a moment ago on another instance is looked
 * up in Postgres, never refused from memory. A lookup that began before a change was announced
 * is not kept, so a read that straddles a revocation cannot bring the revoked key back.
 */
public final class CredentialCache<V> {

  private final SnapshotCache model;
  private final Cache<String, V> entries;
  private final boolean enabled;
  private final AtomicLong generation = new AtomicLong();

  /** {@code forgetOn}: the announcements that concern these credentials (an ALL always does). */
  public CredentialCache(SnapshotCache model, int maxEntries, int ttlSeconds, Target forgetOn) {
    this.model = model;
    this.enabled = maxEntries > 0;
    this.entries = Caffeine.newBuilder()
        .maximumSize(Math.max(1, maxEntries))
        .expireAfterWrite(Duration.ofSeconds(Math.max(1, ttlSeconds)))
        .executor(Runnable::run)
        .build();
    model.follow(change -> {
      if (change.target() == forgetOn || change.target() == Target.ALL) {
        forgetAll();
      }
    });
  }

  /** The kept value for {@code key}, else what {@code lookup} finds (kept when not null). */
  public Future<V> get(String key, Supplier<Future<V>> lookup) {
    V kept = enabled && model.live() ? entries.getIfPresent(key) : null;
    if (kept != null) {
      return Future.succeededFuture(kept);
    }
    long mark = generation.get();
    return lookup.get().onSuccess(found -> keep(key, found, mark));
  }

  private void keep(String key, V found, long mark) {
    if (found == null || !enabled || !model.live() || generation.get() != mark) {
      return;
    }
    entries.put(key, found);
    // Forgotten between the check and the put: drop it again rather than serve it.
    if (generation.get() != mark) {
      entries.invalidate(key);
    }
  }

  private void forgetAll() {
    generation.incrementAndGet();
    entries.invalidateAll();
  }
}
