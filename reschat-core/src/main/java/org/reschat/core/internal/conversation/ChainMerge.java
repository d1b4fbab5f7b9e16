package org.reschat.core.internal.conversation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.Message;
import org.reschat.core.Problem;
import org.reschat.core.Update;

/**
 * A chat made of several conversations (a group's epochs, a direct chat's epochs: protocol §9, §3.1) read as
 * one: each conversation's history or update added in turn, with the messages of it the chat shows; the
 * result merged by time, each conversation's own order kept, the counts summed, the first store problem kept.
 */
public final class ChainMerge {
  private final List<Message> messages = new ArrayList<>();
  private final List<FeedWarning> warnings = new ArrayList<>();
  private boolean hasOlder;
  private int pages;
  private int published;
  private int pending;
  private Optional<Problem> problem = Optional.empty();

  /** One conversation's history, of which the chat shows {@code shown}. */
  public void add(History h, List<Message> shown) {
    messages.addAll(shown);
    warnings.addAll(h.warnings());
    hasOlder |= h.hasOlder();
    pages += h.pagesLoaded();
    problem = problem.isPresent() ? problem : h.storeProblem();
  }

  /** One conversation's update, of which the chat shows {@code shown}. */
  public void add(Update u, List<Message> shown) {
    messages.addAll(shown);
    warnings.addAll(u.warnings());
    published += u.published();
    pending += u.pending();
    problem = problem.isPresent() ? problem : u.problem();
  }

  /** The warnings so far, where a reader adds what it finds itself, in the order it reads. */
  public List<FeedWarning> warnings() {
    return warnings;
  }

  private List<Message> merged() {
    List<Message> out = new ArrayList<>(messages);
    out.sort(Comparator.comparing(Message::sentAt)); // stable: each conversation's own order is kept
    return out;
  }

  public History history() {
    return new History(merged(), warnings, hasOlder, pages, problem);
  }

  public Update update() {
    return new Update(merged(), published, pending, problem, warnings);
  }
}
