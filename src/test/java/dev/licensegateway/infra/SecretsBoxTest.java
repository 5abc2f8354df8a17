package dev.licensegateway.infra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.testing.LegacyBox;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The session box: AES-256-GCM v2 boxes, and the legacy XOR boxes of sessions opened before them. */
class SecretsBoxTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aSealedSecretOpensUnderItsToken() {
    String secret = Secrets.appSecret();
    String token = Secrets.sessionToken();
    byte[] box = Secrets.seal(bytes(secret), token);
    assertEquals(0x02, box[0], "version byte");
    assertEquals(1 + 12 + secret.length() + 16, box.length, "version || nonce || ciphertext || tag");
    Secrets.Opened opened = Secrets.open(box, token);
    assertNotNull(opened);
    assertEquals(secret, new String(opened.plaintext(), StandardCharsets.UTF_8));
    assertFalse(opened.legacy());
    // A fresh nonce each time: the same secret never seals to the same box.
    assertFalse(Arrays.equals(box, Secrets.seal(bytes(secret), token)));
    // Any plaintext, not only app secrets.
    assertArrayEquals(new byte[0], Secrets.open(Secrets.seal(new byte[0], token), token).plaintext());
    byte[] binary = {0, 1, 2, (byte) 0xff};
    assertArrayEquals(binary, Secrets.open(Secrets.seal(binary, token), token).plaintext());
  }

  @Test
  void aFlippedByteAnywhereInAV2BoxFailsToOpen() {
    String token = Secrets.sessionToken();
    byte[] box = Secrets.seal(bytes(Secrets.appSecret()), token);
    for (int i = 0; i < box.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] tampered = box.clone();
        tampered[i] ^= (byte) bit;
        assertNull(Secrets.open(tampered, token), "byte " + i + " flipped by " + bit);
      }
    }
    assertNull(Secrets.open(Arrays.copyOf(box, box.length - 1), token), "truncated");
    byte[] longer = Arrays.copyOf(box, box.length + 1);
    assertNull(Secrets.open(longer, token), "extended");
  }

  @Test
  void aBoxSealedUnderAnotherTokenFailsToOpen() {
    byte[] box = Secrets.seal(bytes(Secrets.appSecret()), Secrets.sessionToken());
    assertNull(Secrets.open(box, Secrets.sessionToken()));
  }

  @Test
  void aLegacyBoxOpensAndIsMarkedForResealing() {
    for (int i = 0; i < 50; i++) {
      String secret = Secrets.appSecret();
      String token = Secrets.sessionToken();
      Secrets.Opened opened = Secrets.open(LegacyBox.box(bytes(secret), token), token);
      assertNotNull(opened, "legacy box " + i);
      assertEquals(secret, new String(opened.plaintext(), StandardCharsets.UTF_8));
      assertTrue(opened.legacy());
    }
  }

  @Test
  void aLegacyBoxThatHappensToStartLikeAV2BoxStillOpens() {
    String secret = Secrets.appSecret();
    String token;
    byte[] box;
    do {
      // One token in 256 gives a legacy box whose first byte is the v2 version byte.
      token = Secrets.sessionToken();
      box = LegacyBox.box(bytes(secret), token);
    } while (box[0] != 0x02);
    Secrets.Opened opened = Secrets.open(box, token);
    assertNotNull(opened);
    assertEquals(secret, new String(opened.plaintext(), StandardCharsets.UTF_8));
    assertTrue(opened.legacy());
  }

  @Test
  void aLegacyBoxOpensOnlyUnderItsTokenAndOnlyToAnAppSecret() {
    String secret = Secrets.appSecret();
    String token = Secrets.sessionToken();
    assertNull(Secrets.open(LegacyBox.box(bytes(secret), token), Secrets.sessionToken()), "another token");
    assertNull(Secrets.open(LegacyBox.box(bytes("not an app secret"), token), token), "not an app secret");
    byte[] flipped = LegacyBox.box(bytes(secret), token);
    flipped[10] ^= (byte) 0x80;
    assertNull(Secrets.open(flipped, token), "a flipped byte that leaves base62");
  }
}
