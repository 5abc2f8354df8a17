package dev.licensegateway.client;

/** Told of each heartbeat; runs on the client's heartbeat thread, so it should return quickly. */
@FunctionalInterface
public interface HeartbeatListener {

  /** A heartbeat failed; {@link HeartbeatFailure#stopped()} says whether the heartbeats ended. */
  void onFailure(HeartbeatFailure failure);

  /** A heartbeat was recorded; the result says when the next one is due. */
  default void onSuccess(LicenseResult result) {}
}
