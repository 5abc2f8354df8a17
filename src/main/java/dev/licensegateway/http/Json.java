package dev.licensegateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The one shared {@link ObjectMapper}: compact output, bounded nesting on input. */
public final class Json {

  public static final int MAX_DEPTH = 64;

  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      // A request body is a flat object; 64 levels is generous and keeps a 10,000-deep
      // body from costing more than a quick 400.
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build())
      // A body is one JSON value (RFC 8259): `{…} junk` or `{…}{…}` is not JSON and must not pass as its first value.
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** Parses a body; throws {@link IOException} for anything that is not one JSON value. */
  public static JsonNode parse(byte[] body) throws IOException {
    JsonNode node = MAPPER.readTree(body);
    if (node == null || node.isMissingNode()) {
      throw new IOException("empty body");
    }
    return node;
  }
}
