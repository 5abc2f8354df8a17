package dev.licensegateway.http;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Tells a dependency outage (answered 503, retryable) from a defect (answered 500). */
public final class Failures {

  private Failures() {}

  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof IOException || t instanceof ClosedConnectionException) {
        return true;
      }
      String name = t.getClass().getName();
      String message = String.valueOf(t.getMessage());
      if (name.contains("Timeout") || name.contains("Connect")
          || t instanceof VertxException && (message.contains("onnection") || message.contains("closed")
              || message.contains("timeout") || message.contains("No handlers"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
