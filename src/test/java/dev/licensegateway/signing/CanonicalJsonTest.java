package dev.licensegateway.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/native-protocol.md / RFC 8785: the bytes a client re-creates to check a response signature. Every
 * expected value is a literal, so a change of form shows here before clients see it.
 */
class CanonicalJsonTest {

  /** Insertion order kept, so the canonicalizer, not the map, must do the sorting. */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static List<Object> list(Object... items) {
    return new ArrayList<>(Arrays.asList(items));
  }

  @Test
  void keysAreSortedAtEveryNestingLevel() {
    Object value = map(
        "b", 1,
        "a", map("z", true, "B", null, "a", list(map("y", 1, "x", 2))),
        "A", "x");
    assertEquals("{\"A\":\"x\",\"a\":{\"B\":null,\"a\":[{\"x\":2,\"y\":1}],\"z\":true},\"b\":1}",
        CanonicalJson.toString(value));
  }

  @Test
  void uppercaseSortsBeforeLowercaseAndDigitsBeforeLetters() {
    Object value = map("b", 0, "B", 0, "a", 0, "A", 0, "10", 0, "9", 0, "1", 0, "_", 0, "-", 0);
    // Code units: '-' 0x2D < digits < 'A' 0x41 < 'B' < '_' 0x5F < 'a' 0x61 < 'b'; "10" < "9".
    assertEquals("{\"-\":0,\"1\":0,\"10\":0,\"9\":0,\"A\":0,\"B\":0,\"_\":0,\"a\":0,\"b\":0}",
        CanonicalJson.toString(value));
  }

  @Test
  void nonAsciiKeysSortAfterAsciiByUtf16CodeUnit() {
    Object value = map("\u20ac", 2, "z", 3, "\u00e9", 1, "e", 0);
    // 'z' 0x7A < 'é' 0xE9 < '€' 0x20AC
    assertEquals("{\"e\":0,\"z\":3,\"\u00e9\":1,\"\u20ac\":2}", CanonicalJson.toString(value));
  }

  @Test
  void rfc8785SortingExampleOrdersSurrogatePairsByCodeUnitNotCodePoint() {
    // RFC 8785 section 3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33,
    // although its code point is larger.
    Object value = map(
        "\u20ac", "Euro Sign",
        "\r", "Carriage Return",
        "\ufb33", "Hebrew Letter Dalet With Dagesh",
        "1", "One",
        "\ud83d\ude00", "Emoji: Grinning Face",
        "\u0080", "Control",
        "\u00f6", "Latin Small Letter O With Diaeresis");
    assertEquals("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
            + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
            + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
        CanonicalJson.toString(value));
  }

  @Test
  void arraysKeepTheirOrder() {
    assertEquals("[3,1,2,\"b\",\"a\",[2,1],{\"a\":1,\"b\":2}]",
        CanonicalJson.toString(list(3, 1, 2, "b", "a", list(2, 1), map("b", 2, "a", 1))));
  }

  @Test
  void unicodeIsWrittenAsLiteralUtf8() {
    byte[] bytes = CanonicalJson.toBytes(map("k", "\u00e9\u20ac\ud83d\ude00"));
    // {"k":"  é=c3a9  €=e282ac  😀=f09f9880  "}
    assertEquals("7b226b223a22" + "c3a9" + "e282ac" + "f09f9880" + "227d", HexFormat.of().formatHex(bytes));
  }

  @Test
  void onlyQuoteBackslashAndControlCharactersAreEscaped() {
    String input = "\"\\/\n\t\b\f\r\u0001\u001f\u007f\u0000 ";
    // Expected JSON text: "\"\\/\n\t\b\f\r\u0001\u001f<DEL>\u0000 "
    assertEquals("\"\\\"\\\\/\\n\\t\\b\\f\\r\\u0001\\u001f\u007f\\u0000 \"", CanonicalJson.toString(input));
    assertEquals("22" + "5c22" + "5c5c" + "2f" + "5c6e" + "5c74" + "5c62" + "5c66" + "5c72"
            + "5c7530303031" + "5c7530303166" + "7f" + "5c7530303030" + "20" + "22",
        HexFormat.of().formatHex(CanonicalJson.toBytes(input)));
  }

  @Test
  void escapesApplyToKeysToo() {
    assertEquals("{\"a\\nb\":1,\"a\\\"b\":2}", CanonicalJson.toString(map("a\"b", 2, "a\nb", 1)));
  }

  @Test
  void integersAreWrittenWithoutExponentOrFraction() {
    assertEquals("[0,-1,42,2147483647,-2147483648,7,-3]",
        CanonicalJson.toString(list(0, -1L, 42, Integer.MAX_VALUE, Integer.MIN_VALUE, (short) 7, (byte) -3)));
  }

