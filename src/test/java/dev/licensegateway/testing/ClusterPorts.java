package dev.licensegateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the nodes of an embedded Redis Cluster. A node listens on its port and on its
 * cluster bus port, the port + 10000; both must be free when it starts. Both are taken below
 * Linux's ephemeral range (from 32768), where the kernel never hands a port to an outgoing
 * connection meanwhile, and each pair is checked by binding it, all pairs held until the caller
 * is about to start the nodes. What is left, another process binding one between the check and
 * the start, the caller survives by picking again ({@link #reserve}).
 */
public final class ClusterPorts implements AutoCloseable {

  /** Redis's fixed offset of the cluster bus port. */
  public static final int BUS_OFFSET = 10_000;
  private static final int LOWEST = 12_000;
  /** Port + 10000 must stay below the ephemeral range, which starts at 32768. */
  private static final int HIGHEST = 32_768 - BUS_OFFSET - 1;

  private final List<Integer> ports = new ArrayList<>();
  private final List<ServerSocket> held = new ArrayList<>();

  private ClusterPorts() {}

  /** {@code nodes} distinct ports whose bus ports are free too, held (bound) until {@link #close}. */
  public static ClusterPorts reserve(int nodes) {
    ClusterPorts reserved = new ClusterPorts();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int tries = 0;
    while (reserved.ports.size() < nodes) {
      if (++tries > 10_000) {
        reserved.close();
        throw new IllegalStateException("no free port pair for a Redis Cluster node in " + LOWEST + "-" + HIGHEST);
      }
      int port = random.nextInt(LOWEST, HIGHEST + 1);
      if (reserved.ports.contains(port) || reserved.ports.contains(port - BUS_OFFSET)) {
        continue;
      }
      ServerSocket node = bind(port);
      if (node == null) {
        continue;
      }
      ServerSocket bus = bind(port + BUS_OFFSET);
      if (bus == null) {
        closeQuietly(node);
        continue;
      }
      reserved.ports.add(port);
      reserved.held.add(node);
      reserved.held.add(bus);
    }
    return reserved;
  }

  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Frees the ports for the nodes, at the last moment before they start. */
  @Override
  public void close() {
    held.forEach(ClusterPorts::closeQuietly);
    held.clear();
  }

  private static ServerSocket bind(int port) {
    try {
      // Bound the way Redis binds (all addresses, address reuse on), so "free" means free for it.
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new java.net.InetSocketAddress((InetAddress) null, port));
      return socket;
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing held any more either way
    }
  }
}
