package dev.licensegateway.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Dev mode and the tests on macOS and Linux arm64 too: which binaries each platform starts,
 * and that the build really carries them (this machine runs only one of them).
 */
class DevPlatformTest {

  @ParameterizedTest
  @CsvSource({
      // os.name, os.arch as the JDK reports them on each platform
      "Mac OS X, aarch64, macOS arm64, postgres-darwin-arm_64.txz, redis-server-6.2.6-v5-darwin-arm64",
      "Mac OS X, x86_64, macOS x86-64, postgres-darwin-x86_64.txz, redis-server-6.2.6-v5-darwin-amd64",
      "Linux, aarch64, Linux arm64, postgres-linux-arm_64.txz, redis-server-6.2.7-linux-arm64",
      "Linux, amd64, Linux x86-64, postgres-linux-x86_64.txz, redis-server-6.2.6-v5-linux-amd64",
  })
  void eachPlatformStartsItsOwnBinariesAndTheBuildCarriesThem(String os, String arch, String name, String postgres,
      String redis) {
    DevPlatform platform = DevPlatform.of(os, arch);
    assertEquals(name, platform.name());
    assertEquals(postgres, platform.postgresArchive());
    assertEquals(redis, platform.redisExecutable());
    // The names the two libraries look up: present on this class path, whatever machine runs the tests.
    assertNotNull(getClass().getClassLoader().getResource(postgres), postgres + " is not on the class path");
    assertNotNull(getClass().getClassLoader().getResource(redis), redis + " is not on the class path");
    platform.requireBinaries();
  }

  @Test
  void anotherPlatformGetsAMessageSayingWhatToDo() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DevPlatform.of("Windows 11", "amd64"));
    assertEquals("no embedded Postgres and Redis for Windows 11/amd64 (they ship for Linux x86-64, Linux arm64, "
        + "macOS x86-64, macOS arm64): run a Postgres and a Redis yourself and use `run` with LGW_PG_URI and "
        + "LGW_REDIS_URI", e.getMessage());
    assertThrows(IllegalStateException.class, () -> DevPlatform.of("Linux", "ppc64le"));
  }

  @Test
  void thisMachineIsOneOfThem() {
    assertTrue(DevPlatform.SUPPORTED.contains(DevPlatform.current()));
  }
}
