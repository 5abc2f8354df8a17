package dev.licensegateway.signing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The signing keys of one gateway: the newest key of each algorithm signs, every key is
 * published as a JWKS (docs/native-protocol.md) so clients keep verifying across a rotation.
 */
public final class KeyRing {

  private final List<SigningKey> keys;
  private final Map<SigningAlg, ResponseSigner> signers = new EnumMap<>(SigningAlg.class);
  private final JsonObject jwks;

  public KeyRing(List<SigningKey> keys) {
    this(keys, CryptoProviders.current());
  }

  /** Signs with the providers of {@code providers} instead of this process's choice. */
  public KeyRing(List<SigningKey> keys, CryptoProviders.Selection providers) {
    this.keys = List.copyOf(keys);
    for (SigningAlg alg : SigningAlg.values()) {
      keys.stream()
          .filter(k -> k.alg() == alg && k.canSign())
          .max(Comparator.comparing(SigningKey::createdStamp).thenComparing(SigningKey::kid))
          .ifPresent(k -> signers.put(alg, new ResponseSigner(k, providers)));
    }
    JsonArray published = new JsonArray();
    keys.stream().sorted(Comparator.comparing(SigningKey::kid)).forEach(k -> published.add(jwk(k)));
    this.jwks = new JsonObject().put("keys", published);
  }

  public Optional<ResponseSigner> signer(SigningAlg alg) {
    return Optional.ofNullable(signers.get(alg));
  }

  public List<SigningKey> keys() {
    return keys;
  }

  public JsonObject jwks() {
    return jwks.copy();
  }

  private static JsonObject jwk(SigningKey key) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    // docs/native-protocol.md: the JWKS speaks JOSE (RS256; EdDSA on an OKP key), the envelope the contract's names.
    JsonObject jwk = new JsonObject().put("kid", key.kid()).put("alg", key.alg().joseName()).put("use", "sig");
    if (key.alg() == SigningAlg.RSA_SHA256) {
      RSAPublicKey rsa = (RSAPublicKey) key.publicKey();
      jwk.put("kty", "RSA")
          .put("n", b64.encodeToString(unsigned(rsa.getModulus())))
          .put("e", b64.encodeToString(unsigned(rsa.getPublicExponent())));
    } else {
      // An Ed25519 SPKI is a fixed 12-byte header followed by the 32-byte public key (RFC 8410).
      byte[] spki = key.publicKey().getEncoded();
      jwk.put("kty", "OKP").put("crv", "Ed25519")
          .put("x", b64.encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
    }
    return jwk;
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 && bytes.length > 1 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  /** Signs with one key; each thread keeps its own initialised {@link Signature}, which is not thread-safe. */
  public static final class ResponseSigner {
    private final SigningKey key;
    private final CryptoProviders.Selection providers;
    private final ThreadLocal<Signature> perThread;

    ResponseSigner(SigningKey key, CryptoProviders.Selection providers) {
      this.key = key;
      this.providers = providers;
      this.perThread = ThreadLocal.withInitial(this::newSignature);
      newSignature(); // fail at start, not on the first request, if the provider rejects the key
    }

    public String kid() {
      return key.kid();
    }

    public SigningAlg alg() {
      return key.alg();
    }

    /** Who computes this key's signatures, and why (printed at start). */
    public String provider() {
      return providers.describe(key.alg());
    }

    /** Base64 (standard alphabet, padded) of the signature over {@code data}. */
    public String sign(byte[] data) {
      try {
        Signature signature = perThread.get();
        signature.update(data);
        return Base64.getEncoder().encodeToString(signature.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("signing failed with key " + key.kid(), e);
      }
    }

    private Signature newSignature() {
      try {
        var provider = providers.forAlg(key.alg());
        Signature signature = provider == null
            ? Signature.getInstance(key.alg().jcaSignature())
            : Signature.getInstance(key.alg().jcaSignature(), provider);
        signature.initSign(key.privateKey());
        return signature;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign with key " + key.kid() + ": " + e.getMessage(), e);
      }
    }
  }
}
