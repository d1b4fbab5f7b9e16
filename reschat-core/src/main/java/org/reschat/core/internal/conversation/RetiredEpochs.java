package org.reschat.core.internal.conversation;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.device.DeviceBook;
import org.reschat.core.internal.json.ParsedText;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.LocalState;

/**
 * The older epochs of direct chats this device reads on receive only now and then (protocol §3.1, "Retiring an
 * epoch"): every feed that counts there moved on to a newer epoch and this device read the old one once more after
 * it saw that, finding nothing new. History still reads them; receive reads one again once {@link #REVISIT_MILLIS}
 * passed since it last did (or the clock moved back), so what a late writer (a device 0 restored from its keys alone,
 * a page a ledger held back) still wrote there is shown as any message. Kept in the device record {@value #RECORD},
 * {@code {"v":1,"epochs":[id, …],"read":{id: millis, …}}}, so the mark and the time survive a restart and, like every
 * device record, a profile backup; not handed to a device linked later (the link bundle carries {@link PairEpochs}
 * only): it has read nothing yet. An epoch without a time (a record written before times were kept) is due.
 */
public final class RetiredEpochs {
  static final String RECORD = "retired";
  /** How often receive reads a retired epoch again: as often as device lists are read (§15.2). */
  public static final long REVISIT_MILLIS = DeviceBook.REFRESH_MILLIS;

  private final LocalState state;
  private final Clock clock;
  /** The record, parsed once per text (each retired epoch, when receive last read it): every pass asks. */
  private final ParsedText<Map<String, Long>> parsed = new ParsedText<>(RetiredEpochs::parse);

  public RetiredEpochs(LocalState state, Clock clock) {
    this.state = state;
    this.clock = clock;
  }

  /**
   * {@code chain} (a direct chat's epochs, oldest first) without the retired ones not due again; the newest is
   * always read.
   */
  public List<Conversation> live(List<Conversation> chain) throws LocalStateException {
    if (chain.size() == 1) {
      return chain; // most chats: no look-up of the record at all (a pass asks for every chat)
    }
    Map<String, Long> retired = load();
    if (retired.isEmpty()) {
      return chain;
    }
    Conversation newest = chain.get(chain.size() - 1);
    long now = clock.millis();
    return chain.stream().filter(c -> c == newest || !retired.containsKey(c.id()) || due(retired.get(c.id()), now))
        .toList();
  }

  /** Marks epoch {@code c} retired, just read: from now on receive reads it only every {@link #REVISIT_MILLIS}. */
  public void retire(Conversation c) throws LocalStateException {
    write(c, true);
  }

  /**
   * Notes that receive just read the epochs of {@code read} (those {@link #live} gave, or some of them): each retired
   * one among them is not read again for {@link #REVISIT_MILLIS}. One epoch read (the newest), or none retired, writes
   * nothing.
   */
  public void revisited(List<Conversation> read) throws LocalStateException {
    if (read.size() < 2) {
      return; // the newest alone, never retired: no look-up of the record (a live receive after a revocation)
    }
    Map<String, Long> retired = load();
    for (Conversation c : read) {
      if (retired.containsKey(c.id())) {
        write(c, false);
      }
    }
  }

  /**
   * Whether an epoch last read at {@code lastRead} is due: a clock moved back reads it rather than never, and no time
   * noted (a damaged record's smallest long: {@code now - lastRead} overflowed) puts it off for more than the period.
   */
  private static boolean due(long lastRead, long now) {
    return now < lastRead || lastRead <= now - REVISIT_MILLIS;
  }

  /** Adds {@code c} (when {@code add}) or notes its read (when not), with the time now; else writes nothing. */
  private synchronized void write(Conversation c, boolean add) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(RECORD)) {
      Map<String, Long> retired = new TreeMap<>(load());
      if (add == retired.containsKey(c.id())) {
        return; // retired already (its read just noted), or no longer retired: nothing to note
      }
      retired.put(c.id(), clock.millis());
      JsonArray epochs = new JsonArray();
      JsonObject read = new JsonObject();
      retired.forEach((id, at) -> {
        epochs.add(id);
        read.addProperty(id, at);
      });
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.add("epochs", epochs);
      o.add("read", read);
      state.saveDeviceRecord(RECORD, o.toString());
    }
  }

  private Map<String, Long> load() throws LocalStateException {
    Optional<String> text = state.deviceRecord(RECORD);
    return text.isEmpty() ? Map.of() : parsed.of(text.get());
  }

  private static Map<String, Long> parse(String text) throws LocalStateException {
    try {
      JsonObject o = StrictJson.parseObject(text).orElseThrow();
      JsonObject read = o.has("read") ? o.getAsJsonObject("read") : new JsonObject();
      Map<String, Long> out = new TreeMap<>();
      for (JsonElement e : o.getAsJsonArray("epochs")) {
        String id = e.getAsString();
        out.put(id, read.has(id) ? read.get(id).getAsLong() : 0L);
      }
      return Map.copyOf(out);
    } catch (RuntimeException e) {
      throw new LocalStateException("This device's record of the direct chats' epochs it no longer receives in"
          + " (state/devices/" + RECORD + ".record) is damaged; move it aside: every epoch is read again until"
          + " retired anew.", e);
    }
  }
}
