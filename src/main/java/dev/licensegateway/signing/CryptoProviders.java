package dev.licensegateway.signing;

import java.security.Provider;
import java.util.Locale;
import java.util.function.Supplier;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Chooses who computes signatures, by {@code LGW_CRYPTO_PROVIDER} (or the system property
 * {@code lgw.crypto.provider}):
 * <ul>
 *   <li>{@code auto} (default): Amazon Corretto Crypto Provider (native AWS-LC) where it loads,
 *       else the JDK for RSA and BouncyCastle for Ed25519, whose JDK 17 signer is about 100
 *       times slower. The jar carries ACCP's Linux x86-64 build only: everywhere else (macOS,
 *       Linux arm64) the fallback signs.</li>
 *   <li>{@code accp}: ACCP or refuse to start.</li>
 *   <li>{@code bc}: BouncyCastle for both algorithms. {@code jdk}: the JDK's own providers.</li>
 * </ul>
 */
public final class CryptoProviders {

  public static final String VARIABLE = "LGW_CRYPTO_PROVIDER";

  /** What {@code LGW_CRYPTO_PROVIDER} asks for. */
  public enum Choice {
    AUTO, ACCP, BC, JDK;

    public static Choice parse(String value) {
      if (value == null || value.isBlank()) {
        return AUTO;
      }
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "auto" -> AUTO;
        case "accp" -> ACCP;
        case "bc", "bouncycastle" -> BC;
        case "jdk" -> JDK;
        default -> throw new IllegalArgumentException(
            VARIABLE + " must be auto, accp, bc or jdk, not '" + value.trim() + "'");
      };
    }
  }

  /** The native provider when it loaded, or why it did not. */
  public record Native(Provider provider, String problem) {
    static Native unavailable(String problem) {
      return new Native(null, problem);
    }
  }

  /** The providers one process signs with; a null provider means the JDK's default. */
  public record Selection(Choice choice, Provider rsa, Provider ed25519, String nativeProblem) {

    public Provider forAlg(SigningAlg alg) {
      return alg == SigningAlg.ED25519 ? ed25519 : rsa;
    }

    /** e.g. {@code "AmazonCorrettoCryptoProvider"}, {@code "BC (LGW_CRYPTO_PROVIDER=auto; ACCP: …)"}. */
    public String describe(SigningAlg alg) {
      Provider p = forAlg(alg);
      String name = p == null ? "JDK" : p.getName();
      StringBuilder why = new StringBuilder(VARIABLE).append('=').append(choice.name().toLowerCase(Locale.ROOT));
      if (nativeProblem != null && choice == Choice.AUTO) {
        why.append("; native ACCP unavailable: ").append(nativeProblem);
      }
      return name + " (" + why + ")";
    }

    public boolean nativeInUse() {
      return (rsa != null && rsa.getName().startsWith("AmazonCorretto"))
          || (ed25519 != null && ed25519.getName().startsWith("AmazonCorretto"));
    }
  }

  private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();
  private static volatile Selection current;

  private CryptoProviders() {}

  /**
   * The selection rule: {@code accp} loads the native provider or fails naming the variable;
   * {@code auto} falls back without failing; the native library is not touched for bc or jdk.
   */
  public static Selection select(Choice choice, Supplier<Native> nativeLoader) {
    return switch (choice) {
      case BC -> new Selection(choice, BOUNCY_CASTLE, BOUNCY_CASTLE, null);
      case JDK -> new Selection(choice, null, null, null);
      case ACCP -> {
        Native loaded = nativeLoader.get();
        if (loaded.provider() == null) {
          throw new IllegalStateException(VARIABLE + "=accp, but the native Amazon Corretto Crypto Provider "
              + "cannot run on " + platform() + " (" + loaded.problem() + "): use auto, bc or jdk");
        }
        yield new Selection(choice, loaded.provider(), loaded.provider(), null);
      }
      case AUTO -> {
        Native loaded = nativeLoader.get();
        yield loaded.provider() != null
            ? new Selection(choice, loaded.provider(), loaded.provider(), null)
            : new Selection(choice, null, BOUNCY_CASTLE, loaded.problem());
      }
    };
  }

  /** This process's selection, from the environment, made once. */
  public static Selection current() {
    Selection s = current;
    if (s == null) {
      synchronized (CryptoProviders.class) {
        s = current;
        if (s == null) {
          String setting = System.getProperty("lgw.crypto.provider", System.getenv(VARIABLE));
          s = select(Choice.parse(setting), CryptoProviders::loadNative);
          current = s;
        }
      }
    }
    return s;
  }

  /** The provider for an algorithm's signatures and keys; null means the JDK's default. */
  public static Provider forAlg(SigningAlg alg) {
    return current().forAlg(alg);
  }

  public static String describe(SigningAlg alg) {
    return current().describe(alg);
  }

  public static boolean nativeAvailable() {
    return current().nativeInUse();
  }

  public static Provider bouncyCastle() {
    return BOUNCY_CASTLE;
  }

  static String platform() {
    return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
  }

  /** ACCP where its native library loads and passes its self-test; never throws. */
  public static Native loadNative() {
    try {
      Class<?> type = Class.forName("com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider");
      Provider accp = (Provider) type.getField("INSTANCE").get(null);
      Object error = type.getMethod("getLoadingError").invoke(accp);
      if (error != null) {
        return Native.unavailable("no native build for " + platform() + ": " + error);
      }
      type.getMethod("assertHealthy").invoke(accp);
      return new Native(accp, null);
    } catch (ClassNotFoundException e) {
      return Native.unavailable("not in this build");
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return Native.unavailable(cause.toString());
    } catch (LinkageError | RuntimeException e) {
      return Native.unavailable(e.toString());
    }
  }
}
