package dev.licensegateway.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.licensegateway.licensing.LicenseSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The in-process read model: license snapshots by key, so that a warm validate reads no
 * Postgres. It serves only while the invalidation channel is live ({@link Invalidations});
 * every change to a license, its machines and IPs, its policy, product, rules or account is
 * announced there and drops what it touched, on every instance.
 *
 * <p>A snapshot read from Postgres is kept only when no change that concerns it was
 * announced while it was being read: every announcement is logged with a sequence number,
 * and {@link #keep} looks at those after the read began. Otherwise a read that started
 * before a change and finished after its announcement would keep the old state.
 */
public final class SnapshotCache {

  /**
   * What an announcement names: a license by key, or a license, policy, product, account or
   * API key by id; ALL for everything. API keys concern no snapshot, only {@link CredentialCache}.
   */
  public enum Target { KEY, LICENSE, POLICY, PRODUCT, ACCOUNT, API_KEY, ALL }

  /** One announced change. */
  public record Change(Target target, String id) {
    boolean concerns(LicenseSnapshot s) {
      return switch (target) {
        case KEY -> s.key().equals(id);
        case LICENSE -> s.licenseId().toString().equals(id);
        case POLICY -> s.policyId().toString().equals(id);
        case PRODUCT -> s.productId().toString().equals(id);
        case ACCOUNT -> s.accountId().toString().equals(id);
        case API_KEY -> false;
        case ALL -> true;
      };
    }
  }

  private record Logged(long seq, Change change) {}

  private static final int LOG_SIZE = 4096;

  private final Cache<String, LicenseSnapshot> byKey;
  private final ConcurrentHashMap<UUID, String> keyById = new ConcurrentHashMap<>();
  private final List<Consumer<Change>> followers = new CopyOnWriteArrayList<>();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicReferenceArray<Logged> log = new AtomicReferenceArray<>(LOG_SIZE);
  private final boolean enabled;
  private volatile boolean live;

  public SnapshotCache(int maxLicenses, int ttlSeconds) {
    this.enabled = maxLicenses > 0;
    this.byKey = Caffeine.newBuilder()
        .maximumSize(Math.max(1, maxLicenses))
        .expireAfterWrite(Duration.ofSeconds(Math.max(1, ttlSeconds)))
        // Maintenance on the calling thread: the index never outlives its entry for long.
        .executor(Runnable::run)
        .removalListener((String key, LicenseSnapshot s, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
          if (s != null) {
            keyById.remove(s.licenseId(), key);
          }
        })
        .build();
  }

  /** A kept snapshot, or null: on a miss, and always while the channel is not live. */
  public LicenseSnapshot get(String key) {
    return live ? byKey.getIfPresent(key) : null;
  }

  /** Where the log stands; take it before reading a snapshot and hand it to {@link #keep}. */
  public long mark() {
    return seq.get();
  }

  /** Keeps a snapshot read since {@code mark}, unless a change announced since then concerns it. */
  public void keep(LicenseSnapshot snapshot, long mark) {
    if (!enabled || !live || changedSince(mark, snapshot)) {
      return;
    }
    byKey.put(snapshot.key(), snapshot);
    keyById.put(snapshot.licenseId(), snapshot.key());
    // A change announced between the check and the put: drop it again rather than serve it.
    if (changedSince(mark, snapshot)) {
      byKey.invalidate(snapshot.key());
    }
  }

  /** An announced change, from any instance: logged, then everything it concerns is dropped. */
  public void changed(Change change) {
    long n = seq.incrementAndGet();
    log.set((int) (n % LOG_SIZE), new Logged(n, change));
    switch (change.target()) {
      case KEY -> byKey.invalidate(change.id());
      case LICENSE -> {
        String key = keyById.get(UUID.fromString(change.id()));
        if (key != null) {
          byKey.invalidate(key);
        }
      }
      case ALL -> byKey.invalidateAll();
      case API_KEY -> { }
      default -> byKey.asMap().values().removeIf(change::concerns);
    }
    followers.forEach(f -> f.accept(change));
  }

  /** Memory kept beside this one ({@link CredentialCache}) hears every change, and serves only while {@link #live}. */
  void follow(Consumer<Change> follower) {
    followers.add(follower);
  }

  /** A change this instance made: dropped at once, before its own announcement comes back. */
  public void changedLicense(UUID licenseId) {
    changed(new Change(Target.LICENSE, licenseId.toString()));
  }

  /** The channel is listening again: whatever was missed meanwhile is forgotten, then the cache serves. */
  public void goLive() {
    changed(new Change(Target.ALL, ""));
    live = enabled;
  }

  /** The channel is lost: serve nothing until it is back, so that no missed change is served. */
  public void goDark() {
    live = false;
    changed(new Change(Target.ALL, ""));
  }

  public boolean live() {
    return live;
  }

  public long size() {
    return byKey.estimatedSize();
  }

  private boolean changedSince(long mark, LicenseSnapshot snapshot) {
    long now = seq.get();
    if (now - mark >= LOG_SIZE) {
      return true;
    }
    for (long n = mark + 1; n <= now; n++) {
      Logged entry = log.get((int) (n % LOG_SIZE));
      // Not written yet, or already overwritten: assume it concerns us.
      if (entry == null || entry.seq() != n || entry.change().concerns(snapshot)) {
        return true;
      }
    }
    return false;
  }
}
