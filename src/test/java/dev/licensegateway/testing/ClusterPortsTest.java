package dev.licensegateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 11, item 17: cluster node ports come with their bus ports free, outside the ephemeral range. */
class ClusterPortsTest {

  @Test
  void eachPortAndItsBusPortAreFreeAndNoKernelPicksThemMeanwhile() throws Exception {
    List<Integer> ports;
    try (ClusterPorts reserved = ClusterPorts.reserve(3)) {
      ports = reserved.ports();
      assertEquals(3, ports.size());
      Set<Integer> all = new HashSet<>();
      for (int port : ports) {
        int bus = port + ClusterPorts.BUS_OFFSET;
        assertTrue(bus < 32_768, "bus port " + bus + " is in the range the kernel hands to outgoing connections");
        assertTrue(all.add(port) && all.add(bus), "port pairs overlap: " + ports);
      }
    }
    // Released, every one of the six binds: free for the nodes.
    for (int port : ports) {
      try (ServerSocket node = new ServerSocket(port); ServerSocket bus = new ServerSocket(port + ClusterPorts.BUS_OFFSET)) {
        assertTrue(node.isBound() && bus.isBound());
      }
    }
  }
}
