package dev.licensegateway;

import dev.licensegateway.access.ApiKeyAuth;
import dev.licensegateway.config.GatewayConfig;
import dev.licensegateway.dialect.auth.AuthDialect;
import dev.licensegateway.dialect.keyport.KeyportDialect;
import dev.licensegateway.dialect.license.LicenseDialect;
import dev.licensegateway.dialect.nativeapi.NativeDialect;
import dev.licensegateway.dialect.v1.V1Dialect;
import dev.licensegateway.gate.DailyQuota;
import dev.licensegateway.gate.RedisGate;
import dev.licensegateway.gate.RedisLanes;
import dev.licensegateway.http.ClientIp;
import dev.licensegateway.http.ConnectionGuard;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Routes;
import dev.licensegateway.infra.Uris;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.licensing.ProductKeys;
import dev.licensegateway.licensing.SessionService;
import dev.licensegateway.licensing.ValidationQuota;
import dev.licensegateway.manage.ManageApi;
import dev.licensegateway.manage.ManageStore;
import dev.licensegateway.ops.GatewayMetrics;
import dev.licensegateway.ops.Health;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SigningAlg;
import dev.licensegateway.store.CredentialCache;
import dev.licensegateway.store.LicenseStore;
import dev.licensegateway.store.ProductStore;
import dev.licensegateway.store.Invalidations;
import dev.licensegateway.store.SessionStore;
import dev.licensegateway.store.SnapshotCache;
import dev.licensegateway.store.SnapshotCache.Target;
import dev.licensegateway.webhook.UrlGuard;
import dev.licensegateway.webhook.WebhookSecrets;
import dev.licensegateway.webhook.WebhookStore;
import dev.licensegateway.webhook.WebhookVerticle;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway: a Vert.x instance, its Postgres pool and Redis client, and one
 * {@link GatewayVerticle} per event loop. Several can run in one JVM (the tests race three).
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final long SESSION_PURGE_PERIOD_MS = 10 * 60 * 1000;
  /** The invalidation channel is proven live by a ping this often, answered within the timeout. */
  private static final long PING_EVERY_MS = 500;
  private static final long PING_TIMEOUT_MS = 1_000;
  /** API keys and products kept in memory, each: a deployment has far fewer; bounded all the same. */
  private static final int CREDENTIALS_KEPT = 10_000;

  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final Health health;
  private final GatewayConfig config;
  private final GatewayMetrics metrics;
  private final GatewayVerticle.Services services;
  private final Invalidations invalidations;
  private String deploymentId;
  private String webhookDeploymentId;

  private Gateway(Vertx vertx, Pool pool, Redis redis, Health health, GatewayConfig config, GatewayMetrics metrics,
      GatewayVerticle.Services services, Invalidations invalidations) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.health = health;
    this.config = config;
    this.metrics = metrics;
    this.services = services;
    this.invalidations = invalidations;
  }

  /**
   * Starts serving on {@code config.http().port()}. Migrations must already be applied
   * ({@code schemaVersion} is what readiness expects); the keys are loaded by the caller.
   */
  public static Future<Gateway> start(GatewayConfig config, KeyRing keys, String schemaVersion, Clock clock) {
    return start(config, keys, schemaVersion, clock, Startup.within(config.startup().timeoutSeconds()));
  }

  /**
   * As above, waiting for Postgres and Redis until {@code startup}'s deadline (docs/operations.md): a
   * dependency still unreachable then fails the start, with a message naming it.
   */
  public static Future<Gateway> start(GatewayConfig config, KeyRing keys, String schemaVersion, Clock clock,
      Startup startup) {
    SigningAlg alg = SigningAlg.fromWireName(config.signing().alg());
    KeyRing.ResponseSigner signer = keys.signer(alg).orElseThrow(() -> new IllegalStateException(
        "no " + alg.wireName() + " private key in " + config.signing().keysDir()
            + ": create one with `keys generate --alg " + alg.wireName() + "`"));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions()
            .setEventLoopPoolSize(cores)
            // The gateway times its own requests (lgw_requests, lgw_http_requests_active); Vert.x's
            // per-request HTTP meters cost a registry lookup per request and repeat them.
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
                .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();

    long pgTimeout = config.postgres().timeoutMs();
    PgConnectOptions connect = PgConnectOptions.fromUri(config.postgres().uri())
        .setCachePreparedStatements(true)
        // The license context query is longer than the default 2048-character limit, past
        // which a statement is parsed and planned anew on every execution.
        .setPreparedStatementCacheSqlLimit(16_384)
        .setPipeliningLimit(config.postgres().pipeliningLimit())
        // Every statement is a key or id lookup whose best plan does not depend on the
        // values. Postgres would otherwise re-plan the license context query (eight rule
        // subqueries) on every execution, which cost more than running it.
        .addProperty("plan_cache_mode", "force_generic_plan")
        // Read by the trigger that records account.credits_low (migration V7).
        .addProperty("lgw.webhook_credits_low", Long.toString(config.webhooks().creditsLow()));
    PoolOptions poolOptions = new PoolOptions()
        .setMaxSize(config.postgres().poolSize())
        .setMaxWaitQueueSize(8192)
        .setConnectionTimeout((int) pgTimeout)
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
    Pool pool = PgBuilder.pool()
        .with(poolOptions)
        .with(new NetClientOptions().setConnectTimeout((int) pgTimeout))
        .connectingTo(connect)
        .using(vertx)
        .build();

    Redis redis = Redis.createClient(vertx, redisOptions(config.redis()));
    RedisLanes lanes = new RedisLanes(redis, cores);
    GatewayMetrics metrics = new GatewayMetrics(registry);
    Health health = new Health(pool, redis, schemaVersion, Math.max(pgTimeout, config.redis().timeoutMs()));
    long redisTimeout = config.redis().timeoutMs();
    SnapshotCache cache = new SnapshotCache(config.cache().maxLicenses(), config.cache().ttlSeconds());
    metrics.readModel(cache::live, cache::size);
    Invalidations invalidations = new Invalidations(vertx, pool, connect, cache, metrics, PING_EVERY_MS, PING_TIMEOUT_MS);
    DailyQuota quota = new DailyQuota(lanes, redisTimeout, metrics);
    LicenseService core = new LicenseService(new LicenseStore(pool, pgTimeout, metrics, cache), quota, clock);
    RedisGate gate = new RedisGate(lanes, config.redis().cluster(), config.nativeApi().nonceTtlSeconds(),
        redisTimeout, config.rateLimits().failOpen(), metrics);
    SessionStore sessions = new SessionStore(pool, pgTimeout);
    // Expired /auth sessions are kept a day (for support questions), then purged.
    vertx.setPeriodic(SESSION_PURGE_PERIOD_MS, id -> sessions.purgeExpired(clock.instant().minusSeconds(86_400))
        .onFailure(e -> LOG.warn("session purge failed: {}", e.toString())));
    ConnectionGuard.Census connections = new ConnectionGuard.Census(config.http().maxConnections());
    Gauge.builder("lgw_http_connections_open", connections, ConnectionGuard.Census::open)
        .description("Open client connections (LGW_HTTP_MAX_CONNECTIONS caps them)").register(registry);
    FunctionCounter.builder("lgw_http_connections_refused", connections, ConnectionGuard.Census::refused)
        .description("Connections closed at once because the cap was reached").register(registry);
    WebhookStore webhookStore = new WebhookStore(pool, pgTimeout);
    // The signing secrets are sealed under LGW_WEBHOOK_SEAL_KEY, else the native secret.
    WebhookSecrets webhookSecrets = new WebhookSecrets(config.webhooks().sealKey() != null
        ? config.webhooks().sealKey() : config.nativeApi().secret());
    Pipeline pipeline = pipeline(config, gate);
    // Credentials beside the read model, so that a warm /v1 or /api/v1/validate reads no Postgres
    // (they serve only while it does: never with LGW_CACHE_MAX_LICENSES=0).
    ApiKeyAuth apiKeys = new ApiKeyAuth(pool, pgTimeout, new CredentialCache<>(cache, CREDENTIALS_KEPT,
        config.cache().ttlSeconds(), Target.API_KEY));
    ProductStore products = new ProductStore(pool, pgTimeout, new CredentialCache<>(cache, CREDENTIALS_KEPT,
        config.cache().ttlSeconds(), Target.PRODUCT));
    ManageApi manage = new ManageApi(apiKeys, pipeline, config.rateLimits().apiKey(),
        new ManageStore(pool, pgTimeout, cache), quota, clock, webhookStore, webhookSecrets,
        new UrlGuard(vertx, config.webhooks().allowPrivate()));
    WebhookVerticle webhooks = new WebhookVerticle(webhookStore, webhookSecrets, config.webhooks(), metrics, clock);
    GatewayVerticle.Services services = new GatewayVerticle.Services(config, keys, metrics, health, connections,
        routes(config, keys, signer, core, pipeline, apiKeys, products, sessions, manage,
            clock));
    Gateway gateway = new Gateway(vertx, pool, redis, health, config, metrics, services, invalidations);
    int instances = config.http().instances() > 0 ? config.http().instances() : cores;

    // docs/operations.md: wait for each dependency, with backoff, until the startup deadline; then fail
    // with a message that names it (and never a password: no secret reaches a log or a message).
    Future<?> postgresUp = startup.await(vertx, "Postgres at " + connect.getHost() + ":" + connect.getPort() + "/"
        + connect.getDatabase(), Math.max(pgTimeout, 5000), () -> pool.query("SELECT 1").execute());
    Future<?> redisUp = startup.await(vertx, "Redis at " + Uris.redact(config.redis().uri()),
        Math.max(config.redis().timeoutMs(), 5000), () -> redis.send(Request.cmd(Command.PING)));
    return Future.all(postgresUp, redisUp)
        .compose(v -> gate.preloadScripts())
        .compose(v -> config.cache().maxLicenses() > 0 ? invalidations.start()
            : Future.<Void>succeededFuture())
        .compose(v -> vertx.deployVerticle(() -> new GatewayVerticle(services),
            new DeploymentOptions().setInstances(instances)))
        .compose(id -> vertx.deployVerticle(webhooks).map(webhookId -> {
          gateway.webhookDeploymentId = webhookId;
          return id;
        }))
        .map(id -> {
          gateway.deploymentId = id;
          LOG.info("gateway listening on port {} ({} verticles, signing with {} key {} by {})",
              config.http().port(), instances, alg.wireName(), signer.kid(), signer.provider());
          return gateway;
        })
        .recover(e -> {
          // A client library's message may quote the URI it was given: never its password.
          LOG.error("gateway failed to start: {}", Uris.redact(e.getMessage()));
          // Closing runs on: its completion would land on the Vert.x being closed.
          gateway.closeAfter(Future.succeededFuture());
          return Future.failedFuture(e);
        });
  }

  /** Every public route: the native dialect, the four of docs/dialects.md and the management API, on one pipeline. */
  private static List<Routes> routes(GatewayConfig config, KeyRing keys, KeyRing.ResponseSigner signer,
      LicenseService core, Pipeline pipeline, ApiKeyAuth apiKeys, ProductStore products, SessionStore sessions,
      ManageApi manage, Clock clock) {
    GatewayConfig.RateLimits limits = config.rateLimits();
    // docs/dialects.md signs /license answers with RSA-SHA256 whatever the native algorithm.
    KeyRing.ResponseSigner rsa = keys.signer(SigningAlg.RSA_SHA256).orElseGet(() -> {
      LOG.warn("no RSA-SHA256 key: /license answers are signed with {} instead", signer.alg().wireName());
      return signer;
    });
    return List.of(
        new NativeDialect(core, pipeline, config.nativeApi().secret(), limits.licenseKey(), signer, clock,
            config.nativeApi().timestampSkewSeconds()),
        manage,
        new LicenseDialect(core, pipeline, limits.licenseKey(), rsa),
        new AuthDialect(new SessionService(core, products, sessions, clock), pipeline, clock),
        new V1Dialect(core, apiKeys, pipeline, limits.apiKey()),
        new KeyportDialect(new ProductKeys(core, products, clock), pipeline, limits.productKey()));
  }

  private static Pipeline pipeline(GatewayConfig config, RedisGate gate) {
    return new Pipeline(gate, new ClientIp(config.trustedProxies()), config.rateLimits().clientIp(),
        config.http().bodyLimitBytes());
  }

  static RedisOptions redisOptions(GatewayConfig.Redis config) {
    RedisOptions options = new RedisOptions()
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(8192)
        .setMaxWaitingHandlers(8192);
    if (config.cluster()) {
      options.setType(RedisClientType.CLUSTER);
      config.nodes().forEach(options::addConnectionString);
    } else {
      options.setConnectionString(config.uri().trim());
    }
    return options;
  }

  /**
   * SIGTERM (docs/operations.md): readiness turns 503 at once; after the drain delay the listeners stop
   * taking connections and in-flight requests finish within the grace period; then exit.
   */
  public Future<Void> stop() {
    health.startDraining();
    long delay = config.shutdown().drainDelayMs();
    Future<Void> drained = delay > 0 ? vertx.timer(delay).mapEmpty() : Future.succeededFuture();
    return closeAfter(drained
        .compose(v -> deploymentId == null ? Future.<Void>succeededFuture() : vertx.undeploy(deploymentId))
        // Webhook attempts under way finish and record their results before the pool closes.
        .eventually(() -> webhookDeploymentId == null ? Future.<Void>succeededFuture()
            : vertx.undeploy(webhookDeploymentId)));
  }

  /**
   * When {@code first} completes, closes the clients and then Vert.x. The returned future is
   * bound to no Vert.x context: a bound one would complete on an event loop just closed.
   */
  private Future<Void> closeAfter(Future<?> first) {
    Promise<Void> closed = Promise.promise();
    first.eventually(invalidations::stop)
        .eventually(pool::close)
        .eventually(redis::close)
        .onComplete(v -> vertx.close().onComplete(closed));
    return closed.future();
  }

  /**
   * Completes once every change committed before the call has reached this instance's read
   * model (for a caller that wrote to Postgres by other means and reads next).
   */
  public Future<Void> syncReadModel() {
    return config.cache().maxLicenses() > 0 ? invalidations.sync() : Future.succeededFuture();
  }

  public Health health() {
    return health;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public int port() {
    return config.http().port();
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * A new router with every route the verticles serve, as they build it, listened on by
   * nothing: for inspecting the routes (the OpenAPI test checks the document against them).
   */
  public Router newRouter() {
    return GatewayVerticle.buildRouter(vertx, services);
  }
}
