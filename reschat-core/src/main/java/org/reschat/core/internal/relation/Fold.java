package org.reschat.core.internal.relation;

import org.reschat.core.internal.json.StrictUtf8;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.Content;
import org.reschat.core.FeedWarning;
import org.reschat.core.Message;
import org.reschat.core.Relations;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.files.FileOffer;
import org.reschat.core.internal.page.MessageText;
import org.reschat.core.internal.page.PageLimits;

/**
 * Types messages and folds reactions, edits and deletes onto the messages they refer to: once, in the core,
 * for every front end. The rules:
 *
 * <ul>
 *   <li>only a message's author edits or deletes it; only texts are edited; nothing edits, deletes or reacts
 *       to a reaction, an edit, a delete or a group operation;</li>
 *   <li>a person's newer reaction to a message replaces their earlier one (an empty one takes it back);</li>
 *   <li>a reference to no message (a feed this chat does not have, a place in its writer's own feed after it,
 *       a place in another feed past what the writer's page says they had read) is refused;</li>
 *   <li>what is refused is never applied and becomes a {@link FeedWarning.Kind#NOT_APPLIED} warning naming the
 *       writer; a reference to a message this client does not hold is not applied to anything shown, and
 *       shows as "a message you do not have".</li>
 * </ul>
 *
 * Work is linear in the messages folded; what is kept per message is bounded (each person's one reaction,
 * {@link Relations#MAX_EARLIER} earlier texts), warnings are capped at {@link #MAX_WARNINGS} and summarised,
 * and lookups outside the list go through {@link Targets}, which bound their own work. Nothing is written.
 */
public final class Fold {
  /** Warnings one fold reports one by one; the rest are counted in one more. */
  public static final int MAX_WARNINGS = 32;

  /** The messages (folded, or typed events) and the relations refused. */
  public record Result(List<Message> messages, List<FeedWarning> warnings) {
    public Result {
      messages = List.copyOf(messages);
      warnings = List.copyOf(warnings);
    }
  }

  private final Targets targets;
  private final boolean events;
  private final Map<String, Entry> byId = new HashMap<>();
  private final List<Object> order = new ArrayList<>();
  /** Changes to messages outside the list, kept for quoting them. */
  private final Map<String, Outside> outside = new HashMap<>();
  private final Map<String, Optional<Targets.Held>> held = new HashMap<>();
  private final List<FeedWarning> warnings = new ArrayList<>();
  private int refused;

  private Fold(Targets targets, boolean events) {
    this.targets = targets;
    this.events = events;
  }

  /**
   * A history: each message typed and its relations folded onto it (reactions, edits, deletes, and for own
   * messages the read marker); reactions, edits and deletes are not in the result as messages of their own.
   */
  public static Result history(List<Message> raw, Targets targets) {
    Fold f = new Fold(targets, false);
    f.read(raw);
    return f.result(true);
  }

  /**
   * New messages, as a receiver hands them out: each typed, reactions, edits and deletes included (with the
   * message they refer to quoted), and folded onto the messages of the same batch they refer to, so a message
   * deleted in the batch never shows its text. Relations refused are warnings instead of messages.
   */
  public static Result events(List<Message> raw, Targets targets) {
    Fold f = new Fold(targets, true);
    f.read(raw);
    return f.result(false);
  }

  /** Whether {@code raw} holds anything to type or fold beyond plain texts (the cheap path skips lookups). */
  public static boolean needed(List<Message> raw) {
    for (Message m : raw) {
      if (RelationCodec.isRelation(m.type()) || (Message.TEXT.equals(m.type()) && m.extension().length > 0)) {
        return true;
      }
    }
    return false;
  }

  // --- reading -------------------------------------------------------------------------------------------

  private void read(List<Message> raw) {
    for (Message m : raw) {
      if (RelationCodec.isRelation(m.type())) {
        relation(m);
      } else {
        Entry e = new Entry(m);
        byId.put(m.id(), e);
        order.add(e);
      }
    }
  }

