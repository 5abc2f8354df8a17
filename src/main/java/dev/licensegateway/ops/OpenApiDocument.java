package dev.licensegateway.ops;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 description of the gateway's HTTP API, {@code /openapi.json} on the
 * classpath, served as is by {@code GET /openapi.json}. Read once per JVM, on first use.
 */
public final class OpenApiDocument {

  public static final String RESOURCE = "/openapi.json";

  private OpenApiDocument() {}

  /** The document's bytes; shared, read-only (each response writes its own slice). */
  public static Buffer json() {
    return Holder.JSON;
  }

  private static final class Holder {
    static final Buffer JSON = load();

    private static Buffer load() {
      try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("classpath resource " + RESOURCE + " is missing from the build");
        }
        return Buffer.buffer(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read classpath resource " + RESOURCE, e);
      }
    }
  }
}
