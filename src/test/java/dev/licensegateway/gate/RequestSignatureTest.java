package dev.licensegateway.gate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** docs/native-protocol.md: the HMAC every SDK computes, and the header forms the gate accepts. */
class RequestSignatureTest {

  private static final String SPEC_SECRET = "s3cret";
  private static final long SPEC_TIMESTAMP = 1700000000L;
  private static final String SPEC_NONCE = "abcdefghijklmnop";
  private static final String SPEC_PATH = "/api/v1/license/validate";
  private static final byte[] SPEC_BODY = "{}".getBytes(StandardCharsets.UTF_8);
  private static final String SPEC_SIGNATURE = "1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d07";

  /*
   * A second vector, with a query string and a non-ASCII body, computed independently of this code:
   *   BODY='{"license_key":"ABCDE-FGHIJ-KLMNO-PQRST-UVWXY","machine_id":"0f1e2d","name":"Zoë'"'"'s laptop"}'
   *   printf '%s' "$BODY" | openssl dgst -sha256                  -> 1dfc158d…0131d
   *   printf 'v1\n1712345678\nNonce_0123-abcdef\nPOST\n/api/v1/license/activate?trace=1&x=y\n%s' "$BH" \
   *     | openssl dgst -sha256 -hmac 'k3y-for-tests'              -> 63f7cc09…7695f9
   */
  private static final String OWN_SECRET = "k3y-for-tests";
  private static final long OWN_TIMESTAMP = 1712345678L;
  private static final String OWN_NONCE = "Nonce_0123-abcdef";
  private static final String OWN_PATH = "/api/v1/license/activate?trace=1&x=y";
  private static final byte[] OWN_BODY =
      "{\"license_key\":\"ABCDE-FGHIJ-KLMNO-PQRST-UVWXY\",\"machine_id\":\"0f1e2d\",\"name\":\"Zo\u00eb's laptop\"}"
          .getBytes(StandardCharsets.UTF_8);
  private static final String OWN_BODY_SHA256 = "1dfc158df091ab1c38160c3329b226aba89ec270409ee263023b3f28d5a0131d";
  private static final String OWN_SIGNATURE = "63f7cc098bc4cbd45645f3d7ad03dbfe0d211c708da36980cb69146a327695f9";

  private static RequestSignature.Headers headers(long timestamp, String nonce, String signatureHex) {
    return new RequestSignature.Headers(timestamp, nonce, HexFormat.of().parseHex(signatureHex));
  }