  private void relation(Message m) {
    Optional<RelationCodec.Ref> to = RelationCodec.parseTarget(m.extension());
    String what = what(m.type());
    if (to.isEmpty()) {
      refuse(m, "sent " + what + " that names no message in a form this version reads");
      return;
    }
    RelationCodec.Ref ref = to.get();
    Optional<String> reaction = Optional.empty();
    String newText = null;
    if (m.type().equals(RelationCodec.REACTION) && m.body().length > 0) {
      reaction = RelationCodec.parseReaction(m.body());
      if (reaction.isEmpty()) {
        refuse(m, "sent a reaction to message " + ref + " that is not one (spaces, controls or over "
            + RelationCodec.MAX_REACTION_CODE_POINTS + " characters)");
        return;
      }
    } else if (m.type().equals(RelationCodec.EDIT)) {
      newText = StrictUtf8.decode(m.body()).filter(t -> !t.isBlank() && m.body().length <= PageLimits.MAX_MESSAGE_BYTES)
          .orElse(null);
      if (newText == null) {
        refuse(m, "sent an edit of message " + ref + " whose text is empty or not Unicode");
        return;
      }
    }
    Entry e = byId.get(ref.toString());
    PublicCard author;
    String targetType = null;
    if (e != null) {
      author = e.m.sender();
      targetType = e.m.type();
    } else {
      Optional<PublicCard> writer = targets.writerOf(ref);
      if (writer.isEmpty() || !targets.couldHaveRead(m, ref)) {
        refuse(m, "sent " + what + " of message " + ref + ", which does not exist in this chat");
        return;
      }
      author = writer.get();
      Optional<Targets.Held> h = lookUp(ref, RelationCodec.ref(m.id()));
      if (h.isPresent()) {
        targetType = h.get().message().type();
      }
    }
    boolean authorOnly = !m.type().equals(RelationCodec.REACTION);
    if (authorOnly && !author.equals(m.sender())) {
      refuse(m, "sent " + what + " of message " + ref + ", which someone else wrote; only its author may "
          + (m.type().equals(RelationCodec.EDIT) ? "edit" : "delete") + " it");
      return;
    }
    if (targetType != null && (RelationCodec.isRelation(targetType) || MessageText.isOperation(targetType)
        || (m.type().equals(RelationCodec.EDIT) && !Message.TEXT.equals(targetType)))) {
      refuse(m, "sent " + what + " of message " + ref + ", which is "
          + (RelationCodec.isRelation(targetType) ? "itself a reaction, edit or delete"
          : MessageText.isOperation(targetType) ? "a group change" : "not a text") + ": it cannot be "
          + (m.type().equals(RelationCodec.REACTION) ? "reacted to" : m.type().equals(RelationCodec.EDIT) ? "edited" : "deleted"));
      return;
    }
    Content.Quote quote = quote(ref, RelationCodec.ref(m.id())); // as it was before this change
    if (e != null) {
      e.apply(m, reaction, newText);
    } else {
      outside.computeIfAbsent(ref.toString(), k -> new Outside()).apply(m, newText);
    }
    if (events) {
      Content content = switch (m.type()) {
        case RelationCodec.REACTION -> new Content.Reaction(quote, reaction);
        case RelationCodec.EDIT -> new Content.Edit(quote, newText);
        // A delete names what it hides, never quotes it: its text would show in the very line saying it is gone.
        default -> new Content.Delete(new Content.Quote(quote.id(), quote.author(), quote.held(), Optional.empty(), true));
      };
      String text = m.type().equals(RelationCodec.REACTION) ? reaction.orElse("") : newText != null ? newText : "";
      order.add(m.with(content, Relations.NONE, text, m.body()));
    }
  }

  private Optional<Targets.Held> lookUp(RelationCodec.Ref ref, Optional<RelationCodec.Ref> before) {
    return held.computeIfAbsent(ref + before.map(b -> "<" + b).orElse(""), k -> targets.held(ref, before));
  }

  private void refuse(Message m, String detail) {
    refused++;
    if (warnings.size() < MAX_WARNINGS) {
      warnings.add(new FeedWarning(FeedWarning.Kind.NOT_APPLIED, m.direction() == Message.Direction.SENT, m.page(),
          FeedWarning.shortName(m.sender()) + " " + detail + " (message " + m.id() + "): not applied", m.sender(), m.sender()));
    }
  }

  private static String what(String type) {
    return switch (type) {
      case RelationCodec.REACTION -> "a reaction";
      case RelationCodec.EDIT -> "an edit";
      default -> "a delete";
    };
  }

  // --- quoting -------------------------------------------------------------------------------------------

  /** The message {@code ref} names as this fold knows it now (held outside the list: as it was before {@code before}). */
  private Content.Quote quote(RelationCodec.Ref ref, Optional<RelationCodec.Ref> before) {
    String id = ref.toString();
    Entry e = byId.get(id);
    if (e != null) {
      return new Content.Quote(id, Optional.of(e.m.sender()), true, e.deleted ? Optional.empty() : start(e.m, e.text),
          e.deleted);
    }
    Optional<PublicCard> author = targets.writerOf(ref);
    Optional<Targets.Held> h = author.isPresent() ? lookUp(ref, before) : Optional.empty();
    Outside o = outside.get(id);
    boolean deleted = (o != null && o.deleted) || h.map(Targets.Held::deleted).orElse(false);
    if (h.isEmpty()) {
      return new Content.Quote(id, author, false, Optional.empty(), deleted);
    }
    Message m = h.get().message();
    Optional<String> text = o != null && o.newestText != null ? Optional.of(o.newestText) : h.get().newestText();
    Optional<String> start = deleted || !h.get().checked() ? Optional.empty() : start(m, text.orElse(m.text()));
    return new Content.Quote(id, author, true, start, deleted);
  }

