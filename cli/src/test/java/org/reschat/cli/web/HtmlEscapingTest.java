package org.reschat.cli.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatId;
import org.reschat.core.Content;
import org.reschat.core.GroupInfo;
import org.reschat.core.Groups;
import org.reschat.core.History;
import org.reschat.core.Message;
import org.reschat.core.MessageRequest;
import org.reschat.core.Relations;
import org.reschat.core.directory.Claimant;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * What others wrote reaches the page as text: the one escaping function ({@link Html#text}) and every view that
 * shows someone else's words, names or file details, fed hostile strings.
 */
class HtmlEscapingTest {
  /** Markup, attribute breaking, htmx attributes, an entity, controls and a bidi override. */
  static final List<String> HOSTILE = List.of(
      "<script>alert(1)</script>",
      "<img src=x onerror=alert(1)>",
      "\" onmouseover=\"alert(1)",
      "' autofocus onfocus='alert(1)",
      "<div hx-get=\"/friends/add\" hx-trigger=\"load\">x</div>",
      "</textarea><script>alert(2)</script>",
      "<style>body{display:none}</style>",
      "&lt;b&gt; already escaped",
      "invoice_\u202Egnp.exe",
      "line\rforged \u001b[2J\u0000 \u009b",
      "{} {} placeholders");

  private static final PublicCard BOB = Identity.generate(new SecureRandom()).card();
  private static final PublicCard ME = Identity.generate(new SecureRandom()).card();
  private final Views views = new Views(Instant::toString);

  /** The markup of {@code html} without the marks this program puts around control characters. */
  private static String outsideMarks(Html html) {
    return html.toString().replace("<span class=\"ctl\" title=\"a control character\">", "").replace("</span>", "");
  }

  @Property
  void textHasNoMarkupOfItsOwn(@ForAll String s) {
    String out = outsideMarks(Html.text(s));
    assertThat(out).doesNotContain("<").doesNotContain(">").doesNotContain("\"").doesNotContain("'");
    assertThat(Html.attr(s).toString()).doesNotContain("<").doesNotContain(">").doesNotContain("\"").doesNotContain("'");
    assertThat(Html.field(s).toString()).doesNotContain("<").doesNotContain(">").doesNotContain("\"").doesNotContain("'");
  }

  @Test
  void hostileStringsBecomeText() {
    for (String s : HOSTILE) {
      String out = Html.text(s).toString();
      assertThat(outsideMarks(Html.text(s))).as(s).doesNotContain("<").doesNotContain("\"");
      assertThat(out).doesNotContain("\u202E").doesNotContain("\u001b").doesNotContain("\r").doesNotContain("\u0000");
    }
    assertThat(Html.text("<script>").toString()).isEqualTo("&lt;script&gt;");
    assertThat(Html.text("&lt;").toString()).isEqualTo("&amp;lt;");
    assertThat(Html.text("a\u202Eb").toString()).isEqualTo("a<span class=\"ctl\" title=\"a control character\">\\u202E</span>b");
    assertThat(Html.text("C:\\dir").toString()).as("a backslash on a page needs no doubling").isEqualTo("C:\\dir");
    assertThat(Html.lines("one\ntwo\rthree").toString()).isEqualTo("one\ntwo<span class=\"ctl\" title=\"a control character\">"
        + "\\r</span>three");
  }

  @Test
  void aTemplateFillsOnlyItsOwnPlaceholders() {
    assertThat(Html.t("<p>{}</p><p>{}</p>", "{}", "x").toString()).isEqualTo("<p>{}</p><p>x</p>");
    assertThat(Html.t("<b>{}</b>", Html.markup("<i>ok</i>")).toString()).isEqualTo("<b><i>ok</i></b>");
    assertThatThrownBy(() -> Html.t("<p>{}</p>")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Html.t("<p></p>", "x")).isInstanceOf(IllegalArgumentException.class);
  }

  private static Message text(String id, String body) {
    return new Message(id, Message.Direction.RECEIVED, BOB, Instant.parse("2026-12-05T10:00:00Z"), Message.TEXT, body, 1, 0,
        Message.Status.CONFIRMED, new byte[0], body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A message's element id (what a reply links to, what the event stream's "changed" names and app.js looks up) is the
   * id in hex, whatever the id holds: never markup, a selector or an attribute of its own. The id itself is text.
   */
  @Test
  void aMessagesElementIdIsHexWhateverItsId() throws Exception {
    Chat direct = new Chat(ChatId.direct(BOB), Chat.key(ChatId.direct(BOB)), "bob");
    for (String s : HOSTILE) {
      assertThat(Chat.domId(s)).matches("m-[0-9a-f]+");
      String li = views.message(direct, text(s, "hi"), card -> "bob").toString();
      assertThat(li).startsWith("<li id=\"" + Chat.domId(s) + "\" ").contains("data-id=\"" + Html.attr(s) + "\"");
      if (!Html.attr(s).toString().equals(s)) {
        assertThat(li).doesNotContain(s);
      }
    }
  }

  @Test
  void everyViewOfSomeoneElsesWordsShowsThemAsText() throws Exception {
    for (String s : HOSTILE) {
      ChatId.Group gid = ChatId.group("AAAAAAAAAAAAAAAAAAAAAAAA");
      Chat direct = new Chat(ChatId.direct(BOB), Chat.key(ChatId.direct(BOB)), "bob");
      Chat group = new Chat(gid, Chat.key(gid), s);
      Views.Names names = card -> s; // a member whose shown name is hostile (a stranger's is hex, but still)
      Message op = new Message("op:1:1", Message.Direction.RECEIVED, BOB, Instant.EPOCH, "GROUP_REMOVE", "", 1, 1,
          Message.Status.CONFIRMED, s.getBytes(StandardCharsets.UTF_8), new byte[0]);
      Message unknown = new Message("un:1:2", Message.Direction.RECEIVED, BOB, Instant.EPOCH, "REACTION", s, 1, 2,
          Message.Status.CONFIRMED, new byte[0], new byte[0]);
      GroupInfo info = new GroupInfo(gid, s, List.of(ME, BOB), List.of(ME), GroupInfo.Status.ACTIVE, Optional.empty(), true,
          Optional.empty(), "epoch", List.of());
      List<Html> shown = List.of(
          views.message(direct, text("t:1:0", s), names),
          views.message(group, text("t:1:1", s), names),
          views.message(group, op, names),
          views.message(group, unknown, names),
          views.history(direct, 2, new History(List.of(text("t:1:3", s)), List.of(), true, 0, Optional.empty()), names),
          views.joinRequests(group, List.of(new Groups.JoinRequest(BOB, s))),
          views.groupInfo(group, info, ME, names, List.of(), List.of(new Groups.JoinRequest(BOB, s)), s),
          views.directoryResults(s, List.of(new Claimant(BOB, s, Instant.EPOCH), new Claimant(ME, s, Instant.EPOCH))),
          views.requestsPage(List.of(new MessageRequest(BOB, Instant.EPOCH, List.of(text("r:1:0", s)))), names),
          views.sidebar(new Views.Sidebar(s, List.of(new Views.ListEntry(group, true, 3, 1, s, null)), 1, null)),
          views.chatPane(group, s, false, Html.EMPTY, views.outbox(2, s), Html.EMPTY, true),
          views.error(s), views.ok(s), views.notice("n-1", s), views.store(s),
          views.transfer("up-1", s, 1, 2),
          views.page(s, "token", "/events", Html.EMPTY, Html.EMPTY, Html.EMPTY));
      for (Html h : shown) {
        String out = h.toString();
        // The hostile string may be there only escaped; without its escaped forms, nothing of it is left.
        String rest = out.replace(Html.text(s).toString(), "").replace(Html.attr(s).toString(), "")
            .replace(Html.lines(s).toString(), "");
        if (!Html.text(s).toString().equals(s)) {
          assertThat(out).as("%s in %s", s, out).doesNotContain(s);
        }
        assertThat(out).as("%s in %s", s, out).doesNotContain("\u202E").doesNotContain("\u001b");
        assertThat(rest).as("%s in %s", s, out).doesNotContain("<script>").doesNotContain("<img").doesNotContain("<style")
            .doesNotContain("onerror").doesNotContain("onmouseover").doesNotContain("onfocus").doesNotContain("alert(")
            .doesNotContain("hx-get=\"/friends");
      }
    }
  }

  /**
   * Replies, reactions and edits carry others' words too: the start of a quoted message, a reaction (the core allows
   * up to 32 characters, not only emoji), an edited text and the texts before it. A hostile or overlong one is text,
   * in a message drawn from a history, drawn again in place, and as the line a relation handed out alone gets.
   */
  @Test
  void aHostileReplyReactionOrEditIsText() throws Exception {
    List<String> cases = new java.util.ArrayList<>(HOSTILE);
    cases.add("<b>".repeat(5_000) + "\u202E" + "x".repeat(20_000)); // overlong
    for (String s : cases) {
      Chat direct = new Chat(ChatId.direct(BOB), Chat.key(ChatId.direct(BOB)), "bob");
      ChatId.Group gid = ChatId.group("AAAAAAAAAAAAAAAAAAAAAAAA");
      Chat group = new Chat(gid, Chat.key(gid), "trip");
      Views.Names names = card -> card.equals(ME) ? "me" : s;
      Content.Quote quote = new Content.Quote("q:1:0", Optional.of(BOB), true, Optional.of(s), false);
      Relations folded = new Relations(List.of(new Relations.Reaction(s, BOB), new Relations.Reaction(s, ME),
          new Relations.Reaction("👍", BOB)), Optional.of(Instant.EPOCH), List.of(new Relations.Version(Instant.EPOCH, s)),
          3, false, Optional.empty());
      Message reply = text("t:1:0", s).with(new Content.Text(s, Optional.of(quote), List.of(ME)), folded, s,
          s.getBytes(StandardCharsets.UTF_8));
      Message reaction = text("t:1:1", s).with(new Content.Reaction(quote, Optional.of(s)), Relations.NONE, s, new byte[0]);
      Message edit = text("t:1:2", s).with(new Content.Edit(quote, s), Relations.NONE, s, new byte[0]);
      Message delete = text("t:1:3", "").with(new Content.Delete(quote), Relations.NONE, "", new byte[0]);
      List<Html> shown = List.of(
          views.message(direct, reply, names),
          views.message(group, reply, names),
          views.messageInPlace(group, reply, names),
          views.message(direct, reaction, names),
          views.message(group, edit, names),
          views.message(group, delete, names),
          views.quote(quote, names),
          views.history(group, 2, new History(List.of(reply), List.of(), false, 0, Optional.empty()), names));
      for (Html h : shown) {
        String out = h.toString();
        String rest = out.replace(Html.text(s).toString(), "").replace(Html.attr(s).toString(), "")
            .replace(Html.lines(s).toString(), "").replace(Html.field(s).toString(), "");
        if (!Html.text(s).toString().equals(s)) {
          assertThat(out).as("%s in %s", s, out).doesNotContain(s);
        }
        assertThat(out).as("%s in %s", s, out).doesNotContain("\u202E").doesNotContain("\u001b");
        assertThat(rest).as("%s in %s", s, out).doesNotContain("<script>").doesNotContain("<img").doesNotContain("<style")
            .doesNotContain("<b>").doesNotContain("onerror").doesNotContain("onmouseover").doesNotContain("onfocus")
            .doesNotContain("alert(").doesNotContain("hx-get=\"/friends").doesNotContain("</textarea><");
      }
      // Others' words never sit where htmx would read attributes from them: the quote and the texts are hx-disable'd.
      assertThat(views.message(group, reply, names).toString()).contains("<a class=\"quote\" href=\"#m-")
          .contains("<span class=\"before\" hx-disable>");
    }
  }
}
