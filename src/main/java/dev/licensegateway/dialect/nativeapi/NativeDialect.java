package dev.licensegateway.dialect.nativeapi;

import dev.licensegateway.dialect.LicenseData;
import dev.licensegateway.gate.RateLimit;
import dev.licensegateway.gate.RequestSignature;
import dev.licensegateway.http.Exchange;
import dev.licensegateway.http.FieldErrors;
import dev.licensegateway.http.Pipeline;
import dev.licensegateway.http.Problem;
import dev.licensegateway.http.Reply;
import dev.licensegateway.http.Routes;
import dev.licensegateway.http.Wire;
import dev.licensegateway.licensing.LicenseQuery;
import dev.licensegateway.licensing.LicenseResult;
import dev.licensegateway.licensing.LicenseService;
import dev.licensegateway.signing.KeyRing;
import dev.licensegateway.signing.SignedEnvelope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The native dialect, {@code /api/v1/license/*} (docs/native-protocol.md): the checks of docs/native-protocol.md steps 1–6 in
 * their order, the nonce and buckets of step 7, answers signed as in docs/native-protocol.md.
 */
public final class NativeDialect implements Routes, Wire<NativeDialect.Request, LicenseResult> {

  public static final String DIALECT = "native";

  /** A request past steps 1–6: what it asks, under which nonce, of which endpoint. */
  record Request(LicenseQuery query, String nonce, Endpoint endpoint) {}

  /** How an endpoint's body reads. */
  enum Endpoint {
    ACTIVATE("activate", true), VALIDATE("validate", true), DEACTIVATE("deactivate", true),
    HEARTBEAT("heartbeat", true), STATUS("status", false);

    final String path;
    final boolean namesMachine;

    Endpoint(String name, boolean namesMachine) {
      this.path = "/api/v1/license/" + name;
      this.namesMachine = namesMachine;
    }
  }

  private final LicenseService core;
  private final Pipeline pipeline;
  private final RequestSignature signature;
  private final RateLimit.Limit licenseLimit;
  private final KeyRing.ResponseSigner signer;
  private final Clock clock;
  private final long skewSeconds;

  public NativeDialect(LicenseService core, Pipeline pipeline, String secret, RateLimit.Limit licenseLimit,
      KeyRing.ResponseSigner signer, Clock clock, long skewSeconds) {
    this.core = core;
    this.pipeline = pipeline;
    this.signature = secret == null || secret.isEmpty() ? null : new RequestSignature(secret);
    this.licenseLimit = licenseLimit;
    this.signer = signer;
    this.clock = clock;
    this.skewSeconds = skewSeconds;
  }

  @Override
  public void mount(Router router) {
    mount(router, Endpoint.ACTIVATE, core::activate);
    mount(router, Endpoint.VALIDATE, core::validate);
    mount(router, Endpoint.DEACTIVATE, core::deactivate);
    mount(router, Endpoint.HEARTBEAT, core::heartbeat);
    mount(router, Endpoint.STATUS, core::status);
  }

  private void mount(Router router, Endpoint endpoint, Function<LicenseQuery, Future<LicenseResult>> operation) {
    pipeline.post(router, DIALECT, endpoint.path, this, exchange -> read(exchange, endpoint),
        request -> operation.apply(request.query()));
  }

  /** docs/native-protocol.md steps 1–6, in order; the first that fails answers. */
  private Future<Request> read(Exchange exchange, Endpoint endpoint) {
    exchange.requireJson();
    if (signature == null) {
      throw Problem.secretNotSet();
    }
    RequestSignature.Headers signed = RequestSignature.parseHeaders(
        exchange.header(RequestSignature.TIMESTAMP_HEADER),
        exchange.header(RequestSignature.NONCE_HEADER),
        exchange.header(RequestSignature.SIGNATURE_HEADER));
    if (!signed.wellFormed()) {
      throw Problem.unauthenticated(
          "X-License-Timestamp, X-License-Nonce and X-License-Signature must all be present and well-formed");
    }
    if (!signature.verify(signed, exchange.method(), exchange.uri(), exchange.bodyBytes())) {
      throw Problem.unauthenticated("signature does not match the request");
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - signed.timestamp()) > skewSeconds) {
      throw Problem.staleTimestamp(
          "X-License-Timestamp is more than " + skewSeconds + " s from the server's clock (" + now + ")");
    }
    FieldErrors fields = exchange.parseJson();
    LicenseQuery query = readQuery(fields, endpoint, exchange.ip());
    fields.orFail();
    return Future.succeededFuture(new Request(query, signed.nonce(), endpoint));
  }

  private static LicenseQuery readQuery(FieldErrors fields, Endpoint endpoint, String ip) {
    String key = fields.requiredString("license_key", 255);
    if (!endpoint.namesMachine) {
      return LicenseQuery.of(key, null, ip);
    }
    LicenseQuery query = LicenseQuery.of(key, fields.requiredMachineId("machine_id"), ip)
        .withMachine(new LicenseQuery.MachineInfo(
            fields.optionalString("name", 255),
            fields.optionalString("platform", 255),
            fields.optionalString("hostname", 255)));
    return endpoint == Endpoint.VALIDATE
        ? query.withEntitlements(fields.optionalStringList("entitlements", 64, 255))
        : query;
  }

  @Override
  public Admission admission(Request request, Exchange exchange) {
    return new Admission(request.nonce(), List.of(
        RateLimit.Bucket.of("license", request.query().licenseKey(), licenseLimit),
        pipeline.ipBucket(exchange.ip())));
  }

  @Override
  public Reply answer(Request request, LicenseResult result) {
    if (!result.outcome().ok()) {
      NativeError.Mapping mapping = NativeError.of(result.outcome());
      return error(mapping.error(), mapping.message(), null).retryAfter(result.retryAfterSeconds());
    }
    var data = LicenseData.of(result, request.query().machineId(),
        request.endpoint() == Endpoint.VALIDATE ? Boolean.TRUE : null, request.nonce());
    return Reply.of(200, SignedEnvelope.of(data, signer), "ok");
  }

  /** docs/native-protocol.md: every problem as its native code. */
  @Override
  public Reply refuse(Problem problem, Request request) {
    NativeError error = switch (problem.kind()) {
      case UNSUPPORTED_MEDIA_TYPE -> NativeError.UNSUPPORTED_MEDIA_TYPE;
      case PAYLOAD_TOO_LARGE -> NativeError.PAYLOAD_TOO_LARGE;
      case UNREADABLE, NOT_JSON, INVALID_FIELDS -> NativeError.MALFORMED;
      case SECRET_NOT_SET -> NativeError.SECRET_NOT_SET;
      case UNAUTHENTICATED, REPLAYED, FORBIDDEN -> NativeError.BAD_SIGNATURE;
      case STALE_TIMESTAMP -> NativeError.STALE_TIMESTAMP;
      case NOT_FOUND -> NativeError.NOT_FOUND;
      case NO_CREDITS -> NativeError.ACCOUNT_SUSPENDED;
      case RATE_LIMITED -> NativeError.RATE_LIMITED;
      case UNAVAILABLE -> NativeError.UNAVAILABLE;
      case INTERNAL -> NativeError.INTERNAL_ERROR;
    };
    String message = switch (problem.kind()) {
      case NOT_JSON -> "request body is not valid JSON";
      case INVALID_FIELDS -> "request body failed validation";
      default -> problem.getMessage();
    };
    boolean detailed = problem.kind() == Problem.Kind.NOT_JSON || problem.kind() == Problem.Kind.INVALID_FIELDS;
    return error(error, message, detailed ? FieldErrors.toJson(problem.details()) : null)
        .retryAfter(problem.retryAfterSeconds());
  }

  private static Reply error(NativeError error, String message, io.vertx.core.json.JsonArray details) {
    JsonObject body = new JsonObject()
        .put("code", error.code)
        .put("name", error.wireName)
        .put("message", message)
        .put("retryable", error.retryable);
    if (details != null) {
      body.put("details", details);
    }
    return Reply.of(error.httpStatus, new JsonObject().put("error", body), String.valueOf(error.code));
  }
}
