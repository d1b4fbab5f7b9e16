package org.reschat.core;

import java.util.Optional;

/**
 * One device of an identity as its device list names it (protocol §15.2).
 *
 * @param number 0 for the device holding the identity key, then 1, 2, … never reused
 * @param id the first two groups of the device's fingerprint ({@code 3f9a 01c2}); device 0's is the card's
 * @param name the name it was linked under, where this device knows it (only the person's own devices do)
 * @param thisDevice whether it is the device this client runs on
 * @param revoked whether it is revoked
 * @param since the entry of the list that first named it
 */
public record DeviceInfo(int number, String id, Optional<String> name, boolean thisDevice, boolean revoked, long since) {}
