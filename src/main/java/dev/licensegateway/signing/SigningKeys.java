package dev.licensegateway.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Signing keys on disk: {@code <kid>.key.pem} (PKCS#8) and {@code <kid>.pub.pem} (SPKI).
 * A kid is {@code <alg>-<UTC yyyyMMddTHHmmssZ>-<8 hex of the public key's SHA-256>}; a key
 * whose private half is removed is retired: still published, never used to sign.
 */
public final class SigningKeys {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final String PRIVATE_SUFFIX = ".key.pem";
  private static final String PUBLIC_SUFFIX = ".pub.pem";

  private SigningKeys() {}

  /** Writes a new key pair into {@code dir} and returns its kid. */
  public static String generate(SigningAlg alg, Path dir) throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(alg.jcaKey());
    if (alg == SigningAlg.RSA_SHA256) {
      generator.initialize(2048);
    }
    KeyPair pair = generator.generateKeyPair();
    byte[] spki = pair.getPublic().getEncoded();
    String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki), 0, 4);
    String kid = alg.kidTag() + "-" + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + fingerprint;
    Files.createDirectories(dir);
    Path privateFile = dir.resolve(kid + PRIVATE_SUFFIX);
    Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    try {
      Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: its own ACLs apply
    }
    Files.writeString(dir.resolve(kid + PUBLIC_SUFFIX), pem("PUBLIC KEY", spki));
    return kid;
  }

  /** Reads every key pair and retired public key in {@code dir}; a file that does not parse is an error. */
  public static List<SigningKey> load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("signing keys directory " + dir + " does not exist");
    }
    List<SigningKey> keys = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path pub : files.filter(f -> f.getFileName().toString().endsWith(PUBLIC_SUFFIX)).sorted().toList()) {
        String name = pub.getFileName().toString();
        String kid = name.substring(0, name.length() - PUBLIC_SUFFIX.length());
        SigningAlg alg = SigningAlg.fromKidTag(kid.split("-")[0]);
        if (alg == null) {
          throw new IOException(pub + ": the kid does not start with rsa- or ed25519-");
        }
        Path priv = dir.resolve(kid + PRIVATE_SUFFIX);
        try {
          PublicKey publicKey = keyFactory(alg).generatePublic(new X509EncodedKeySpec(readPem(pub, "PUBLIC KEY")));
          PrivateKey privateKey = Files.exists(priv)
              ? keyFactory(alg).generatePrivate(new PKCS8EncodedKeySpec(readPem(priv, "PRIVATE KEY")))
              : null;
          keys.add(new SigningKey(kid, alg, publicKey, privateKey));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
          throw new IOException("cannot read signing key " + kid + ": " + e.getMessage(), e);
        }
      }
    }
    return keys;
  }

  static KeyFactory keyFactory(SigningAlg alg) throws GeneralSecurityException {
    Provider provider = CryptoProviders.forAlg(alg);
    if (provider != null) {
      try {
        return KeyFactory.getInstance(alg.jcaKey(), provider);
      } catch (GeneralSecurityException e) {
        // the provider signs but does not parse this key type: the JDK parses it
      }
    }
    return KeyFactory.getInstance(alg.jcaKey());
  }

  private static byte[] readPem(Path file, String type) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IOException(file + " is not a PEM " + type);
    }
    return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
