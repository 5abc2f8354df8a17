package dev.licensegateway.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.Gateway;
import dev.licensegateway.client.GatewayUnavailableException;
import dev.licensegateway.client.HeartbeatFailure;
import dev.licensegateway.client.HeartbeatListener;
import dev.licensegateway.client.Heartbeats;
import dev.licensegateway.client.LicenseClient;
import dev.licensegateway.client.LicenseResult;
import dev.licensegateway.client.LicenseRevokedException;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestGateway;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The heartbeat helper against a real gateway: it beats on the license's schedule and says why it stops. */
class SdkHeartbeatTest {

  private static Gateway gateway;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    gateway = TestGateway.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    TestGateway.stop(gateway);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Collects what the helper reports, for the test to wait on. */
  private static final class Recorder implements HeartbeatListener {
    final BlockingQueue<LicenseResult> beats = new LinkedBlockingQueue<>();
    final BlockingQueue<HeartbeatFailure> failures = new LinkedBlockingQueue<>();

    @Override
    public void onFailure(HeartbeatFailure failure) {
      failures.add(failure);
    }

    @Override
    public void onSuccess(LicenseResult result) {
      beats.add(result);
    }

    /** The next failure of this reason, skipping others (a slow machine may miss an interval first). */
    HeartbeatFailure next(HeartbeatFailure.Reason reason) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < end) {
        HeartbeatFailure f = failures.poll(1, TimeUnit.SECONDS);
        if (f != null && f.reason() == reason) {
          return f;
        }
      }
      throw new AssertionError("no " + reason + " reported within 60 s");
    }
  }

  private static LicenseClient client(String baseUrl) {
    return LicenseClient.builder().baseUrl(baseUrl).apiSecret(TestGateway.SECRET)
        .backoff(Duration.ofMillis(100), Duration.ofMillis(500)).maxAttempts(2).deadline(Duration.ofSeconds(30))
        .build();
  }

  @Test
  void beatsOnTheScheduleAndReportsRevokedWhenTheLicenseIsRevoked() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(4));
    String machine = Fixtures.randomMachineId();
    Recorder recorder = new Recorder();
    try (LicenseClient client = client("http://127.0.0.1:" + gateway.port())) {
      client.activate(license.key(), machine);
      Heartbeats heartbeats = client.startHeartbeats(license.key(), machine, recorder);
      LicenseResult first = recorder.beats.poll(60, TimeUnit.SECONDS);
      assertNotNull(first, "no heartbeat within 60 s");
      LicenseResult second = recorder.beats.poll(60, TimeUnit.SECONDS);
      assertNotNull(second, "no second heartbeat: the helper does not follow heartbeat_due_at");
      assertTrue(second.issuedAt().isAfter(first.issuedAt()));

      Fixtures.exec("UPDATE licenses SET status = 'revoked' WHERE id = ?", license.id());
      HeartbeatFailure revoked = recorder.next(HeartbeatFailure.Reason.REVOKED);
      assertEquals("revoked", revoked.reason().wireName());
      assertTrue(revoked.stopped());
      assertInstanceOf(LicenseRevokedException.class, revoked.cause());
      assertFalse(heartbeats.running());
    }
  }

  @Test
  void anUnreachableGatewayIsReportedAsHeartbeatFailedAndBeatsGoOn() throws Exception {
    Fixtures.License license = Fixtures.license(Fixtures.spec().heartbeatIntervalS(4));
    String machine = Fixtures.randomMachineId();
    Recorder recorder = new Recorder();
    try (TamperingProxy proxy = new TamperingProxy(vertx, gateway.port());
         LicenseClient client = client(proxy.baseUrl())) {
      client.activate(license.key(), machine);
      Heartbeats heartbeats = client.startHeartbeats(license.key(), machine, recorder);
      assertNotNull(recorder.beats.poll(60, TimeUnit.SECONDS), "no heartbeat within 60 s");
      proxy.goDown();
      HeartbeatFailure failed = recorder.next(HeartbeatFailure.Reason.HEARTBEAT_FAILED);
      assertEquals("heartbeat_failed", failed.reason().wireName());
      assertFalse(failed.stopped());
      assertInstanceOf(GatewayUnavailableException.class, failed.cause());
      assertNotNull(failed.dueAt());
      assertTrue(heartbeats.running(), "a transient failure does not end the heartbeats");
      heartbeats.close();
      assertFalse(heartbeats.running());
    }
  }
}