  @Test
  void specWorkedVectorSignsAndVerifies() {
    assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        RequestSignature.sha256Hex(SPEC_BODY));
    assertEquals("v1\n1700000000\nabcdefghijklmnop\nPOST\n/api/v1/license/validate\n"
            + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        RequestSignature.canonicalString(SPEC_TIMESTAMP, SPEC_NONCE, "POST", SPEC_PATH, SPEC_BODY));
    RequestSignature signer = new RequestSignature(SPEC_SECRET);
    assertEquals(SPEC_SIGNATURE, signer.sign(SPEC_TIMESTAMP, SPEC_NONCE, "POST", SPEC_PATH, SPEC_BODY));
    assertTrue(signer.verify(headers(SPEC_TIMESTAMP, SPEC_NONCE, SPEC_SIGNATURE), "POST", SPEC_PATH, SPEC_BODY));
  }

  @Test
  void ownVectorWithQueryStringAndUtf8BodySignsAndVerifies() {
    assertEquals(OWN_BODY_SHA256, RequestSignature.sha256Hex(OWN_BODY));
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    assertEquals(OWN_SIGNATURE, signer.sign(OWN_TIMESTAMP, OWN_NONCE, "POST", OWN_PATH, OWN_BODY));
    assertTrue(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST", OWN_PATH, OWN_BODY));
    // The query string is part of what is signed: without it the request is another one.
    assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST",
        "/api/v1/license/activate", OWN_BODY));
  }

  @Test
  void changingOneByteOfTheSecretChangesTheSignature() {
    byte[] secret = OWN_SECRET.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < secret.length; i++) {
      byte[] changed = secret.clone();
      changed[i] ^= 0x01;
      RequestSignature other = new RequestSignature(new String(changed, StandardCharsets.UTF_8));
      assertNotEquals(OWN_SIGNATURE, other.sign(OWN_TIMESTAMP, OWN_NONCE, "POST", OWN_PATH, OWN_BODY), "byte " + i);
      assertFalse(other.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST", OWN_PATH, OWN_BODY),
          "byte " + i);
    }
  }

  @Test
  void changingTheTimestampChangesTheSignature() {
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    for (long ts : new long[] {OWN_TIMESTAMP + 1, OWN_TIMESTAMP - 1, OWN_TIMESTAMP + 10, 0}) {
      assertNotEquals(OWN_SIGNATURE, signer.sign(ts, OWN_NONCE, "POST", OWN_PATH, OWN_BODY));
      assertFalse(signer.verify(headers(ts, OWN_NONCE, OWN_SIGNATURE), "POST", OWN_PATH, OWN_BODY), "ts " + ts);
    }
  }

  @Test
  void changingOneCharacterOfTheNonceChangesTheSignature() {
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    for (int i = 0; i < OWN_NONCE.length(); i++) {
      char[] chars = OWN_NONCE.toCharArray();
      chars[i] = chars[i] == 'x' ? 'y' : 'x';
      String nonce = new String(chars);
      assertNotEquals(OWN_SIGNATURE, signer.sign(OWN_TIMESTAMP, nonce, "POST", OWN_PATH, OWN_BODY), "char " + i);
      assertFalse(signer.verify(headers(OWN_TIMESTAMP, nonce, OWN_SIGNATURE), "POST", OWN_PATH, OWN_BODY),
          "char " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "PUT", "post", "POSt", "PATCH", "DELETE"})
  void anotherMethodChangesTheSignature(String method) {
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    assertNotEquals(OWN_SIGNATURE, signer.sign(OWN_TIMESTAMP, OWN_NONCE, method, OWN_PATH, OWN_BODY));
    assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), method, OWN_PATH, OWN_BODY));
  }

  @Test
  void changingOneByteOfThePathOrQueryChangesTheSignature() {
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    for (int i = 0; i < OWN_PATH.length(); i++) {
      char[] chars = OWN_PATH.toCharArray();
      chars[i] = (char) (chars[i] ^ 0x01);
      String path = new String(chars);
      assertNotEquals(OWN_SIGNATURE, signer.sign(OWN_TIMESTAMP, OWN_NONCE, "POST", path, OWN_BODY), "char " + i);
      assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST", path, OWN_BODY),
          "char " + i);
    }
    // A trailing slash or a reordered query is a different path as sent.
    assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST",
        "/api/v1/license/activate?x=y&trace=1", OWN_BODY));
    assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST",
        "/api/v1/license/activate/?trace=1&x=y", OWN_BODY));
  }

  @Test
  void changingOneByteOfTheBodyChangesTheSignature() {
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    for (int i = 0; i < OWN_BODY.length; i++) {
      byte[] body = OWN_BODY.clone();
      body[i] ^= 0x01;
      assertNotEquals(OWN_SIGNATURE, signer.sign(OWN_TIMESTAMP, OWN_NONCE, "POST", OWN_PATH, body), "byte " + i);
      assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST", OWN_PATH, body),
          "byte " + i);
    }
    // Appending a byte (a trailing newline) is a change too.
    byte[] longer = (new String(OWN_BODY, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
    assertFalse(signer.verify(headers(OWN_TIMESTAMP, OWN_NONCE, OWN_SIGNATURE), "POST", OWN_PATH, longer));
  }

  @Test
  void changingOneBitOfThePresentedSignatureFailsVerification() {
    RequestSignature signer = new RequestSignature(OWN_SECRET);
    byte[] mac = HexFormat.of().parseHex(OWN_SIGNATURE);
    for (int i = 0; i < mac.length; i++) {
      byte[] changed = mac.clone();
      changed[i] ^= 0x01;
      assertFalse(signer.verify(new RequestSignature.Headers(OWN_TIMESTAMP, OWN_NONCE, changed),
          "POST", OWN_PATH, OWN_BODY), "byte " + i);
    }
  }

  @Test
  void wellFormedHeadersParse() {
    RequestSignature.Headers parsed = RequestSignature.parseHeaders("1700000000", SPEC_NONCE, SPEC_SIGNATURE);
    assertTrue(parsed.wellFormed());
    assertEquals(1700000000L, parsed.timestamp());
    assertEquals(SPEC_NONCE, parsed.nonce());
    assertArrayEquals(HexFormat.of().parseHex(SPEC_SIGNATURE), parsed.signature());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "abcdefghijklmnop", // 16, the shortest allowed
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", // 64, the longest, every class
      "0000000000000000", "----------------", "____________________"})
  void noncesOf16To64AllowedCharactersAreAccepted(String nonce) {
    RequestSignature.Headers parsed = RequestSignature.parseHeaders("1700000000", nonce, SPEC_SIGNATURE);
    assertEquals(nonce, parsed.nonce());
    assertTrue(parsed.wellFormed());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "abcdefghijklmno", // 15
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-x", // 65
      "", "abcdefghijklmno!", "abcdefghijklmno ", "abcdefghijklmno.", "abcdefghijklmno+", "abcdefghijklmno/",
      "abcdefghijklmno=", "abcdefghijklmno\u00e9", "abcdefg hijklmnop", "abcdefghijklmnop\n", "\tabcdefghijklmnop"})
  void malformedNoncesAreRejected(String nonce) {
    RequestSignature.Headers parsed = RequestSignature.parseHeaders("1700000000", nonce, SPEC_SIGNATURE);
    assertNull(parsed.nonce());
    assertFalse(parsed.wellFormed());
    // The other two were fine: only the nonce made the headers malformed.
    assertNotNull(parsed.timestamp());
    assertNotNull(parsed.signature());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d0g", // non-hex character
      "1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d0", // 63 hex digits
      "1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d077", // 65 hex digits
      "E2C1rf/gwH/3XE5xWD2o2wh/Jeec1gBEw966sbc0XQc=", // the MAC in Base64 instead of hex
      "0x1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d",
      " 1360b5adffe0c07ff75c4e71583da8db087f25e79cd60044c3debab1b7345d07", ""})
  void nonHexSignaturesAreRejected(String signature) {
    RequestSignature.Headers parsed = RequestSignature.parseHeaders("1700000000", SPEC_NONCE, signature);
    assertNull(parsed.signature());
    assertFalse(parsed.wellFormed());
    assertNotNull(parsed.nonce());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1700000000", "+1700000000", "1700000000.5", "1.7e9", " 1700000000",
      "1700000000 ", "17000000O0", "0x6553f100", "\u0661\u0667\u0660\u0660"})
  void nonDigitTimestampsAreRejected(String timestamp) {
    RequestSignature.Headers parsed = RequestSignature.parseHeaders(timestamp, SPEC_NONCE, SPEC_SIGNATURE);
    assertNull(parsed.timestamp());
    assertFalse(parsed.wellFormed());
    assertNotNull(parsed.signature());
  }

  @Test
  void missingHeadersAreRejected() {
    assertFalse(RequestSignature.parseHeaders(null, SPEC_NONCE, SPEC_SIGNATURE).wellFormed());
    assertFalse(RequestSignature.parseHeaders("1700000000", null, SPEC_SIGNATURE).wellFormed());
    assertFalse(RequestSignature.parseHeaders("1700000000", SPEC_NONCE, null).wellFormed());
    assertFalse(RequestSignature.parseHeaders(null, null, null).wellFormed());
  }

  /** Only canonical decimal seconds: a zero-padded, signed or spaced timestamp is not the one that was signed. */
  @ParameterizedTest
  @ValueSource(strings = {"01700000000", "+1700000000", " 1700000000", "1700000000 ", "1700000000.0", "1e9", "-5",
      "\u0661\u0667\u0660\u0660", "0000000000001", ""})
  void aTimestampNotInCanonicalDecimalIsMalformed(String timestamp) {
    assertNull(RequestSignature.parseHeaders(timestamp, SPEC_NONCE, SPEC_SIGNATURE).timestamp(), timestamp);
  }

  @Test
  void zeroAndPlainDigitsAreCanonicalTimestamps() {
    assertEquals(0L, RequestSignature.parseHeaders("0", SPEC_NONCE, SPEC_SIGNATURE).timestamp());
    assertEquals(1700000000L, RequestSignature.parseHeaders("1700000000", SPEC_NONCE, SPEC_SIGNATURE).timestamp());
  }
}
