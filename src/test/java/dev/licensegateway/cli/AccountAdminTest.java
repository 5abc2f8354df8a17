package dev.licensegateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.licensegateway.infra.Secrets;
import dev.licensegateway.testing.Fixtures;
import dev.licensegateway.testing.TestServers;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** docs/operations.md `admin`: accounts are the operator's, managed from the command line. */
class AccountAdminTest {

  @Test
  void createAccountMakesAnAllScopeLiveKeyStoredOnlyAsItsDigest() throws Exception {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      AccountAdmin.NewAccount account = admin.createAccount("Acme", 25L);
      assertTrue(account.apiKey().matches("lk_live_[0-9A-Za-z]{32}"));
      assertEquals(10, AccountAdmin.ALL_SCOPES.size(), "every scope, webhooks:read and webhooks:write too");
      assertTrue(AccountAdmin.ALL_SCOPES.containsAll(List.of("webhooks:read", "webhooks:write")));
      assertEquals(25, Fixtures.count("SELECT credits FROM accounts WHERE id = ?", account.id()));
      assertEquals(1, Fixtures.count("SELECT count(*) FROM api_keys WHERE account_id = ? AND key_digest = ? "
          + "AND environment = 'live' AND scopes @> ?::text[] AND cardinality(scopes) = " + AccountAdmin.ALL_SCOPES.size(),
          account.id(), Secrets.digest(account.apiKey()), "{" + String.join(",", AccountAdmin.ALL_SCOPES) + "}"));
      // Every column of every row of the account, as text: neither the key nor its secret part appears.
      String secretPart = account.apiKey().substring("lk_live_".length());
      for (String table : List.of("api_keys k WHERE k.account_id = ?", "accounts k WHERE k.id = ?")) {
        assertEquals(0, Fixtures.count("SELECT count(*) FROM " + table
                + " AND (position(? IN k::text) > 0 OR position(? IN k::text) > 0)",
                account.id(), account.apiKey(), secretPart),
            "the plaintext key is stored nowhere: " + table);
      }
    }
  }

  @Test
  void setStatusAndAddCredits() throws Exception {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      AccountAdmin.NewAccount unlimited = admin.createAccount("Unlimited", null);
      for (String status : List.of("suspended", "billing_suspended", "active")) {
        admin.setStatus(unlimited.id(), status);
        assertEquals(1, Fixtures.count("SELECT count(*) FROM accounts WHERE id = ? AND status = ?", unlimited.id(),
            status));
      }
      assertThrows(IllegalArgumentException.class, () -> admin.setStatus(unlimited.id(), "deleted"));
      assertThrows(IllegalArgumentException.class, () -> admin.setStatus(UUID.randomUUID(), "active"));
      AccountAdmin.NewAccount limited = admin.createAccount("Limited", 4L);
      assertEquals(7, admin.addCredits(limited.id(), 3));
      assertThrows(IllegalArgumentException.class, () -> admin.addCredits(limited.id(), 0));
      assertThrows(IllegalArgumentException.class, () -> admin.addCredits(UUID.randomUUID(), 1));
    }
  }

  @Test
  void addingToAnUnlimitedAccountIsRefusedAndLeavesItUnlimited() throws Exception {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      AccountAdmin.NewAccount unlimited = admin.createAccount("Unlimited", null);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> admin.addCredits(unlimited.id(), 5));
      assertEquals("account " + unlimited.id() + " has unlimited credits; nothing was added (adding would start "
          + "counting). To give it a balance instead: admin set-credits " + unlimited.id() + " N", refused.getMessage());
      assertEquals(1, Fixtures.count("SELECT count(*) FROM accounts WHERE id = ? AND credits IS NULL", unlimited.id()),
          "still unlimited");
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
          () -> admin.addCredits(UUID.randomUUID(), 5));
      assertTrue(missing.getMessage().startsWith("no account "), missing.getMessage());
    }
  }

  @Test
  void setCreditsSwitchesBetweenUnlimitedAndABalance() throws Exception {
    try (AccountAdmin admin = new AccountAdmin(TestServers.get().postgresUri())) {
      AccountAdmin.NewAccount account = admin.createAccount("Switching", null);
      admin.setCredits(account.id(), 5L);
      assertEquals(5, Fixtures.count("SELECT credits FROM accounts WHERE id = ?", account.id()));
      assertEquals(8, admin.addCredits(account.id(), 3));
      admin.setCredits(account.id(), 0L);
      assertEquals(0, Fixtures.count("SELECT credits FROM accounts WHERE id = ?", account.id()));
      admin.setCredits(account.id(), null);
      assertEquals(1, Fixtures.count("SELECT count(*) FROM accounts WHERE id = ? AND credits IS NULL", account.id()));
      assertThrows(IllegalArgumentException.class, () -> admin.setCredits(account.id(), -1L));
      assertThrows(IllegalArgumentException.class, () -> admin.setCredits(UUID.randomUUID(), 1L));
    }
  }
}