  /** ±(2^53 − 1): the largest magnitudes an IEEE double, and so an RFC 8785 number, holds exactly. */
  @Test
  void integersUpToTwoToTheFiftyThreeMinusOneAreWrittenInFullWhateverTheirType() {
    assertEquals("[9007199254740991,-9007199254740991,9007199254740991,-9007199254740991,9007199254740991]",
        CanonicalJson.toString(list(9007199254740991L, -9007199254740991L, BigInteger.valueOf(9007199254740991L),
            -9007199254740991d, new BigDecimal("9007199254740991"))));
  }

  /**
   * RFC 8785 would write 2^63 − 1 as 9223372036854776000 (the double nearest), so a verifier
   * could not rebuild the bytes signed: every integer past ±(2^53 − 1) is refused, whatever
   * its Java type.
   */
  static Stream<Arguments> integersPastTwoToTheFiftyThree() {
    return Stream.of(
        Arguments.of(9007199254740992L), Arguments.of(-9007199254740992L), Arguments.of(Long.MAX_VALUE),
        Arguments.of(Long.MIN_VALUE), Arguments.of(BigInteger.valueOf(9007199254740992L)),
        Arguments.of(BigInteger.TWO.pow(64)), Arguments.of(BigInteger.TWO.pow(64).negate()),
        Arguments.of(9007199254740992d), Arguments.of(-9007199254740992d), Arguments.of(new BigDecimal("1e17")));
  }

  @ParameterizedTest
  @MethodSource("integersPastTwoToTheFiftyThree")
  void integersPastTwoToTheFiftyThreeMinusOneAreRefused(Number number) {
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.toString(map("n", number)));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.toString(list(number)));
  }

  @Test
  void literalsAndEmptyContainers() {
    assertEquals("{\"a\":[],\"b\":{},\"f\":false,\"n\":null,\"t\":true}",
        CanonicalJson.toString(map("t", true, "f", false, "n", null, "b", map(), "a", list())));
    assertEquals("{}", CanonicalJson.toString(map()));
    assertEquals("[]", CanonicalJson.toString(list()));
    assertEquals("null", CanonicalJson.toString(null));
    assertEquals("true", CanonicalJson.toString(Boolean.TRUE));
  }

  /** Fractions, non-finite values, and doubles past 2^53 whose RFC 8785 form would need an exponent. */
  static Stream<Arguments> numbersThatAreNotExactIntegers() {
    return Stream.of(
        Arguments.of(1.5d), Arguments.of(-0.25f), Arguments.of(new BigDecimal("3.14")),
        Arguments.of(Double.NaN), Arguments.of(Double.POSITIVE_INFINITY), Arguments.of(1e300));
  }

  @ParameterizedTest
  @MethodSource("numbersThatAreNotExactIntegers")
  void nonIntegralNumbersAreRefused(Number number) {
    // docs/native-protocol.md: every number in signed data is an integer.
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.toString(map("n", number)));
    assertThrows(IllegalArgumentException.class, () -> CanonicalJson.toString(list(number)));
  }

  @Test
  void vertxJsonTypesCanonicalizeLikeMapsAndLists() {
    Object plain = map(
        "z", list(1, map("b", "\u20ac", "a", list()), "s"),
        "a", map("y", null, "x", false),
        "m", 9007199254740991L);
    JsonObject vertx = new JsonObject()
        .put("z", new JsonArray().add(1).add(new JsonObject().put("b", "\u20ac").put("a", new JsonArray())).add("s"))
        .put("a", new JsonObject().putNull("y").put("x", false))
        .put("m", 9007199254740991L);
    String expected = "{\"a\":{\"x\":false,\"y\":null},\"m\":9007199254740991,"
        + "\"z\":[1,{\"a\":[],\"b\":\"\u20ac\"},\"s\"]}";
    assertEquals(expected, CanonicalJson.toString(plain));
    assertEquals(expected, CanonicalJson.toString(vertx));
    assertArrayEquals(CanonicalJson.toBytes(plain), CanonicalJson.toBytes(vertx));
    // A JsonArray at the top and a JsonObject decoded from text (its own map and list types).
    assertEquals("[{\"a\":1,\"b\":2}]", CanonicalJson.toString(new JsonArray().add(new JsonObject().put("b", 2).put("a", 1))));
    assertEquals(expected, CanonicalJson.toString(new JsonObject(
        "{\"z\":[1,{\"b\":\"\u20ac\",\"a\":[]},\"s\"],\"m\":9007199254740991,\"a\":{\"y\":null,\"x\":false}}")));
  }
}
