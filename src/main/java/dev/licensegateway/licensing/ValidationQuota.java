package dev.licensegateway.licensing;

import io.vertx.core.Future;
import java.time.LocalDate;
import java.util.UUID;

/** docs/rate-limits.md: a product's daily validation count, shared by every instance; the port the gate implements. */
public interface ValidationQuota {

  /** Counts one validation on {@code day} (UTC); true while the day's count is within {@code limit}. */
  Future<Boolean> take(UUID productId, int limit, LocalDate day);

  /**
   * The validations counted for the product on {@code day} so far, refused ones past the limit
   * included (0 when none). Only products with a limit are counted.
   */
  Future<Long> counted(UUID productId, LocalDate day);
}
