package dev.licensegateway.gate;

/**
 * One bucket's state as a response reports it (docs/native-protocol.md: {@code X-RateLimit-Limit},
 * {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset}), and how long to wait when empty.
 */
public record RateLimit(String kind, int limit, long remaining, long resetEpochSeconds, long retryAfterSeconds) {

  /** A bucket's capacity and continuous refill rate. */
  public record Limit(int capacity, double refillPerSecond) {}

  /** One bucket a request takes a token from: its kind (for metrics), Redis key and limit. */
  public record Bucket(String kind, String key, Limit limit) {
    /** docs/rate-limits.md's per-client-IP bucket; a request whose peer is unknown shares one bucket. */
    public static Bucket clientIp(String ip, Limit limit) {
      return of("ip", ip == null ? "unknown" : ip, limit);
    }

    public static Bucket of(String kind, String id, Limit limit) {
      // The hash tag pins each bucket to one slot on Redis Cluster.
      return new Bucket(kind, "lgw:{rl:" + kind + ":" + id + "}", limit);
    }
  }

  /** What to report when Redis could not be asked: the configured limit, nothing taken. */
  public static RateLimit unknown(Bucket bucket, long nowSeconds) {
    return new RateLimit(bucket.kind(), bucket.limit().capacity(), bucket.limit().capacity(), nowSeconds, 0);
  }
}
