package dev.licensegateway.store.migration;

import dev.licensegateway.licensing.Heartbeats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * docs/domain.md slot release: a machine silent past its policy's release time no longer holds a
 * slot. The time is computed by {@link Heartbeats} alone and stored on the policy, so that
 * every statement that counts slots (the core's context, the management documents) reads
 * one number instead of re-deriving it. A Java migration, so that existing policies are
 * filled by that same rule.
 */
public final class V4__policy_slot_release extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE policies ADD COLUMN slot_release_s integer");
    }
    List<Integer> intervals = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(
            "SELECT DISTINCT heartbeat_interval_s FROM policies WHERE heartbeat_interval_s IS NOT NULL")) {
      while (rows.next()) {
        intervals.add(rows.getInt(1));
      }
    }
    try (PreparedStatement update = c.prepareStatement(
        "UPDATE policies SET slot_release_s = ? WHERE heartbeat_interval_s = ?")) {
      for (int interval : intervals) {
        update.setLong(1, Heartbeats.slotReleaseSeconds(interval));
        update.setInt(2, interval);
        update.addBatch();
      }
      update.executeBatch();
    }
    try (Statement s = c.createStatement()) {
      // No writer can set an interval without its release time, or keep a stale one.
      s.execute("ALTER TABLE policies ADD CONSTRAINT policies_slot_release "
          + "CHECK ((heartbeat_interval_s IS NULL) = (slot_release_s IS NULL))");
    }
  }
}
