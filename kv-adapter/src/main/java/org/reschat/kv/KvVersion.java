package org.reschat.kv;

import java.time.Instant;

/**
 * One stored version of a key in a store that keeps every version (a ledger).
 *
 * @param sequence position in the store's total write order; larger is newer
 * @param value the value written
 * @param writtenAt when the store recorded it
 */
public record KvVersion(long sequence, String value, Instant writtenAt) {}
