package dev.licensegateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  private static String canonical(String json) throws Exception {
    return new String(CanonicalJson.toBytes(Json.MAPPER.readTree(json)), StandardCharsets.UTF_8);
  }

  @Test
  void keysSortedAtEveryLevelWithoutWhitespace() throws Exception {
    assertEquals("{\"a\":[3,{\"x\":null,\"y\":true}],\"b\":\"v\",\"c\":{\"d\":1,\"e\":false}}",
        canonical("{ \"c\": {\"e\": false, \"d\": 1}, \"b\": \"v\", \"a\": [3, {\"y\": true, \"x\": null}] }"));
  }

  @Test
  void keysSortByUtf16CodeUnits() throws Exception {
    // U+E000 sorts after the surrogate pair of U+1F600 in code points, before it in UTF-16 units.
    assertEquals("{\"\uD83D\uDE00\":1,\"\uE000\":2}", canonical("{\"\uE000\":2,\"\uD83D\uDE00\":1}"));
  }

  @Test
  void onlyQuotesBackslashesAndControlsAreEscaped() throws Exception {
    assertEquals("\"\\\"\\\\\\n\\t\\u0001/é€\"", canonical("\"\\\"\\\\\\n\\t\\u0001\\/\\u00e9€\""));
  }

  @Test
  void largeIntegersKeepEveryDigitAndFractionsAreRefused() throws Exception {
    assertEquals("[12345678901234567890,-5]", canonical("[12345678901234567890, -5]"));
    assertThrows(IllegalArgumentException.class, () -> canonical("[1.5]"));
    assertThrows(IllegalArgumentException.class, () -> canonical("{\"n\":1e3}"));
  }
}