  /** One line of at most {@link Content.Quote#START_CHARACTERS} characters of a text, or a file's name. */
  private static Optional<String> start(Message m, String text) {
    if (FileOffer.TYPE.equals(m.type())) {
      return FileOffer.parse(m.body()).map(FileOffer::name);
    }
    if (!Message.TEXT.equals(m.type())) {
      return Optional.empty();
    }
    String line = text.strip().replaceAll("\\s+", " ");
    int max = Content.Quote.START_CHARACTERS;
    if (line.codePointCount(0, line.length()) > max) {
      line = line.substring(0, line.offsetByCodePoints(0, max - 1)) + "…";
    }
    return Optional.of(line);
  }

  // --- the result ----------------------------------------------------------------------------------------

  private Result result(boolean withSeen) {
    List<Message> out = new ArrayList<>(order.size());
    for (Object o : order) {
      out.add(o instanceof Entry ? ((Entry) o).folded(withSeen) : (Message) o);
    }
    List<FeedWarning> w = new ArrayList<>(warnings);
    if (refused > warnings.size()) {
      FeedWarning last = warnings.get(warnings.size() - 1);
      w.add(new FeedWarning(FeedWarning.Kind.NOT_APPLIED, false, last.page(), (refused - warnings.size())
          + " more reactions, edits or deletes were refused as above: not applied", last.writer()));
    }
    return new Result(out, w);
  }

  /** What a message outside the list had done to it, as far as the list shows. */
  private static final class Outside {
    boolean deleted;
    String newestText;

    void apply(Message m, String newText) {
      if (m.type().equals(RelationCodec.DELETE)) {
        deleted = true;
      } else if (newText != null) {
        newestText = newText;
      }
    }
  }

  /** A message of the list and what was done to it. */
  private final class Entry {
    final Message m;
    String text;
    Instant textAt;
    final Map<PublicCard, Relations.Reaction> reactions = new LinkedHashMap<>();
    final ArrayDeque<Relations.Version> earlier = new ArrayDeque<>();
    int edits;
    Instant edited;
    boolean deleted;

    Entry(Message m) {
      this.m = m;
      this.text = m.text();
      this.textAt = m.sentAt();
    }

    void apply(Message r, Optional<String> reaction, String newText) {
      if (deleted) {
        return; // deleted stays deleted: nothing later shows anything of it
      }
      switch (r.type()) {
        case RelationCodec.REACTION -> {
          reactions.remove(r.sender()); // a newer reaction replaces the earlier one, and moves to the end
          reaction.ifPresent(emoji -> reactions.put(r.sender(), new Relations.Reaction(emoji, r.sender())));
        }
        case RelationCodec.EDIT -> {
          earlier.addLast(new Relations.Version(textAt, text));
          if (earlier.size() > Relations.MAX_EARLIER) {
            earlier.removeFirst();
          }
          text = newText;
          textAt = r.sentAt();
          edited = r.sentAt();
          edits++;
        }
        default -> {
          deleted = true;
          reactions.clear();
          earlier.clear();
        }
      }
    }

    Message folded(boolean withSeen) {
      Optional<Relations.Seen> seen = withSeen && m.direction() == Message.Direction.SENT ? targets.seen(m) : Optional.empty();
      Relations relations = new Relations(List.copyOf(reactions.values()), Optional.ofNullable(edited),
          List.copyOf(earlier), edits, deleted, seen);
      if (deleted) {
        Content content = Message.TEXT.equals(m.type()) ? new Content.Text("", Optional.empty(), List.of())
            : new Content.Other(m.type());
        return m.with(content, relations, "", new byte[0]);
      }
      if (!Message.TEXT.equals(m.type())) {
        return relations.equals(Relations.NONE) ? m : m.with(m.content(), relations, m.text(), m.body());
      }
      RelationCodec.TextExtension ext = RelationCodec.parseText(m.extension());
      Optional<Content.Quote> reply = ext.replyTo().map(r -> quote(r, Optional.empty()));
      Set<PublicCard> mentioned = new LinkedHashSet<>();
      for (byte[] fp : ext.mentions()) {
        targets.member(fp).ifPresent(mentioned::add);
      }
      byte[] body = edits == 0 ? m.body() : text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return m.with(new Content.Text(text, reply, List.copyOf(mentioned)), relations, text, body);
    }
  }
}
