package dev.licensegateway.bench;

import dev.licensegateway.licensing.AccountStatus;
import dev.licensegateway.licensing.IpMode;
import dev.licensegateway.licensing.LicenseSnapshot;
import dev.licensegateway.licensing.LicenseStatus;
import dev.licensegateway.licensing.ProductStatus;
import dev.licensegateway.store.SnapshotCache;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code bench cache}: the heap the read model takes. Fills a real {@link SnapshotCache} with
 * snapshots shaped like those read from Postgres (their own UUIDs, key, entitlements and
 * machine ids) and compares the live heap, after full collections, before and after.
 */
final class CacheBench {

  private CacheBench() {}

  static void run(int licenses, int machinesEach) throws InterruptedException {
    SnapshotCache cache = new SnapshotCache(licenses, 3600);
    cache.goLive();
    UUID policy = UUID.randomUUID();
    UUID product = UUID.randomUUID();
    UUID account = UUID.randomUUID();
    long before = liveHeap();
    for (int i = 0; i < licenses; i++) {
      Map<String, Instant> machines = new HashMap<>();
      for (int m = 0; m < machinesEach; m++) {
        machines.put(hex64(), Instant.now());
      }
      // Shaped like an issued key (29 characters), distinct for each i.
      String key = String.format("%05X-%05X-CACHE-BENCH-KEYSS", i >>> 20, i & 0xFFFFF);
      cache.keep(new LicenseSnapshot(UUID.randomUUID(), key, LicenseStatus.ACTIVE,
          Instant.now().plusSeconds(86_400), "live", 5, List.of(new String("pro"), new String("export")),
          policy, 3600, null, IpMode.values()[0], product, ProductStatus.values()[0], null, account,
          AccountStatus.ACTIVE, false, machines, Set.of(), null, List.of(), null, Map.of()), cache.mark());
    }
    long after = liveHeap();
    double perLicense = (after - before) / (double) licenses;
    System.out.printf("read model: %,d licenses cached (of %,d), %d machine(s) each: %.1f MiB of heap, "
        + "%.0f bytes a license, %.1f MiB per 100,000%n", cache.size(), licenses, machinesEach,
        (after - before) / 1048576.0, perLicense, perLicense * 100_000 / 1048576.0);
  }

  private static String hex64() {
    return UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
  }

  private static long liveHeap() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
