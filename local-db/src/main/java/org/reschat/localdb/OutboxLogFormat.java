package org.reschat.localdb;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.internal.page.PageLimits;

/**
 * The bytes of a feed's outbox log ({@link OutboxLog}). A 16-byte header: {@code RCOL}, the version (u32, 1) and
 * a generation (u64, random, new at every rewrite). Then records (the first says up to which page the feed's
 * page files go), each {@code u32 length}, {@code body} of that
 * length, {@code u32 CRC-32C} of the length and body (big-endian). A body is a kind (u8), a page number (u64) and,
 * for {@link Kind#QUEUED} and {@link Kind#VERIFIED}, the page's sealed value (UTF-8, the rest of the body).
 *
 * <p>A record that is cut short, whose length is impossible or whose checksum fails is where the log ends: a write
 * a crash cut off, after the last fsync (what was fsynced is whole). A record that passes its checksum but makes no
 * sense is damage, reported, never skipped.
 */
final class OutboxLogFormat {
  static final int HEADER = 16;
  static final int VERSION = 1;
  /** Kind and page number, then at most the largest sealed page. */
  static final int MAX_BODY = 9 + PageLimits.MAX_VALUE_CHARS;
  private static final byte[] MAGIC = {'R', 'C', 'O', 'L'};

  /** What a record says about page {@code page} of the feed. */
  enum Kind {
    /** This version is queued: durable before the store sees it. */
    QUEUED(1),
    /** The store confirmed the version queued: it is the verified copy now, out of the outbox. */
    CONFIRMED(2),
    /** The version queued is dropped (the store already held it, or a newer one). */
    REMOVED(3),
    /** This version is the verified copy (a page of this feed saved while the log holds the feed's pages). */
    VERIFIED(4),
    /**
     * The feed's page files go up to this page (0: none). First in a log, new or rewritten: while a log exists,
     * only its compaction writes those files, so the feed's newest page is known without listing them.
     */
    PAGE_FILES(5);

    final int code;

    Kind(int code) {
      this.code = code;
    }

    boolean carriesValue() {
      return this == QUEUED || this == VERIFIED;
    }

    static Kind of(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      return null;
    }
  }

  record Entry(Kind kind, long page, String value) {}

  /** What a scan found: the records that are whole, and how many bytes they take from where it started. */
  record Scan(List<Entry> entries, int length) {}

  /** A record whose checksum holds but whose content cannot be: damage, not a torn write. */
  static final class Damaged extends Exception {
    Damaged(String problem) {
      super(problem);
    }
  }

  private OutboxLogFormat() {}

  static byte[] header(long generation) {
    return ByteBuffer.allocate(HEADER).put(MAGIC).putInt(VERSION).putLong(generation).array();
  }

  /** The generation a header names. */
  static long generation(byte[] header) throws Damaged {
    ByteBuffer b = ByteBuffer.wrap(header);
    byte[] magic = new byte[MAGIC.length];
    if (header.length < HEADER) {
      throw new Damaged("it is too short to be an outbox log");
    }
    b.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new Damaged("it does not start as an outbox log");
    }
    int version = b.getInt();
    if (version != VERSION) {
      throw new Damaged("its version " + Integer.toUnsignedString(version) + " is not " + VERSION
          + "; a newer ResChat may have written it");
    }
    return b.getLong();
  }

  static byte[] record(Kind kind, long page, String value) {
    byte[] v = kind.carriesValue() ? value.getBytes(StandardCharsets.UTF_8) : new byte[0];
    ByteBuffer b = ByteBuffer.allocate(4 + 9 + v.length + 4);
    b.putInt(9 + v.length).put((byte) kind.code).putLong(page).put(v);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    return b.putInt((int) crc.getValue()).array();
  }

  /** The length of the record that queues {@code value}: a sealed page is base64url, one byte a character. */
  static long recordLength(String value) {
    return 4 + 9 + value.length() + 4;
  }

  /** The whole records in {@code bytes}, in order, up to the first that is not whole (a torn tail). */
  static Scan scan(byte[] bytes) throws Damaged {
    List<Entry> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int end = 0;
    while (b.remaining() >= 4) {
      int start = b.position();
      int length = b.getInt();
      if (length < 9 || length > MAX_BODY || b.remaining() < length + 4) {
        break; // a length no writer writes, or a record cut short
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes, start, 4 + length);
      b.position(start + 4 + length);
      if (b.getInt() != (int) crc.getValue()) {
        break;
      }
      out.add(entry(bytes, start + 4, length));
      end = b.position();
    }
    return new Scan(out, end);
  }

  private static Entry entry(byte[] bytes, int from, int length) throws Damaged {
    ByteBuffer b = ByteBuffer.wrap(bytes, from, length);
    Kind kind = Kind.of(b.get() & 0xFF);
    long page = b.getLong();
    if (kind == null) {
      throw new Damaged("a record of an unknown kind " + (bytes[from] & 0xFF));
    }
    if (page < (kind == Kind.PAGE_FILES ? 0 : 1) || page > 1L << 53) {
      throw new Damaged("a record names page " + page);
    }
    if (!kind.carriesValue()) {
      if (length != 9) {
        throw new Damaged("a " + kind + " record carries a value");
      }
      return new Entry(kind, page, null);
    }
    String value;
    try {
      value = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
      Envelope.checkQueuedForm(value);
    } catch (CharacterCodingException e) {
      throw new Damaged("page " + page + " is not UTF-8 text");
    } catch (PageFormatException e) {
      throw new Damaged("page " + page + ": " + e.getMessage());
    }
    return new Entry(kind, page, value);
  }
}
