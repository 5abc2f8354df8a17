package dev.licensegateway.access;

import java.util.Set;
import java.util.UUID;

/** The API key a management or {@code /v1} request authenticated with. */
public record Caller(UUID keyId, UUID accountId, String environment, Set<Scope> scopes) {

  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }
}
