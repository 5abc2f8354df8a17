package dev.licensegateway.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.licensing.AccountStatus;
import dev.licensegateway.licensing.IpMode;
import dev.licensegateway.licensing.LicenseSnapshot;
import dev.licensegateway.licensing.LicenseStatus;
import dev.licensegateway.licensing.ProductStatus;
import dev.licensegateway.store.SnapshotCache.Change;
import dev.licensegateway.store.SnapshotCache.Target;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The read model keeps a snapshot only when no change that concerns it was announced while it was read. */
class SnapshotCacheTest {

  private static LicenseSnapshot snapshot(String key) {
    return new LicenseSnapshot(UUID.randomUUID(), key, LicenseStatus.ACTIVE, null, "live", 1, List.of(),
        UUID.randomUUID(), null, null, IpMode.OPEN, UUID.randomUUID(), ProductStatus.ACTIVE, null, UUID.randomUUID(),
        AccountStatus.ACTIVE, false, Map.of(), Set.of(), null, List.of(), null, Map.of());
  }

  private static SnapshotCache liveCache() {
    SnapshotCache cache = new SnapshotCache(100, 60);
    cache.goLive();
    return cache;
  }

  @Test
  void aSnapshotReadWithoutAConcerningChangeIsKeptAndServed() {
    SnapshotCache cache = liveCache();
    LicenseSnapshot s = snapshot("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA");
    long mark = cache.mark();
    cache.changed(new Change(Target.LICENSE, UUID.randomUUID().toString()));
    cache.changed(new Change(Target.PRODUCT, UUID.randomUUID().toString()));
    cache.keep(s, mark);
    assertSame(s, cache.get(s.key()));
  }

  @Test
  void aChangeAnnouncedWhileTheSnapshotWasReadKeepsItOut() {
    for (Target target : Target.values()) {
      if (target == Target.API_KEY) {
        continue; // concerns no license: below
      }
      SnapshotCache cache = liveCache();
      LicenseSnapshot s = snapshot("BBBBB-BBBBB-BBBBB-BBBBB-BBBBB");
      long mark = cache.mark();
      String id = switch (target) {
        case KEY -> s.key();
        case LICENSE -> s.licenseId().toString();
        case POLICY -> s.policyId().toString();
        case PRODUCT -> s.productId().toString();
        case ACCOUNT -> s.accountId().toString();
        case API_KEY, ALL -> "";
      };
      cache.changed(new Change(target, id));
      cache.keep(s, mark);
      assertNull(cache.get(s.key()), target + " announced during the read");
    }
  }

  @Test
  void anApiKeyChangeDropsNoLicense() {
    SnapshotCache cache = liveCache();
    LicenseSnapshot s = snapshot("DDDDD-DDDDD-DDDDD-DDDDD-DDDDD");
    long mark = cache.mark();
    cache.changed(new Change(Target.API_KEY, UUID.randomUUID().toString()));
    cache.keep(s, mark);
    assertSame(s, cache.get(s.key()));
    cache.changed(new Change(Target.API_KEY, UUID.randomUUID().toString()));
    assertSame(s, cache.get(s.key()));
  }

  @Test
  void aChangeAfterKeepingDropsTheSnapshot() {
    for (Target target : List.of(Target.KEY, Target.LICENSE, Target.POLICY, Target.PRODUCT, Target.ACCOUNT)) {
      SnapshotCache cache = liveCache();
      LicenseSnapshot s = snapshot("CCCCC-CCCCC-CCCCC-CCCCC-CCCCC");
      cache.keep(s, cache.mark());
      assertSame(s, cache.get(s.key()));
      cache.changed(new Change(target, switch (target) {
        case KEY -> s.key();
        case LICENSE -> s.licenseId().toString();
        case POLICY -> s.policyId().toString();
        case PRODUCT -> s.productId().toString();
        default -> s.accountId().toString();
      }));
      assertNull(cache.get(s.key()), target.name());
    }
  }

  @Test
  void tooManyChangesDuringAReadOrADarkChannelKeepNothing() {
    SnapshotCache cache = liveCache();
    LicenseSnapshot s = snapshot("DDDDD-DDDDD-DDDDD-DDDDD-DDDDD");
    long mark = cache.mark();
    for (int i = 0; i < 5_000; i++) {
      cache.changed(new Change(Target.LICENSE, UUID.randomUUID().toString()));
    }
    cache.keep(s, mark);
    assertNull(cache.get(s.key()), "the log overflowed: the read cannot be proven fresh");

    cache.keep(s, cache.mark());
    assertSame(s, cache.get(s.key()));
    cache.goDark();
    assertFalse(cache.live());
    assertNull(cache.get(s.key()), "a dark read model serves nothing");
    cache.keep(s, cache.mark());
    assertNull(cache.get(s.key()), "a dark read model keeps nothing");
    cache.goLive();
    assertTrue(cache.live());
    assertNull(cache.get(s.key()), "what was held before the channel was lost is forgotten");
  }

  @Test
  void aCacheOfSizeZeroNeverServes() {
    SnapshotCache cache = new SnapshotCache(0, 60);
    cache.goLive();
    LicenseSnapshot s = snapshot("EEEEE-EEEEE-EEEEE-EEEEE-EEEEE");
    cache.keep(s, cache.mark());
    assertNull(cache.get(s.key()));
  }
}
