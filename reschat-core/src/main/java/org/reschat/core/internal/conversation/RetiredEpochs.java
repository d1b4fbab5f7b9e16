package org.reschat.core.internal.conversation;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.spi.LocalState;

/**
 * The older epochs of direct chats this device no longer reads on receive (protocol §3.1, "Retiring an epoch"):
 * every feed that counts there moved on to a newer epoch and this device read the old one once more after it saw
 * that, finding nothing new. History still reads them. Kept in the device record {@value #RECORD},
 * {@code {"v":1,"epochs":[id, …]}}, so the mark survives a restart and, like every device record, a profile backup;
 * not handed to a device linked later (the link bundle carries {@link PairEpochs} only): it has read nothing yet.
 */
public final class RetiredEpochs {
  static final String RECORD = "retired";

  private final LocalState state;
  /** The record as last read, and what it held: every receive pass asks for every chat. */
  private String cachedText;
  private Set<String> cached = Set.of();

  public RetiredEpochs(LocalState state) {
    this.state = state;
  }

  /** {@code chain} (a direct chat's epochs, oldest first) without the retired ones; the newest is always read. */
  public List<Conversation> live(List<Conversation> chain) throws LocalStateException {
    if (chain.size() == 1) {
      return chain; // most chats: no look-up of the record at all (a pass asks for every chat)
    }
    Set<String> retired = load();
    if (retired.isEmpty()) {
      return chain;
    }
    Conversation newest = chain.get(chain.size() - 1);
    return chain.stream().filter(c -> c == newest || !retired.contains(c.id())).toList();
  }

  /** Marks epoch {@code c} retired: from now on only history reads it. */
  public synchronized void retire(Conversation c) throws LocalStateException {
    try (LocalState.Lock lock = state.lock(RECORD)) {
      Set<String> retired = new TreeSet<>(load());
      if (!retired.add(c.id())) {
        return;
      }
      JsonArray epochs = new JsonArray();
      retired.forEach(epochs::add);
      JsonObject o = new JsonObject();
      o.addProperty("v", 1);
      o.add("epochs", epochs);
      state.saveDeviceRecord(RECORD, o.toString());
    }
  }

  private synchronized Set<String> load() throws LocalStateException {
    Optional<String> text = state.deviceRecord(RECORD);
    if (text.isEmpty()) {
      return Set.of();
    }
    if (!text.get().equals(cachedText)) {
      cached = parse(text.get());
      cachedText = text.get();
    }
    return cached;
  }

  private static Set<String> parse(String text) throws LocalStateException {
    try {
      JsonObject o = StrictJson.parseObject(text).orElseThrow();
      Set<String> out = new TreeSet<>();
      for (JsonElement e : o.getAsJsonArray("epochs")) {
        out.add(e.getAsString());
      }
      return Set.copyOf(out);
    } catch (RuntimeException e) {
      throw new LocalStateException("This device's record of the direct chats' epochs it no longer receives in"
          + " (state/devices/" + RECORD + ".record) is damaged; move it aside: every epoch is read again until"
          + " retired anew.", e);
    }
  }
}
