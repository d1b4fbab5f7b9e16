package org.reschat.core.internal.requests;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.reschat.core.InvalidCardException;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.board.Board;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.json.StrictJson;

/**
 * What this client remembers of its inbox, kept as one JSON record in the local state:
 *
 * <pre>{"v":2,"checked":"2026-11","last_check":MILLIS,"read":{"2026-11":{"high":3,"gaps":[[1,2]],"holes":[],"reads":5}},
 *  "requests":[{"card":"rc2:…","seen":MILLIS,"shown":false,"found_empty":MILLIS}],"ignored":[HEX…],"introduced":[HEX…],
 *  "queued":[{"card":"rc2:…","due":MILLIS,"tries":0}],"not_posted":["rc2:…"]}</pre>
 *
 * {@code read} is what was read of each month's board (version 1 kept the last slot read, a number: still
 * read), {@code checked} the month of the last check (a check reads every board since), {@code introduced}
 * the contacts this client has sent its own request to (or who wrote first, or whose request was given
 * up), {@code queued} the requests of its own waiting to be posted, {@code not_posted} those given up and
 * not yet reported to the person. Lists are capped, oldest dropped, so a flood cannot grow the file without bound.
 */
record InboxRecord(Optional<YearMonth> checked, Instant lastCheck, Map<YearMonth, Board.Cursor> read,
    List<Entry> requests, Set<String> ignored, Set<String> introduced, List<Queued> queued, List<PublicCard> notPosted) {
  static final int MAX_REQUESTS = 1024;
  static final int MAX_NAMES = 4096;

  /**
   * One person who asked: when this client first saw it, whether it was ever shown (with a message the
   * requester signed), and when their feed was last found empty ({@link Instant#EPOCH}: never).
   */
  record Entry(PublicCard card, Instant seen, boolean shown, Instant foundEmpty) {
    Entry(PublicCard card, Instant seen) {
      this(card, seen, false, Instant.EPOCH);
    }
  }

  /** A request of this client's own, to be posted to {@code card}'s inbox at {@code due} (see MessageRequests). */
  record Queued(PublicCard card, Instant due, int tries) {}

  InboxRecord(Optional<YearMonth> checked, Instant lastCheck, Map<YearMonth, Board.Cursor> read, List<Entry> requests,
      Set<String> ignored, Set<String> introduced) {
    this(checked, lastCheck, read, requests, ignored, introduced, List.of(), List.of());
  }

  /**
   * Keeps at most {@link #MAX_REQUESTS}: requests never shown (a flood's throwaway cards) go first, oldest
   * first, so a flood cannot push out a request that was shown.
   */
  InboxRecord {
    read = Map.copyOf(read);
    List<Entry> kept = new ArrayList<>(requests);
    for (int i = 0; kept.size() > MAX_REQUESTS && i < kept.size(); ) {
      if (!kept.get(i).shown()) {
        kept.remove(i);
      } else {
        i++;
      }
    }
    requests = List.copyOf(kept.subList(Math.max(0, kept.size() - MAX_REQUESTS), kept.size()));
    ignored = capped(ignored);
    introduced = capped(introduced);
    queued = List.copyOf(queued.subList(Math.max(0, queued.size() - MAX_NAMES), queued.size()));
    notPosted = List.copyOf(notPosted.subList(Math.max(0, notPosted.size() - MAX_NAMES), notPosted.size()));
  }

  static final InboxRecord EMPTY = new InboxRecord(Optional.empty(), Instant.EPOCH, Map.of(), List.of(), Set.of(),
      Set.of());

  boolean isQueued(PublicCard card) {
    return queued.stream().anyMatch(q -> q.card().equals(card));
  }

  static String hex(PublicCard card) {
    return HexFormat.of().formatHex(card.fingerprint());
  }

  boolean isIgnored(PublicCard card) {
    return ignored.contains(hex(card));
  }

  boolean wasIntroducedTo(PublicCard card) {
    return introduced.contains(hex(card));
  }

  boolean hasRequestFrom(PublicCard card) {
    return requests.stream().anyMatch(e -> e.card().equals(card));
  }

  InboxRecord withChecked(YearMonth month, Instant at, Map<YearMonth, Board.Cursor> newRead, List<Entry> newRequests) {
    return new InboxRecord(Optional.of(month), at, newRead, newRequests, ignored, introduced, queued, notPosted);
  }

  /** {@code card}'s request queued (again), replacing any queued before. */
  InboxRecord queuing(PublicCard card, Instant due, int tries) {
    List<Queued> q = new ArrayList<>(queued);
    q.removeIf(x -> x.card().equals(card));
    q.add(new Queued(card, due, tries));
    return new InboxRecord(checked, lastCheck, read, requests, ignored, introduced, q, notPosted);
  }

  /** {@code card} needs no request (any more): posted, or they wrote first. */
  InboxRecord introducedTo(PublicCard card) {
    Set<String> s = new LinkedHashSet<>(introduced);
    s.add(hex(card));
    List<Queued> q = new ArrayList<>(queued);
    q.removeIf(x -> x.card().equals(card));
    return new InboxRecord(checked, lastCheck, read, requests, ignored, s, q, notPosted);
  }

  /** {@code card}'s request given up: not tried again, and reported once. */
  InboxRecord givenUp(PublicCard card) {
    List<PublicCard> n = new ArrayList<>(notPosted);
    n.add(card);
    InboxRecord r = introducedTo(card);
    return new InboxRecord(r.checked, r.lastCheck, r.read, r.requests, r.ignored, r.introduced, r.queued, n);
  }

  InboxRecord reported() {
    return new InboxRecord(checked, lastCheck, read, requests, ignored, introduced, queued, List.of());
  }

  /** The same entries, each replaced by its version in {@code updated} if it has one. */
  InboxRecord withEntries(Map<PublicCard, Entry> updated) {
    return new InboxRecord(checked, lastCheck, read,
        requests.stream().map(e -> updated.getOrDefault(e.card(), e)).toList(), ignored, introduced, queued, notPosted);
  }

  InboxRecord withoutRequestFrom(PublicCard card) {
    return new InboxRecord(checked, lastCheck, read, requests.stream().filter(e -> !e.card().equals(card)).toList(),
        ignored, introduced, queued, notPosted);
  }

  InboxRecord ignoring(PublicCard card) {
    Set<String> s = new LinkedHashSet<>(ignored);
    s.add(hex(card));
    return new InboxRecord(checked, lastCheck, read, requests, s, introduced, queued, notPosted).withoutRequestFrom(card);
  }

  String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("v", 2);
    checked.ifPresent(m -> o.addProperty("checked", m.toString()));
    o.addProperty("last_check", lastCheck.toEpochMilli());
    JsonObject r = new JsonObject();
    new TreeMap<>(read).forEach((m, c) -> r.add(m.toString(), cursor(c)));
    o.add("read", r);
    JsonArray q = new JsonArray();
    for (Entry e : requests) {
      JsonObject x = new JsonObject();
      x.addProperty("card", e.card().toString());
      x.addProperty("seen", e.seen().toEpochMilli());
      x.addProperty("shown", e.shown());
      x.addProperty("found_empty", e.foundEmpty().toEpochMilli());
      q.add(x);
    }
    o.add("requests", q);
    o.add("ignored", strings(ignored));
    o.add("introduced", strings(introduced));
    JsonArray qs = new JsonArray();
    for (Queued x : queued) {
      JsonObject j = new JsonObject();
      j.addProperty("card", x.card().toString());
      j.addProperty("due", x.due().toEpochMilli());
      j.addProperty("tries", x.tries());
      qs.add(j);
    }
    o.add("queued", qs);
    JsonArray np = new JsonArray();
    notPosted.forEach(c -> np.add(c.toString()));
    o.add("not_posted", np);
    return o.toString();
  }

  private static JsonObject cursor(Board.Cursor c) {
    JsonObject o = new JsonObject();
    o.addProperty("high", c.high());
    JsonArray gaps = new JsonArray();
    for (Board.Gap g : c.gaps()) {
      JsonArray pair = new JsonArray();
      pair.add(g.from());
      pair.add(g.to());
      gaps.add(pair);
    }
    o.add("gaps", gaps);
    JsonArray holes = new JsonArray();
    c.holes().forEach(holes::add);
    o.add("holes", holes);
    o.addProperty("reads", c.reads());
    return o;
  }

  /** A board cursor: version 1's last slot read (every slot up to it read), or an object. */
  private static Board.Cursor cursor(JsonObject parent, String name) throws LocalStateException {
    JsonElement e = parent.get(name);
    if (e != null && e.isJsonPrimitive()) {
      return new Board.Cursor(StrictJson.integer(parent, name, 0, 1 << 20).orElseThrow(InboxRecord::damaged).intValue(),
          List.of(), 1);
    }
    if (e == null || !e.isJsonObject()) {
      throw damaged();
    }
    JsonObject o = e.getAsJsonObject();
    int high = (int) StrictJson.integer(o, "high", 0, Board.MAX_SLOT).orElseThrow(InboxRecord::damaged).longValue();
    int reads = (int) StrictJson.integer(o, "reads", 0, Integer.MAX_VALUE).orElseThrow(InboxRecord::damaged).longValue();
    List<Board.Gap> gaps = new ArrayList<>();
    for (JsonElement g : array(o, "gaps", Board.MAX_GAPS)) {
      if (!g.isJsonArray() || g.getAsJsonArray().size() != 2) {
        throw damaged();
      }
      JsonObject pair = new JsonObject();
      pair.add("from", g.getAsJsonArray().get(0));
      pair.add("to", g.getAsJsonArray().get(1));
      long from = StrictJson.integer(pair, "from", 1, high).orElseThrow(InboxRecord::damaged);
      long to = StrictJson.integer(pair, "to", from, high).orElseThrow(InboxRecord::damaged);
      gaps.add(new Board.Gap((int) from, (int) to));
    }
    List<Integer> holes = new ArrayList<>();
    for (JsonElement h : array(o, "holes", Board.MAX_HOLES)) {
      JsonObject one = new JsonObject();
      one.add("slot", h);
      holes.add((int) StrictJson.integer(one, "slot", 1, high).orElseThrow(InboxRecord::damaged).longValue());
    }
    return new Board.Cursor(high, gaps, holes, reads);
  }

  static InboxRecord parse(String text) throws LocalStateException {
    JsonObject o = StrictJson.parseObject(text).filter(x -> StrictJson.integer(x, "v", 1, 2).isPresent())
        .orElseThrow(InboxRecord::damaged);
    try {
      Optional<YearMonth> checked = StrictJson.string(o, "checked").map(InboxRecord::month);
      Map<YearMonth, Board.Cursor> read = new TreeMap<>();
      JsonElement r = o.get("read");
      if (r == null || !r.isJsonObject() || r.getAsJsonObject().size() > 64) {
        throw damaged();
      }
      for (String month : r.getAsJsonObject().keySet()) {
        read.put(month(month), cursor(r.getAsJsonObject(), month));
      }
      List<Entry> requests = new ArrayList<>();
      for (JsonElement e : array(o, "requests", MAX_REQUESTS)) {
        if (!e.isJsonObject()) {
          throw damaged();
        }
        JsonObject x = e.getAsJsonObject();
        requests.add(new Entry(PublicCard.parse(StrictJson.string(x, "card").orElseThrow(InboxRecord::damaged)),
            millis(x, "seen"), StrictJson.bool(x, "shown").orElseThrow(InboxRecord::damaged), millis(x, "found_empty")));
      }
      List<Queued> queued = new ArrayList<>();
      List<PublicCard> notPosted = new ArrayList<>();
      if (o.has("queued") || o.has("not_posted")) { // version 2
        for (JsonElement e : array(o, "queued", MAX_NAMES)) {
          if (!e.isJsonObject()) {
            throw damaged();
          }
          JsonObject x = e.getAsJsonObject();
          queued.add(new Queued(PublicCard.parse(StrictJson.string(x, "card").orElseThrow(InboxRecord::damaged)),
              millis(x, "due"), (int) StrictJson.integer(x, "tries", 0, 1000).orElseThrow(InboxRecord::damaged).longValue()));
        }
        for (JsonElement e : array(o, "not_posted", MAX_NAMES)) {
          if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw damaged();
          }
          notPosted.add(PublicCard.parse(e.getAsString()));
        }
      }
      return new InboxRecord(checked, millis(o, "last_check"), read, requests, hexes(o, "ignored"),
          hexes(o, "introduced"), queued, notPosted);
    } catch (DateTimeParseException | InvalidCardException e) {
      throw damaged();
    }
  }

  /** A month as the record spells it; a year far outside the calendar's use is damage (check() does month arithmetic). */
  private static YearMonth month(String text) {
    YearMonth m = YearMonth.parse(text);
    if (m.getYear() < 1970 || m.getYear() > 9999) {
      throw new DateTimeParseException("month out of range", text, 0);
    }
    return m;
  }

  /** An instant in milliseconds, from 1970 to the year 9999. */
  private static Instant millis(JsonObject o, String name) throws LocalStateException {
    return Instant.ofEpochMilli(StrictJson.integer(o, name, 0, 253_402_300_799_999L).orElseThrow(InboxRecord::damaged));
  }

  private static Set<String> hexes(JsonObject o, String name) throws LocalStateException {
    Set<String> out = new LinkedHashSet<>();
    for (JsonElement e : array(o, name, MAX_NAMES)) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || !e.getAsString().matches("[0-9a-f]{64}")) {
        throw damaged();
      }
      out.add(e.getAsString());
    }
    return out;
  }

  private static JsonArray array(JsonObject o, String name, int max) throws LocalStateException {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() > max) {
      throw damaged();
    }
    return e.getAsJsonArray();
  }

  private static JsonArray strings(Set<String> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  private static Set<String> capped(Set<String> s) {
    List<String> l = new ArrayList<>(s);
    return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(l.subList(Math.max(0, l.size() - MAX_NAMES), l.size())));
  }

  private static LocalStateException damaged() {
    return new LocalStateException("The message-request record (state/requests.json) is damaged; move it aside to start"
        + " afresh (requests you ignored may then show again).");
  }
}
