package dev.licensegateway.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Issue 11, item 11: every password of a Postgres or Redis URI is masked where a URI is shown. */
class UrisTest {

  @Test
  void passwordsOfBothKindsOfUriAreMasked() {
    assertEquals("postgresql://lgw:***@db:5432/lgw", Uris.redact("postgresql://lgw:S3cret@db:5432/lgw"));
    assertEquals("redis://:***@redis:6379", Uris.redact("redis://:S3cretRedisPass@redis:6379"));
    assertEquals("rediss://default:***@redis:6380/0", Uris.redact("rediss://default:pw@redis:6380/0"));
    // A lone userinfo is the password to a Redis client.
    assertEquals("redis://***@redis:6379", Uris.redact("redis://S3cret@redis:6379"));
    assertEquals("postgresql://lgw@db/lgw", Uris.redact("postgresql://lgw@db/lgw"));
    // Unescaped '@' or '/' in a password: everything up to the last '@' goes.
    assertEquals("postgresql://lgw:***@db:5432/lgw", Uris.redact("postgresql://lgw:p@ss/w0rd@db:5432/lgw"));
    assertEquals("postgresql://db/lgw?user=lgw&password=***&sslmode=require",
        Uris.redact("postgresql://db/lgw?user=lgw&password=S3cret&sslmode=require"));
  }

  @Test
  void everyNodeOfAClusterListIsMasked() {
    assertEquals("redis://:***@a:7000,redis://:***@b:7001,redis://c:7002",
        Uris.redact("redis://:one@a:7000,redis://:two@b:7001,redis://c:7002"));
  }

  @Test
  void aUriWithoutCredentialsIsUnchanged() {
    assertEquals("redis://127.0.0.1:6379", Uris.redact("redis://127.0.0.1:6379"));
    assertEquals("postgresql://db:5432/lgw", Uris.redact("postgresql://db:5432/lgw"));
    assertEquals(null, Uris.redact(null));
  }
}
