package dev.licensegateway.manage;

import java.util.Set;
import java.util.UUID;

/** The API key a management (or /v1) request authenticated with. */
public record Caller(UUID keyId, UUID accountId, String environment, Set<String> scopes) {

  public boolean has(String scope) {
    return scopes.contains(scope);
  }
}
