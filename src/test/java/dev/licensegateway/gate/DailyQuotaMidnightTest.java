package dev.licensegateway.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.licensegateway.Gateway;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.NativeClient;
import dev.licensegateway.testing.NativeWire;
import dev.licensegateway.testing.TestClock;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/rate-limits.md: a product's daily validation limit counts per UTC day and starts again at
 * midnight UTC; a refusal's Retry-After is the whole seconds left until then. The gateway's
 * clock is set by the test, to the last minute of a day and then to the next day.
 */
class DailyQuotaMidnightTest {

  private static final TestClock CLOCK = TestClock.atNow();
  private static Gateway gateway;
  private static Vertx vertx;
  private static NativeClient client;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start(CLOCK, c -> c);
    vertx = Vertx.vertx();
    client = new NativeClient(vertx, gateway.port(), CLOCK);
  }

  @AfterAll
  static void stop() {
    client.close();
    vertx.close();
    TestGateway.stop(gateway);
  }

  @Test
  void theQuotaIsUsedUntilMidnightUtcAndAdmitsAgainOnTheNextDay() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().dailyLimit(2));
    String machine = Fixtures.randomMachineId();
    // Written out, not computed by the code under test: 23:59 and 23:59:59 of one UTC day, 00:00 of the next.
    LocalDate day = LocalDate.of(2031, 3, 14);
    Instant lastMinute = Instant.parse(day + "T23:59:00Z");
    Instant lastSecond = Instant.parse(day + "T23:59:59Z");
    Instant nextMidnight = Instant.parse(day.plusDays(1) + "T00:00:00Z");
    assertEquals(nextMidnight, day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));

    CLOCK.set(lastMinute);
    assertEquals(200, call("activate", license, machine).statusCode());
    assertEquals(200, call("validate", license, machine).statusCode());
    assertEquals(200, call("validate", license, machine).statusCode());
    HttpResponse<Buffer> minuteLeft = call("validate", license, machine);
    NativeWire.assertError(minuteLeft, 1716);
    assertEquals("60", minuteLeft.getHeader("Retry-After"));

    CLOCK.set(lastSecond);
    HttpResponse<Buffer> secondLeft = call("validate", license, machine);
    NativeWire.assertError(secondLeft, 1716);
    assertEquals("1", secondLeft.getHeader("Retry-After"));

    CLOCK.set(nextMidnight);
    assertEquals(200, call("validate", license, machine).statusCode(), "a new UTC day, a new quota");
    assertEquals(200, call("validate", license, machine).statusCode());
    HttpResponse<Buffer> usedAgain = call("validate", license, machine);
    NativeWire.assertError(usedAgain, 1716);
    assertEquals("86400", usedAgain.getHeader("Retry-After"));
  }

  private static HttpResponse<Buffer> call(String action, Fixtures.License license, String machine) throws Exception {
    return client.call(action, new JsonObject().put("license_key", license.key()).put("machine_id", machine))
        .await(30, TimeUnit.SECONDS);
  }
}
