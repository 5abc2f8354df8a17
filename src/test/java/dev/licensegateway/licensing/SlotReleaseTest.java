package dev.licensegateway.licensing;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/domain.md slot release at its boundary, on a gateway whose clock the test sets: with a
 * heartbeat interval of 60 s a machine is overdue after 90 s of silence and gives its slot up
 * once overdue by more than twice the interval, i.e. silent for more than 210 s.
 */
class SlotReleaseTest {

  private static final int INTERVAL_S = 60;

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
  void aMachineSilentFor211SecondsHasFreedItsSlot() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1).heartbeatIntervalS(INTERVAL_S));
    String silent = Fixtures.randomMachineId();
    String other = Fixtures.randomMachineId();
    Instant start = CLOCK.instant().plusSeconds(1_000);

    CLOCK.set(start);
    assertEquals(200, call("activate", license, silent).statusCode());

    CLOCK.set(start.plusSeconds(211));
    HttpResponse<Buffer> activated = call("activate", license, other);
    assertEquals(200, activated.statusCode(), activated.bodyAsString());
    assertEquals(1, activated.bodyAsJsonObject().getJsonObject("data").getInteger("machines_used"));
    NativeWire.assertError(call("validate", license, silent), 1709);
    assertEquals(200, call("validate", license, other).statusCode());
    assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ?", license.id()));
  }

  @Test
  void aMachineSilentFor209Or210SecondsStillHoldsItsSlot() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().maxMachines(1).heartbeatIntervalS(INTERVAL_S));
    String silent = Fixtures.randomMachineId();
    String other = Fixtures.randomMachineId();
    Instant start = CLOCK.instant().plusSeconds(1_000);

    CLOCK.set(start);
    assertEquals(200, call("activate", license, silent).statusCode());

    for (int silence : new int[] {209, 210}) {
      CLOCK.set(start.plusSeconds(silence));
      NativeWire.assertError(call("activate", license, other), 1705);
      // Overdue (silent > 90 s) but still bound: 1711, not 1709.
      NativeWire.assertError(call("validate", license, silent), 1711);
    }
    assertEquals(1, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND machine_id = ?",
        license.id(), silent));
    assertEquals(0, Fixtures.count("SELECT count(*) FROM machines WHERE license_id = ? AND machine_id = ?",
        license.id(), other));
  }

  private static HttpResponse<Buffer> call(String action, Fixtures.License license, String machine) throws Exception {
    return client.call(action, new JsonObject().put("license_key", license.key()).put("machine_id", machine))
        .await(30, TimeUnit.SECONDS);
  }
}
