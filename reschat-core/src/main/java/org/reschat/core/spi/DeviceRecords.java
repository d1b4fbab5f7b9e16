package org.reschat.core.spi;

import java.util.Optional;
import java.util.regex.Pattern;
import org.reschat.core.LocalStateException;

/**
 * Part of {@link LocalState}: what the client keeps about linked devices (protocol §15), one small text record
 * per name: the newest device list it verified of each identity it reads, and this device's own device state.
 * The caller seals what must stay secret. Thread-safe; each call atomic and durable before it returns.
 */
public interface DeviceRecords {
  /** What a record's name is: 1 to 96 of {@code a-z 0-9 -}, starting with a letter (it names a file on disk). */
  Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,95}");

  /** The record called {@code name}; empty when there is none. */
  Optional<String> deviceRecord(String name) throws LocalStateException;

  /** Records {@code value} under {@code name}, replacing what was there. */
  void saveDeviceRecord(String name, String value) throws LocalStateException;

  /**
   * Checks a record name, for implementations: {@link #NAME}, tested character by character (a group's send and
   * receive read a record per member, and the pattern's matcher was a tenth of them; DeviceRecordNameTest holds
   * the two to the same answers).
   */
  static String checkName(String name) {
    if (!isName(name)) {
      throw new IllegalArgumentException("Not a device record name: " + name);
    }
    return name;
  }

  private static boolean isName(String name) {
    if (name == null || name.isEmpty() || name.length() > 96 || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (!(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-')) {
        return false;
      }
    }
    return true;
  }
}
