package dev.licensegateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * CPU time of processes on this machine, from {@code /proc/<pid>/stat}, in clock ticks
 * ({@code getconf CLK_TCK}). Linux only; every reader answers empty where /proc says nothing.
 */
final class ProcCpu {

  private static final Path PROC = Path.of("/proc");

  private ProcCpu() {}

  /** Ticks per second, as {@code getconf CLK_TCK} reports it (100 on every Linux seen). */
  static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line = r.readLine();
        p.waitFor();
        return line == null ? 100 : Long.parseLong(line.trim());
      }
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /**
   * The fields of {@code /proc/<pid>/stat} after the command name, so that index 0 is field 3
   * (state), 1 is field 4 (ppid), 11 and 12 are utime and stime, 13 and 14 cutime and cstime.
   */
  private static String[] stat(long pid) {
    try {
      String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.US_ASCII);
      // The command name is in parentheses and may itself hold spaces or parentheses.
      return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** utime + stime of every thread of the process. */
  static OptionalLong ticks(long pid) {
    String[] f = stat(pid);
    return f == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
  }

  static OptionalLong parent(long pid) {
    String[] f = stat(pid);
    return f == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[1]));
  }

  /** The command name ({@code /proc/<pid>/comm}), or "" when the process is not visible here. */
  static String command(long pid) {
    try {
      return Files.readString(PROC.resolve(Long.toString(pid)).resolve("comm"), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A process tree's CPU: the root's own time plus that of the children it has reaped
   * (cutime + cstime), plus the time of every living child. A child that exits between two
   * readings moves from the second term to the first, so the sum over a run counts it once.
   * Postgres: the postmaster, its backends and its background workers.
   */
  static OptionalLong treeTicks(long root) {
    String[] f = stat(root);
    if (f == null) {
      return OptionalLong.empty();
    }
    long sum = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        String[] child = stat(Long.parseLong(name));
        if (child != null && Long.parseLong(child[1]) == root) {
          sum += Long.parseLong(child[11]) + Long.parseLong(child[12]);
        }
      }
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(sum);
  }

  /**
   * The whole machine from {@code /proc/stat}: {busy, steal, total} ticks over every CPU. Busy
   * is user + nice + system + irq + softirq; steal is time the hypervisor gave to other guests.
   */
  static long[] machine() {
    try {
      String first = Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII).get(0);
      String[] f = first.trim().split("\\s+");
      long[] v = new long[8];
      for (int i = 0; i < 8 && i + 1 < f.length; i++) {
        v[i] = Long.parseLong(f[i + 1]);
      }
      // user nice system idle iowait irq softirq steal (guest time is already inside user)
      long busy = v[0] + v[1] + v[2] + v[5] + v[6];
      long total = busy + v[3] + v[4] + v[7];
      return new long[] {busy, v[7], total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
