package dev.licensegateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The License Gateway client: signs every native request with a fresh nonce, verifies every
 * answer (signature with the key its {@code kid} names, echo of {@code nonce},
 * {@code license_key} and {@code machine_id}), retries only what is retryable within a
 * deadline, and answers {@code validate} from the last verified validation while the gateway
 * is unreachable, within the offline grace.
 *
 * <pre>{@code
 * LicenseClient client = LicenseClient.builder()
 *     .baseUrl("https://licenses.example.com")
 *     .apiSecret(System.getenv("LICENSE_API_SECRET"))
 *     .build();
 * LicenseResult r = client.validate(licenseKey, machineId);
 * }</pre>
 *
 * <p>Thread-safe: share one client across the application. Close it to stop heartbeats.
 */
public final class LicenseClient implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LicenseClient.class.getName());
  private static final String KEYS_PATH = "/api/v1/keys";

  private final URI baseUrl;
  private final RequestSigner signer;
  private final HttpClient http;
  private final Clock clock;
  private final Duration requestTimeout;
  private final Duration deadline;
  private final int maxAttempts;
  private final Duration backoffBase;
  private final Duration backoffMax;
  private final TrustedKeys pinnedKeys;
  private volatile TrustedKeys fetchedKeys;
  private final Object keysLock = new Object();
  private final OfflineCache cache;
  private final Object schedulerLock = new Object();
  private ScheduledExecutorService scheduler;
  private volatile boolean closed;

  private LicenseClient(Builder b) {
    this.baseUrl = b.baseUrl;
    this.signer = new RequestSigner(b.apiSecret);
    this.clock = b.clock;
    this.requestTimeout = b.requestTimeout;
    this.deadline = b.deadline;
    this.maxAttempts = b.maxAttempts;
    this.backoffBase = b.backoffBase;
    this.backoffMax = b.backoffMax;
    this.pinnedKeys = b.trustedKeys;
    this.http = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
        .connectTimeout(b.connectTimeout)
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.cache = new OfflineCache(b.cacheFile, b.offlineGrace, b.rollbackTolerance);
    this.cache.load(pinnedKeys);
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- operations -------------------------------------------------------------------------

  /** Binds the machine to the license (idempotent per machine). */
  public LicenseResult activate(String licenseKey, String machineId) {
    return activate(licenseKey, machineId, null, null, null);
  }

  /** Binds the machine, naming it (each optional, up to 255 characters). */
  public LicenseResult activate(String licenseKey, String machineId, String name, String platform, String hostname) {
    Map<String, Object> body = body(licenseKey, machineId);
    putIfSet(body, "name", name);
    putIfSet(body, "platform", platform);
    putIfSet(body, "hostname", hostname);
    return refusalsEvict(LicenseResult.Operation.ACTIVATE, licenseKey, machineId, body);
  }

  /**
   * Validates the license on this machine. When the gateway cannot be reached (network error,
   * timeout, 5xx after the retries), returns the last verified validation with
   * {@link LicenseResult#fromCache()} true while it is within the offline grace; otherwise
   * raises. A refusal of the gateway raises and forgets the cached validation.
   */
  public LicenseResult validate(String licenseKey, String machineId) {
    return validate(licenseKey, machineId, null);
  }

  /** Validates and checks that every one of {@code entitlements} is granted (1712 otherwise). */
  public LicenseResult validate(String licenseKey, String machineId, List<String> entitlements) {
    Map<String, Object> body = body(licenseKey, machineId);
    if (entitlements != null && !entitlements.isEmpty()) {
      body.put("entitlements", List.copyOf(entitlements));
    }
    try {
      LicenseResult result = refusalsEvict(LicenseResult.Operation.VALIDATE, licenseKey, machineId, body);
      cache.put(result, this::jwksForFile);
      return result;
    } catch (GatewayUnavailableException unreachable) {
      OfflineCache.Grace grace = cache.lookup(licenseKey, normalizeMachine(machineId), entitlements, clock.instant());
      if (grace.result() != null) {
        LOG.log(Level.INFO, "gateway unreachable; answering from the offline grace");
        return grace.result();
      }
      throw new GatewayUnavailableException(unreachable.code(), unreachable.name(),
          unreachable.getMessage() + "; no offline grace: " + grace.whyNot(), unreachable.httpStatus(), unreachable);
    }
  }

  /** Records a heartbeat for the machine. */
  public LicenseResult heartbeat(String licenseKey, String machineId) {
    return refusalsEvict(LicenseResult.Operation.HEARTBEAT, licenseKey, machineId, body(licenseKey, machineId));
  }

  /** Frees the machine's slot. */
  public LicenseResult deactivate(String licenseKey, String machineId) {
    LicenseResult result = refusalsEvict(LicenseResult.Operation.DEACTIVATE, licenseKey, machineId,
        body(licenseKey, machineId));
    cache.evict(licenseKey, normalizeMachine(machineId), this::jwksForFile);
    return result;
  }

  /** The license's state; answers for every existing license whatever its state. */
  public LicenseResult status(String licenseKey) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("license_key", Objects.requireNonNull(licenseKey, "licenseKey"));
    return refusalsEvict(LicenseResult.Operation.STATUS, licenseKey, null, body);
  }

  /**
   * Heartbeats the machine on the license's schedule ({@code heartbeat_due_at}) until the
   * returned handle or this client is closed, telling {@code listener} of every failure.
   */
  public Heartbeats startHeartbeats(String licenseKey, String machineId, HeartbeatListener listener) {
    Heartbeats heartbeats = new Heartbeats(this, licenseKey, machineId, listener, scheduler(), clock);
    heartbeats.start();
    return heartbeats;
  }

  /** Stops every heartbeat this client runs. Calls in progress finish. */
  @Override
  public void close() {
    closed = true;
    synchronized (schedulerLock) {
      if (scheduler != null) {
        scheduler.shutdownNow();
      }
    }
  }

  private ScheduledExecutorService scheduler() {
    synchronized (schedulerLock) {
      if (closed) {
        throw new IllegalStateException("the client is closed");
      }
      if (scheduler == null) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "license-heartbeat");
          t.setDaemon(true);
          return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        scheduler = executor;
      }
      return scheduler;
    }
  }

  Duration backoff(int attempt) {
    long cap = Math.min(backoffMax.toMillis(), backoffBase.toMillis() << Math.min(attempt - 1, 20));
    // Equal jitter: half fixed, half random, so that clients that failed together spread out.
    return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
  }

  // ---- one call: sign, send, retry, verify --------------------------------------------------

  private static Map<String, Object> body(String licenseKey, String machineId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("license_key", Objects.requireNonNull(licenseKey, "licenseKey"));
    body.put("machine_id", normalizeMachine(Objects.requireNonNull(machineId, "machineId")));
    return body;
  }

  /** The gateway stores and echoes machine ids (hex SHA-256) in lowercase. */
  private static String normalizeMachine(String machineId) {
    return machineId == null ? null : machineId.toLowerCase(Locale.ROOT);
  }

  private static void putIfSet(Map<String, Object> body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  private LicenseResult refusalsEvict(LicenseResult.Operation op, String licenseKey, String machineId,
      Map<String, Object> body) {
    try {
      return call(op, licenseKey, normalizeMachine(machineId), body);
    } catch (LicenseRefusedException refused) {
      // A refusal is the gateway's word: the cached validation must not outlive it.
      cache.evict(licenseKey, normalizeMachine(machineId), this::jwksForFile);
      throw refused;
    }
  }

  private LicenseResult call(LicenseResult.Operation op, String licenseKey, String machineId,
      Map<String, Object> body) {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode the request", e);
    }
    URI uri = baseUrl.resolve(baseUrl.getRawPath().replaceAll("/+$", "") + op.path());
    long end = System.nanoTime() + deadline.toNanos();
    LicenseException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      if (remainingMs <= 0) {
        break;
      }
      String nonce = RequestSigner.newNonce(); // fresh for every attempt: the gateway refuses a replayed one
      long timestamp = clock.instant().getEpochSecond();
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(Duration.ofMillis(Math.min(requestTimeout.toMillis(), remainingMs)))
          .header("Content-Type", "application/json")
          .header("Accept", "application/json")
          .header(RequestSigner.TIMESTAMP_HEADER, Long.toString(timestamp))
          .header(RequestSigner.NONCE_HEADER, nonce)
          .header(RequestSigner.SIGNATURE_HEADER, signer.sign(timestamp, nonce, "POST", uri.getRawPath(), bytes))
          .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
          .build();
      HttpResponse<byte[]> response;
      try {
        response = send(request, Math.min(requestTimeout.toMillis(), remainingMs));
      } catch (GatewayUnavailableException e) {
        last = e;
        if (!pause(backoff(attempt).toMillis(), attempt, end)) {
          break;
        }
        continue;
      }
      if (response.statusCode() == 200) {
        return verify(op, response.body(), nonce, licenseKey, machineId);
      }
      LicenseException error = errorOf(response);
      last = error;
      ErrorCode known = error.errorCode();
      boolean retried = known != null ? known.retriedByClient()
          : error instanceof RateLimitException || error instanceof GatewayUnavailableException;
      if (!retried) {
        throw error;
      }
      long waitMs = backoff(attempt).toMillis();
      long retryAfter = retryAfterSeconds(response);
      if (retryAfter >= 0) {
        waitMs = Math.max(waitMs, TimeUnit.SECONDS.toMillis(retryAfter));
      }
      if (!pause(waitMs, attempt, end)) {
        throw error;
      }
    }
    if (last != null) {
      throw last;
    }
    throw GatewayUnavailableException.unreachable("no attempt fitted in the deadline of " + deadline, null);
  }

  /** Waits before the next attempt; false when there is no next attempt or the wait would pass the deadline. */
  private boolean pause(long waitMs, int attempt, long endNanos) {
    if (attempt >= maxAttempts || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs) >= endNanos) {
      return false;
    }
    try {
      Thread.sleep(waitMs);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** One exchange, bounded as a whole (headers and body) by {@code timeoutMs}. */
  private HttpResponse<byte[]> send(HttpRequest request, long timeoutMs) {
    CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    try {
      return future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw GatewayUnavailableException.unreachable("no answer from " + request.uri() + " within " + timeoutMs + " ms", e);
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw GatewayUnavailableException.unreachable("cannot reach " + request.uri() + ": "
          + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()), cause);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw GatewayUnavailableException.unreachable("interrupted while calling " + request.uri(), e);
    }
  }

  private static long retryAfterSeconds(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(v -> {
      try {
        return Math.max(0, Long.parseLong(v.trim()));
      } catch (NumberFormatException e) {
        return -1L;
      }
    }).orElse(-1L);
  }

  /** The native error body, or a plain one for an answer that is not the gateway's (a proxy's 502). */
  private static LicenseException errorOf(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    long retryAfter = retryAfterSeconds(response);
    JsonNode error = null;
    try {
      JsonNode root = Json.MAPPER.readTree(response.body());
      error = root == null ? null : root.get("error");
    } catch (IOException | RuntimeException ignored) {
      // not JSON: judged by its status below
    }
    if (error != null && error.path("code").isInt()) {
      List<LicenseException.FieldError> details = new ArrayList<>();
      error.path("details").forEach(d -> details.add(
          new LicenseException.FieldError(d.path("field").asText(), d.path("message").asText())));
      return ErrorCode.toException(status, error.path("code").intValue(), error.path("name").asText(""),
          error.path("message").asText(""), error.path("retryable").asBoolean(false), retryAfter, details);
    }
    String message = "HTTP " + status + " without a gateway error body";
    if (status == 429) {
      return new RateLimitException(0, "HTTP_429", message, status, retryAfter);
    }
    if (status == 502 || status == 503 || status == 504) {
      return new GatewayUnavailableException(0, "HTTP_" + status, message, status, null);
    }
    return new LicenseException(0, "HTTP_" + status, message, status >= 500, status);
  }

  /** The checks of every 200: a signed envelope, a verifying signature, the request echoed. */
  private LicenseResult verify(LicenseResult.Operation op, byte[] body, String nonce, String licenseKey,
      String machineId) {
    JsonNode envelope;
    try {
      envelope = Json.MAPPER.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw new SignatureMismatchException("the answer is not a signed envelope (not JSON)");
    }
    JsonNode data = envelope == null ? null : envelope.get("data");
    String signature = text(envelope, "signature");
    String alg = text(envelope, "alg");
    String kid = text(envelope, "kid");
    if (data == null || !data.isObject() || signature == null || alg == null || kid == null) {
      throw new SignatureMismatchException("the answer is not a signed envelope (data, signature, alg, kid)");
    }
    byte[] canonical;
    try {
      canonical = CanonicalJson.toBytes(data);
    } catch (IllegalArgumentException e) {
      throw new SignatureMismatchException("the signed data is not canonical: " + e.getMessage());
    }
    keysFor(kid).verify(kid, alg, canonical, signature);
    expectEcho(data, "nonce", nonce);
    expectEcho(data, "license_key", licenseKey);
    if (machineId != null) {
      expectEcho(data, "machine_id", machineId);
    }
    LicenseResult result = new LicenseResult(op, data, signature, alg, kid, false);
    cache.sawIssuedAt(result.issuedAt());
    return result;
  }

  private static void expectEcho(JsonNode data, String field, String sent) {
    String echoed = text(data, field);
    if (!sent.equals(echoed)) {
      throw new NonceMismatchException(field, "the answer's " + field + " is not the request's: "
          + "a replayed or misdirected answer");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  /**
   * The keys to verify {@code kid} with: the pinned ones, or the gateway's JWKS, fetched on
   * first use and once more when an answer names a kid it does not have (a rotation).
   */
  private TrustedKeys keysFor(String kid) {
    if (pinnedKeys != null) {
      return pinnedKeys;
    }
    TrustedKeys keys = fetchedKeys;
    if (keys != null && keys.get(kid) != null) {
      return keys;
    }
    synchronized (keysLock) {
      if (fetchedKeys != keys && fetchedKeys != null && fetchedKeys.get(kid) != null) {
        return fetchedKeys; // another thread refetched meanwhile
      }
      fetchedKeys = fetchJwks();
      return fetchedKeys;
    }
  }

  private TrustedKeys fetchJwks() {
    URI uri = baseUrl.resolve(baseUrl.getRawPath().replaceAll("/+$", "") + KEYS_PATH);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
        .header("Accept", "application/json").GET().build();
    HttpResponse<byte[]> response = send(request, requestTimeout.toMillis());
    if (response.statusCode() != 200) {
      throw new GatewayUnavailableException(0, "HTTP_" + response.statusCode(),
          "cannot fetch the gateway's keys: HTTP " + response.statusCode(), response.statusCode(), null);
    }
    try {
      return TrustedKeys.parse(new String(response.body(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new SignatureMismatchException("the gateway's JWKS is unusable: " + e.getMessage());
    }
  }

  private String jwksForFile() {
    TrustedKeys keys = pinnedKeys != null ? null : fetchedKeys;
    return keys == null ? null : keys.json();
  }

  @Override
  public String toString() {
    return "LicenseClient[" + baseUrl + ", keys " + (pinnedKeys != null ? "pinned" : "fetched") + "]";
  }

  // ---- configuration ------------------------------------------------------------------------

  /** Settings of a client; only {@link #baseUrl} and {@link #apiSecret} are required. */
  public static final class Builder {
    private URI baseUrl;
    private String apiSecret;
    private TrustedKeys trustedKeys;
    private Duration offlineGrace = Duration.ofHours(72);
    private Duration rollbackTolerance = Duration.ofMinutes(5);
    private Path cacheFile;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration deadline = Duration.ofSeconds(30);
    private int maxAttempts = 4;
    private Duration backoffBase = Duration.ofMillis(250);
    private Duration backoffMax = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();
    private HttpClient httpClient;

    private Builder() {}

    /** The gateway, such as {@code https://licenses.example.com}. */
    public Builder baseUrl(String baseUrl) {
      return baseUrl(URI.create(Objects.requireNonNull(baseUrl, "baseUrl")));
    }

    public Builder baseUrl(URI baseUrl) {
      String scheme = Objects.requireNonNull(baseUrl, "baseUrl").getScheme();
      if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException("baseUrl must be an http(s) URL");
      }
      this.baseUrl = baseUrl;
      return this;
    }

    /** The request-signing secret ({@code LICENSE_API_SECRET} of the gateway). */
    public Builder apiSecret(String apiSecret) {
      this.apiSecret = apiSecret;
      return this;
    }

    /**
     * Pins the gateway's public keys (its JWKS, {@code GET /api/v1/keys}). Pinned, the client
     * never fetches keys and refuses an answer signed by any other key. Without it, the JWKS
     * is fetched on first use and again when a new kid appears.
     */
    public Builder trustedKeys(String jwksJson) {
      this.trustedKeys = TrustedKeys.parse(Objects.requireNonNull(jwksJson, "jwksJson"));
      return this;
    }

    /** How long after its signed {@code issued_at} a cached validation stands in for an unreachable gateway (72 h; zero turns it off). */
    public Builder offlineGrace(Duration grace) {
      this.offlineGrace = nonNegative(grace, "offlineGrace");
      return this;
    }

    /**
     * Keeps the cached validations in this file too, so that the grace survives a restart.
     * Rewritten atomically; entries read back are verified again.
     */
    public Builder cacheFile(Path file) {
      this.cacheFile = file;
      return this;
    }

    /** How far the local clock may be behind the gateway's before it counts as rolled back (5 min, the gateway's own skew allowance). */
    public Builder rollbackTolerance(Duration tolerance) {
      this.rollbackTolerance = nonNegative(tolerance, "rollbackTolerance");
      return this;
    }

    /** TCP connect timeout (5 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Timeout of one attempt, answer included (10 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** Time for one call, retries and waits included (30 s). */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /** Attempts per call, the first included (4). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** Exponential backoff between attempts: {@code base × 2^n}, at most {@code max}, with jitter (250 ms, 5 s). */
    public Builder backoff(Duration base, Duration max) {
      this.backoffBase = positive(base, "backoff base");
      this.backoffMax = positive(max, "backoff max");
      return this;
    }

    /** The clock for request timestamps and the offline grace (the system's UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** An HTTP client of the vendor's (proxy, TLS settings). Its connect timeout is the vendor's to set. */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = httpClient;
      return this;
    }

    public LicenseClient build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required");
      }
      if (apiSecret == null || apiSecret.isEmpty()) {
        throw new IllegalStateException("apiSecret is required");
      }
      return new LicenseClient(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return d;
    }

    private static Duration nonNegative(Duration d, String what) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative");
      }
      return d;
    }

    @Override
    public String toString() {
      return "LicenseClient.Builder[" + baseUrl + ", secret hidden]";
    }
  }
}
