package dev.licensegateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.store.SnapshotCache.Change;
import dev.licensegateway.store.SnapshotCache.Target;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Credentials in memory: served only while the read model is live, only what was found, and
 * never a lookup that straddled a change of their kind.
 */
class CredentialCacheTest {

  private final AtomicInteger lookups = new AtomicInteger();

  private Future<String> lookup(String found) {
    lookups.incrementAndGet();
    return Future.succeededFuture(found);
  }

  private static SnapshotCache liveModel() {
    SnapshotCache model = new SnapshotCache(100, 60);
    model.goLive();
    return model;
  }

  private String get(CredentialCache<String> cache, String key, String found) {
    return cache.get(key, () -> lookup(found)).result();
  }

  @Test
  void aFoundCredentialIsServedFromMemoryUntilAChangeOfItsKind() {
    SnapshotCache model = liveModel();
    CredentialCache<String> cache = new CredentialCache<>(model, 10, 60, Target.API_KEY);
    assertEquals("caller", get(cache, "k", "caller"));
    assertEquals("caller", get(cache, "k", "other"));
    assertEquals(1, lookups.get(), "the second lookup was served from memory");

    model.changed(new Change(Target.PRODUCT, "p"));
    model.changed(new Change(Target.LICENSE, java.util.UUID.randomUUID().toString()));
    assertEquals("caller", get(cache, "k", "other"), "a change of another kind keeps it");
    model.changed(new Change(Target.API_KEY, "any key"));
    assertEquals("revoked", get(cache, "k", "revoked"), "a change of its kind forgets it");
    assertEquals(2, lookups.get());
  }

  @Test
  void aCredentialNotFoundIsAskedForEveryTime() {
    CredentialCache<String> cache = new CredentialCache<>(liveModel(), 10, 60, Target.API_KEY);
    assertEquals(null, get(cache, "new", null));
    assertEquals("created", get(cache, "new", "created"));
    assertEquals(2, lookups.get());
  }

  @Test
  void nothingIsServedOrKeptWhileTheChannelIsDark() {
    SnapshotCache model = liveModel();
    CredentialCache<String> cache = new CredentialCache<>(model, 10, 60, Target.PRODUCT);
    get(cache, "k", "v1");
    model.goDark();
    assertEquals("v2", get(cache, "k", "v2"));
    assertEquals("v3", get(cache, "k", "v3"));
    model.goLive();
    assertEquals("v4", get(cache, "k", "v4"), "what was missed while dark is forgotten");
    assertEquals("v4", get(cache, "k", "v5"));
    assertEquals(4, lookups.get());
  }

  @Test
  void aLookupThatStraddlesAChangeIsNotKept() {
    SnapshotCache model = liveModel();
    CredentialCache<String> cache = new CredentialCache<>(model, 10, 60, Target.API_KEY);
    Promise<String> slow = Promise.promise();
    Future<String> answered = cache.get("k", () -> slow.future());
    model.changed(new Change(Target.API_KEY, "revoked meanwhile"));
    slow.complete("read before the revocation");
    assertEquals("read before the revocation", answered.result());
    assertEquals("fresh", get(cache, "k", "fresh"), "the straddling read was not kept");
  }

  @Test
  void sizeZeroKeepsNothing() {
    CredentialCache<String> cache = new CredentialCache<>(liveModel(), 0, 60, Target.API_KEY);
    get(cache, "k", "a");
    assertEquals("b", get(cache, "k", "b"));
  }
}
