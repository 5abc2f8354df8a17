package dev.licensegateway.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.signing.CryptoProviders.Choice;
import dev.licensegateway.signing.CryptoProviders.Native;
import dev.licensegateway.signing.CryptoProviders.Selection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Where ACCP has no native build (macOS, Linux arm64) the gateway must still sign: the
 * selection rule, and the fallback signers forced on here, verified by the JDK alone.
 */
class CryptoProvidersTest {

  private static final Native MISSING = new Native(null, "no native build for Mac OS X/aarch64");

  @Test
  void theVariableTakesFourValuesAndNamesThemWhenWrong() {
    assertEquals(Choice.AUTO, Choice.parse(null));
    assertEquals(Choice.AUTO, Choice.parse(" "));
    assertEquals(Choice.AUTO, Choice.parse("auto"));
    assertEquals(Choice.ACCP, Choice.parse("ACCP"));
    assertEquals(Choice.BC, Choice.parse("bc"));
    assertEquals(Choice.JDK, Choice.parse("Jdk"));
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> Choice.parse("openssl"));
    assertEquals("LGW_CRYPTO_PROVIDER must be auto, accp, bc or jdk, not 'openssl'", wrong.getMessage());
  }

  @Test
  void autoFallsBackToTheJdkForRsaAndBouncyCastleForEd25519WhereAccpIsMissing() {
    Selection s = CryptoProviders.select(Choice.AUTO, () -> MISSING);
    assertNull(s.forAlg(SigningAlg.RSA_SHA256));
    assertEquals("BC", s.forAlg(SigningAlg.ED25519).getName());
    assertTrue(s.describe(SigningAlg.ED25519).startsWith("BC (LGW_CRYPTO_PROVIDER=auto; native ACCP unavailable: "
        + "no native build for Mac OS X/aarch64"), s.describe(SigningAlg.ED25519));
    assertTrue(s.describe(SigningAlg.RSA_SHA256).startsWith("JDK ("), s.describe(SigningAlg.RSA_SHA256));
  }

  @Test
  void autoTakesTheNativeProviderWhereItLoads() {
    Provider fake = new Provider("AmazonCorrettoCryptoProvider", "2.5", "stand-in") {};
    Selection s = CryptoProviders.select(Choice.AUTO, () -> new Native(fake, null));
    assertSame(fake, s.forAlg(SigningAlg.RSA_SHA256));
    assertSame(fake, s.forAlg(SigningAlg.ED25519));
    assertTrue(s.nativeInUse());
  }

  @Test
  void accpForcedRefusesToStartWhereItCannotLoad() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> CryptoProviders.select(Choice.ACCP, () -> MISSING));
    assertTrue(e.getMessage().startsWith("LGW_CRYPTO_PROVIDER=accp, but the native Amazon Corretto Crypto Provider "
        + "cannot run on "), e.getMessage());
    assertTrue(e.getMessage().endsWith("use auto, bc or jdk"), e.getMessage());
  }

  @Test
  void bcAndJdkNeverTouchTheNativeLibrary() {
    AtomicInteger loads = new AtomicInteger();
    CryptoProviders.select(Choice.BC, () -> {
      loads.incrementAndGet();
      return MISSING;
    });
    CryptoProviders.select(Choice.JDK, () -> {
      loads.incrementAndGet();
      return MISSING;
    });
    assertEquals(0, loads.get());
  }

  @Test
  void onLinuxX8664TheShippedNativeBuildLoads() {
    Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux")
        && System.getProperty("os.arch").equals("amd64"), "ACCP ships for Linux x86-64 only");
    Native accp = CryptoProviders.loadNative();
    assertEquals(null, accp.problem());
    assertEquals("AmazonCorrettoCryptoProvider", accp.provider().getName());
  }

  /** The fallbacks forced on: a ring's signature over real bytes verifies with the JDK and the published key. */
  @ParameterizedTest
  @EnumSource(value = Choice.class, names = {"BC", "JDK", "AUTO"})
  void forcedFallbackSignersSignWhatTheJdkVerifies(Choice choice) throws Exception {
    Selection selection = choice == Choice.AUTO
        ? CryptoProviders.select(choice, () -> MISSING) // auto as on a Mac
        : CryptoProviders.select(choice, CryptoProviders::loadNative);
    Path dir = Files.createTempDirectory("lgw-provider-keys");
    SigningKeys.generate(SigningAlg.RSA_SHA256, dir);
    SigningKeys.generate(SigningAlg.ED25519, dir);
    KeyRing ring = new KeyRing(SigningKeys.load(dir), selection);
    byte[] data = "{\"license_key\":\"ABCDE\",\"valid\":true}".getBytes(StandardCharsets.UTF_8);
    for (SigningAlg alg : SigningAlg.values()) {
      KeyRing.ResponseSigner signer = ring.signer(alg).orElseThrow();
      String expectedName = selection.forAlg(alg) == null ? "JDK" : selection.forAlg(alg).getName();
      assertTrue(signer.provider().startsWith(expectedName + " (LGW_CRYPTO_PROVIDER=" + choice.name().toLowerCase()),
          signer.provider());
      byte[] signature = Base64.getDecoder().decode(signer.sign(data));
      SigningKey key = ring.keys().stream().filter(k -> k.kid().equals(signer.kid())).findFirst().orElseThrow();
      Signature verifier = Signature.getInstance(alg.jcaSignature());
      verifier.initVerify(key.publicKey());
      verifier.update(data);
      assertTrue(verifier.verify(signature), alg + " signature by " + signer.provider() + " does not verify");
      verifier.initVerify(key.publicKey());
      verifier.update("{\"license_key\":\"ABCDF\",\"valid\":true}".getBytes(StandardCharsets.UTF_8));
      assertTrue(!verifier.verify(signature), "a signature that verifies anything proves nothing");
    }
  }
}
