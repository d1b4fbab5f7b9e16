package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * {@code reschat web} in a real browser (headless chromium): open the printed URL, see the chats, send with the
 * keyboard, see what another profile sends from the terminal arrive, send and fetch files, approve a join request,
 * accept a message request and verify a safety number; and the rules of the loopback gate as a browser applies them.
 * A failing test leaves a screenshot under {@code target/web-screenshots/}.
 */
@Tag("slow")
class WebBrowserTest {
  static final Path SCREENSHOTS = Path.of("target", "web-screenshots");

  @TempDir
  static Path browserDir;

  static WebBrowser browser;

  @TempDir
  Path tmp;

  @RegisterExtension
  final TestWatcher screenshotOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (browser != null) {
        browser.screenshot(SCREENSHOTS.resolve(context.getRequiredTestMethod().getName() + ".png"));
      }
    }
  };

  @BeforeAll
  static void startBrowser() throws Exception {
    browser = WebBrowser.start(browserDir);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Opens the printed URL (it trades the token for the cookie) and waits for the live event stream. */
  private void open(WebHarness web) {
    browser.driver.get(web.url);
    live();
  }

  private void live() {
    browser.waiting().until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "live"));
  }

  private void go(WebHarness web, String path) {
    browser.driver.get(web.origin + path);
    live();
  }

  private WebElement waitFor(String css) {
    return browser.waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(css)));
  }

  /**
   * Waits until a message of the open chat reads exactly {@code text}: one the server drew (with its id), not the
   * page's own "sending…" line, which is there before the send returns.
   */
  private WebElement message(String text) {
    return browser.waiting().until(d -> d.findElements(By.cssSelector("#messages li[id] .body")).stream()
        .filter(e -> text.equals(e.getAttribute("textContent"))).findFirst().orElse(null));
  }

  private void clickChat(String name) {
    // found and clicked in one step: the list may be swapped in between (a stale element is tried again)
    browser.waiting().until(d -> {
      WebElement link = d.findElements(By.cssSelector("#sidebar .chats a")).stream()
          .filter(a -> a.findElement(By.className("name")).getText().equals(name)).findFirst().orElse(null);
      if (link == null) {
        return false;
      }
      link.click();
      return true;
    });
    live();
  }

  // ---------------------------------------------------------------- chatting

  @Test
  void openTheUrlSeeTheChatsSendWithTheKeyboardAndSeeWhatBobSendsFromTheTerminal() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.init("carol");
    CliHarness.check(h.as("alice", "friend", "add", "carol", h.cardOf("carol")));
    CliHarness.check(h.as("bob", "send", "alice", "hi alice, are you there?"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      String bobLink = "#sidebar .chats a[href='/chat/d-" + h.fingerprintHex("bob") + "']";
      // One unread, once the receiver's first pass has taken bob's message (the list is redrawn when it does).
      browser.waiting().until(d -> d.findElement(By.cssSelector(bobLink + " .badge")).getText().equals("1"));
      assertThat(browser.driver.findElement(By.cssSelector("#sidebar")).getText()).contains("carol");

      clickChat("bob");
      message("hi alice, are you there?");
      WebElement box = browser.driver.switchTo().activeElement();
      assertThat(box.getAttribute("id")).as("the composer has the focus").isEqualTo("text");
      box.sendKeys("yes, here");
      box.sendKeys(Keys.ENTER);
      message("yes, here");
      box.sendKeys("two");
      box.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
      box.sendKeys("lines");
      box.sendKeys(Keys.ENTER);
      message("two\nlines");
      assertThat(box.getAttribute("value")).isEmpty();
      String bobSees = CliHarness.check(h.as("bob", "history", "alice")).out();
      assertThat(bobSees).contains("alice: yes, here").contains("alice: two\n    lines");

      // Bob, in a terminal, while alice's page is open: it arrives by itself (no reload, no polling).
      long sent = System.nanoTime();
      CliHarness.check(h.as("bob", "send", "alice", "sent from a terminal"));
      long returned = System.nanoTime();
      message("sent from a terminal");
      System.err.printf("[WebBrowserTest] bob's message shown in the browser %d ms after his send returned (%d ms after it"
          + " started)%n", (System.nanoTime() - returned) / 1_000_000, (System.nanoTime() - sent) / 1_000_000);
      // The README's picture of the chat page (docs/web-chat.png is a copy of this file).
      browser.screenshot(SCREENSHOTS.resolve("chat.png"));
      // Shown in a visible tab, it is read: the chat list counts nothing unread for bob.
      String cookie = "rc_session=" + browser.driver.manage().getCookieNamed("rc_session").getValue();
      WebSecurityTest.eventually(() -> {
        try {
          return !web.get("/", cookie).body().contains(" unread");
        } catch (java.io.IOException e) {
          return false;
        }
      }, "what the open chat showed is read");

      // What bob writes is text, whatever it looks like: no element, no script, no htmx request from it.
      String hostile = "<img src=x onerror=\"document.title='pwned'\"> <script>document.title='pwned'</script>"
          + " <b hx-get=\"/add\" hx-trigger=\"load\" hx-target=\"body\">bold?</b> \u202Egnp.exe";
      CliHarness.check(h.as("bob", "send", "alice", hostile));
      WebElement shown = browser.waiting().until(d -> d.findElements(By.cssSelector("#messages li .body")).stream()
          .filter(e -> e.getAttribute("textContent").startsWith("<img src=x")).findFirst().orElse(null));
      assertThat(shown.getAttribute("textContent")).isEqualTo(hostile.replace("\u202E", "\\u202E"));
      assertThat(shown.findElements(By.cssSelector("img, script, b"))).isEmpty();
      assertThat(shown.findElements(By.cssSelector("span.ctl"))).hasSize(1);
      assertThat(browser.driver.getTitle()).doesNotContain("pwned");
      assertThat(browser.driver.findElements(By.cssSelector("#messages img, #messages script"))).isEmpty();

      // Light and dark follow the system's setting.
      String light = (String) browser.driver.executeScript("return getComputedStyle(document.body).backgroundColor");
      browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
      String dark = (String) browser.driver.executeScript("return getComputedStyle(document.body).backgroundColor");
      browser.driver.executeCdpCommand("Emulation.setEmulatedMedia",
          Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
      assertThat(light).isEqualTo("rgb(255, 255, 255)");
      assertThat(dark).isEqualTo("rgb(18, 18, 20)");

      // The keyboard moves between chats (Alt+Down), and the tab's title counts what arrives elsewhere.
      browser.driver.switchTo().activeElement().sendKeys(Keys.chord(Keys.ALT, Keys.ARROW_DOWN));
      browser.waiting().until(ExpectedConditions.textToBe(By.cssSelector(".chat-head h1"), "carol"));
      live();
      CliHarness.check(h.as("bob", "send", "alice", "are you still there?"));
      browser.waiting().until(ExpectedConditions.titleIs("(1) carol · ResChat"));
    }
  }

  // ---------------------------------------------------------------- replies, reactions, edits, deletes

  /** The {@code <li>} a message's text is in (found afresh: a history reload replaces them all). */
  private String itemOf(String text) {
    return browser.waiting().until(d -> d.findElements(By.cssSelector("#messages li[id] .body")).stream()
        .filter(e -> text.equals(e.getAttribute("textContent"))).findFirst()
        .map(e -> e.findElement(By.xpath("./ancestor::li[1]")).getAttribute("id")).orElse(null)); // not the "sending…" one
  }

  /** Opens {@code li}'s {@code <details>} of class {@code which} (unless open) and presses {@code button} in it. */
  private void inDetails(String li, String which, String button) {
    browser.waiting().ignoring(org.openqa.selenium.ElementNotInteractableException.class)
        .ignoring(org.openqa.selenium.NoSuchElementException.class).until(d -> {
          WebElement details = d.findElement(By.cssSelector("#" + li + " details." + which));
          if (details.getAttribute("open") == null) {
            details.findElement(By.tagName("summary")).click();
          }
          details.findElement(By.cssSelector(button)).click();
          return true;
        });
  }

  private int shownMessages() {
    return browser.driver.findElements(By.cssSelector("#messages > li")).size();
  }

  /**
   * Alice answers bob's message from its Reply button (with the keyboard), reacts to it and takes the reaction back,
   * edits her answer and deletes another message, all in the page; bob's terminal sees each. Then bob, from his
   * terminal, reacts to her answer and edits his message: both change in place on her page, nothing is appended.
   */
  @Test
  void aliceRepliesReactsEditsAndDeletesInThePageAndBobsReactionAndEditAppearInPlace() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    String question = CliHarness.check(h.as("bob", "--json", "send", "alice", "are we still on for friday?")).out()
        .replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1").strip();
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      clickChat("bob");
      String theirs = itemOf("are we still on for friday?");
      assertThat(browser.driver.findElements(By.cssSelector("#" + theirs + " details.edit, #" + theirs + " details.delete")))
          .as("bob's message cannot be edited or deleted here").isEmpty();

      // Reply, from the keyboard: the button, then the "replying to" bar, then Enter in the composer.
      browser.waiting().until(d -> {
        d.findElement(By.cssSelector("#" + theirs + " button.reply")).sendKeys(Keys.ENTER);
        return true;
      });
      browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("replying")));
      assertThat(browser.driver.findElement(By.cssSelector("#replying .who")).getText()).isEqualTo("bob");
      assertThat(browser.driver.findElement(By.cssSelector("#replying .excerpt")).getText()).isEqualTo("are we still on for friday?");
      WebElement box = browser.driver.switchTo().activeElement();
      assertThat(box.getAttribute("id")).as("Reply puts the focus in the composer").isEqualTo("text");
      box.sendKeys("yes, 8pm");
      box.sendKeys(Keys.ENTER);
      String answer = itemOf("yes, 8pm");
      browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#" + answer + " .quote"),
          "are we still on for friday?"));
      browser.waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("replying")));
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out())
          .contains("alice (re «me: are we still on for friday?»): yes, 8pm");

      // React, and take it back by pressing one's own reaction.
      inDetails(theirs, "react", "button.pick[aria-label='react 👍']");
      browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
          By.cssSelector("#" + theirs + " .reactions .chip.mine"), "👍 1"));
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("↳ 👍 alice");
      browser.waiting().until(d -> (Boolean) browser.driver.executeScript(
          "return document.activeElement.matches('#" + theirs + " details.react > summary')")); // the keyboard stays there
      browser.waiting().until(d -> {
        d.findElement(By.cssSelector("#" + theirs + " .reactions .chip.mine")).click();
        return true;
      });
      browser.waiting().until(d -> d.findElements(By.cssSelector("#" + theirs + " .reactions .chip")).isEmpty());
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).doesNotContain("👍");

      // Edit her answer inline; the earlier text is under "edited".
      browser.waiting().ignoring(org.openqa.selenium.ElementNotInteractableException.class).until(d -> {
        WebElement details = d.findElement(By.cssSelector("#" + answer + " details.edit"));
        if (details.getAttribute("open") == null) {
          details.findElement(By.tagName("summary")).click();
        }
        WebElement field = details.findElement(By.tagName("textarea"));
        field.clear();
        field.sendKeys("yes, 9pm");
        details.findElement(By.cssSelector("button[type=submit]")).click();
        return true;
      });
      message("yes, 9pm");
      browser.waiting().until(d -> {
        d.findElement(By.cssSelector("#" + answer + " details.edited summary")).click();
        return true;
      });
      browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
          By.cssSelector("#" + answer + " details.edited .before"), "yes, 8pm"));
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("): yes, 9pm");

      // Delete, in two steps: the second says what a delete on a ledger cannot do.
      box = browser.driver.findElement(By.id("text"));
      box.sendKeys("oops, wrong chat");
      box.sendKeys(Keys.ENTER);
      String oops = itemOf("oops, wrong chat");
      browser.waiting().until(d -> {
        WebElement details = d.findElement(By.cssSelector("#" + oops + " details.delete"));
        details.findElement(By.tagName("summary")).click();
        return details.getText().contains("The ledger cannot forget");
      });
      inDetails(oops, "delete", "button.danger");
      browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#" + oops + " .body"),
          "This message was deleted."));
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).contains("* alice deleted this message")
          .doesNotContain("oops, wrong chat");

      // Bob, from his terminal: a reaction to her answer and an edit of his question, shown where they are.
      String answerId = browser.driver.findElement(By.id(answer)).getAttribute("data-id");
      int before = shownMessages();
      CliHarness.check(h.as("bob", "react", "alice", "--", answerId, "🎉"));
      WebElement chip = browser.waiting().until(d -> d.findElements(By.cssSelector("#" + answer + " .reactions .chip")).stream()
          .filter(c -> c.getText().equals("🎉 1")).findFirst().orElse(null));
      assertThat(chip.getAttribute("title")).isEqualTo("bob");
      CliHarness.check(h.as("bob", "edit", "alice", "--", question, "are we still on for saturday?"));
      message("are we still on for saturday?");
      assertThat(shownMessages()).as("changed in place, not appended").isEqualTo(before);
      assertThat(browser.driver.findElements(By.cssSelector("#" + theirs))).hasSize(1);
      assertThat(browser.driver.findElements(By.cssSelector("#" + theirs + " details.edited"))).hasSize(1);
      browser.screenshot(SCREENSHOTS.resolve("relations.png"));
    }
  }

  /**
   * The page loses its event stream (its connection is cut, and new ones are refused for a while), bob writes
   * meanwhile and the server takes his message; when connections work again the browser reconnects with its cursor
   * ({@code Last-Event-ID}) and the message appears, and nothing appears twice. The browser reaches the server through
   * a proxy that can cut its connections.
   */
  @Test
  void aMessageThatArrivesWhileTheStreamIsCutAppearsWhenItReconnects() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    try (WebHarness web = WebHarness.start(h, "alice");
         CuttingProxy proxy = new CuttingProxy(web.port);
         WebBrowser viaProxy = WebBrowser.start(tmp.resolve("browser"), List.of("--proxy-server=http://127.0.0.1:" + proxy.port(),
             "--proxy-bypass-list=<-loopback>"))) {
      WebBrowser shared = browser;
      browser = viaProxy;
      try {
        open(web);
        clickChat("bob");
        CliHarness.check(h.as("bob", "send", "alice", "before"));
        message("before");
        String cookie = "rc_session=" + browser.driver.manage().getCookieNamed("rc_session").getValue();
        WebSecurityTest.eventually(() -> { // the page said it showed "before": nothing is unread
          try {
            return !web.get("/", cookie).body().contains(" unread");
          } catch (java.io.IOException e) {
            return false;
          }
        }, "the open chat's message is read");
        proxy.cut(true);
        browser.waiting().until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "reconnecting…"));
        CliHarness.check(h.as("bob", "send", "alice", "while the stream was cut"));
        WebSecurityTest.eventually(() -> { // the server has it: the chat list counts it, the page cannot show it yet
          try {
            return web.get("/", cookie).body().contains("1 unread");
          } catch (java.io.IOException e) {
            return false;
          }
        }, "bob's message reached reschat web while the stream was cut");
        proxy.cut(false);
        message("while the stream was cut");
        assertThat(proxy.requests()).as("the stream came back from its cursor")
            .anyMatch(r -> r.startsWith("GET ") && r.contains("/events") && r.contains("Last-Event-ID: "));
        assertThat(browser.driver.findElements(By.cssSelector("#messages li .body")).stream()
            .filter(e -> "before".equals(e.getAttribute("textContent"))).count()).isEqualTo(1);
      } finally {
        browser = shared;
      }
    }
  }

  /** A TCP relay to the web server that can cut every connection and refuse new ones, as a network going away does. */
  static final class CuttingProxy implements AutoCloseable {
    private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<java.net.Socket> open = new CopyOnWriteArrayList<>();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    CuttingProxy(int target) throws java.io.IOException {
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            java.net.Socket client = server.accept();
            if (cut) {
              client.close();
              continue;
            }
            java.net.Socket upstream = new java.net.Socket(InetAddress.getLoopbackAddress(), target);
            open.add(client);
            open.add(upstream);
            pipe(client, upstream, true);
            pipe(upstream, client, false);
          } catch (java.io.IOException e) {
            // closed, or one connection failed
          }
        }
      }, "cutting-proxy");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    /** The start of each request the browser sent (its line and headers). */
    List<String> requests() {
      return heads;
    }

    void cut(boolean on) {
      cut = on;
      if (on) {
        for (java.net.Socket s : open) {
          try {
            s.close();
          } catch (java.io.IOException e) {
            // already closed
          }
        }
        open.clear();
      }
    }

    private void pipe(java.net.Socket from, java.net.Socket to, boolean request) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[8192];
        try (var in = from.getInputStream(); var out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buf)) > 0) {
            if (request) {
              heads.add(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            out.write(buf, 0, n);
            out.flush();
          }
        } catch (java.io.IOException e) {
          // cut
        } finally {
          try {
            from.close();
            to.close();
          } catch (java.io.IOException e) {
            // already closed
          }
        }
      }, "cutting-proxy-pipe");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
      cut(true);
    }
  }

  @Test
  void olderMessagesComeOnDemand() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 45; i++) { // three pages of bob's feed (20 messages a page); two show at first
      lines.append("message ").append(i).append('\n');
    }
    h.stdin = lines.toString();
    CliHarness.check(h.as("bob", "send", "alice", "--lines"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      clickChat("bob");
      message("message 45");
      assertThat(browser.driver.findElements(By.cssSelector("#messages li .body")).stream()
          .map(e -> e.getAttribute("textContent")).toList()).doesNotContain("message 1");
      waitFor("button.older").click();
      message("message 1");
      assertThat(browser.driver.findElements(By.cssSelector("button.older"))).isEmpty();
      assertThat(browser.driver.findElement(By.cssSelector("#history")).getText()).contains("beginning of the conversation");
    }
  }

  /** Where message {@code li} starts, in pixels below the top of what the history shows. */
  private double fromTop(String li) {
    return ((Number) browser.driver.executeScript("return document.getElementById(arguments[0]).getBoundingClientRect().top"
        + " - document.getElementById('history').getBoundingClientRect().top", li)).doubleValue();
  }

  /**
   * A change to a message the page does not show costs no request; messages from the older pages ("Show older
   * messages") change in place as the newest do: alice reacts to bob's
   * first message and edits her own first one there; then, while she reads further down, bob's reaction from his
   * terminal to his second message (above what she sees, with no reaction yet: it grows) appears on it, and what she
   * sees does not move. The older pages stay open and nothing is appended.
   */
  @Test
  void messagesFromOlderPagesChangeInPlaceAndWhatIsInViewStays() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    for (String[] who : new String[][] {{"alice", "bob", "mine"}, {"bob", "alice", "message"}}) {
      StringBuilder lines = new StringBuilder();
      for (int i = 1; i <= 45; i++) { // three pages of each feed (20 messages a page); two show at first
        lines.append(who[2]).append(' ').append(i).append('\n');
      }
      h.stdin = lines.toString();
      CliHarness.check(h.as(who[0], "send", who[1], "--lines"));
    }
    h.stdin = "";
    CliHarness.check(h.as("alice", "receive"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      clickChat("bob");
      message("message 45");

      // Bob reacts to his first message, which the page does not show yet, then to his last, which it shows: the page
      // asks the server again for the last one only.
      java.util.regex.Matcher firstOfBob = java.util.regex.Pattern.compile("(?m)\\[([^\\]\\s]+:\\d+:\\d+)\\] me: message 1$")
          .matcher(CliHarness.check(h.as("bob", "history", "alice", "--all", "--ids")).out());
      assertThat(firstOfBob.find()).as("the id of bob's first message").isTrue();
      CliHarness.check(h.as("bob", "react", "alice", "--", firstOfBob.group(1), "🍕"));
      String last = itemOf("message 45");
      String lastId = browser.driver.findElement(By.id(last)).getAttribute("data-id");
      CliHarness.check(h.as("bob", "react", "alice", "--", lastId, "🎉"));
      browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
          By.cssSelector("#" + last + " .reactions .chip"), "🎉 1"));
      @SuppressWarnings("unchecked")
      List<String> asked = (List<String>) browser.driver.executeScript("return performance.getEntriesByType('resource')"
          + ".map(function (e) { return e.name; }).filter(function (n) { return n.indexOf('/message?') >= 0; })");
      assertThat(asked).as("asked again only for what the page shows").hasSize(1);
      assertThat(asked.get(0)).endsWith("/message?id=" + java.net.URLEncoder.encode(lastId, StandardCharsets.UTF_8));

      waitFor("button.older").click();
      String first = itemOf("message 1");
      String mine = itemOf("mine 1");
      int shown = shownMessages();

      inDetails(first, "react", "button.pick[aria-label='react 👍']");
      browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
          By.cssSelector("#" + first + " .reactions .chip.mine"), "👍 1"));
      browser.waiting().ignoring(org.openqa.selenium.ElementNotInteractableException.class).until(d -> {
        WebElement details = d.findElement(By.cssSelector("#" + mine + " details.edit"));
        if (details.getAttribute("open") == null) {
          details.findElement(By.tagName("summary")).click();
        }
        WebElement field = details.findElement(By.tagName("textarea"));
        field.clear();
        field.sendKeys("mine 1, edited");
        details.findElement(By.cssSelector("button[type=submit]")).click();
        return true;
      });
      message("mine 1, edited");
      assertThat(browser.driver.findElements(By.cssSelector("#" + mine + " details.edited"))).hasSize(1);
      assertThat(browser.driver.findElements(By.id("flash")).get(0).getText()).as("no note instead of the message").isEmpty();
      assertThat(shownMessages()).as("the older pages are still shown, nothing appended").isEqualTo(shown);
      assertThat(CliHarness.check(h.as("bob", "history", "alice", "--all")).out()).contains("↳ 🍕 me, 👍 alice", ": mine 1, edited");

      // She reads further down: "message 10" at the top of the view. Bob reacts to his second message, above it.
      String tenth = itemOf("message 10");
      browser.driver.executeScript("var h = document.getElementById('history');"
          + "h.scrollTop += document.getElementById(arguments[0]).getBoundingClientRect().top - h.getBoundingClientRect().top;",
          tenth);
      double before = fromTop(tenth);
      String second = itemOf("message 2");
      String secondId = browser.driver.findElement(By.id(second)).getAttribute("data-id");
      CliHarness.check(h.as("bob", "react", "alice", "--", secondId, "🍕"));
      long returned = System.nanoTime();
      WebElement chip = browser.waiting().until(d -> d.findElements(By.cssSelector("#" + second + " .reactions .chip")).stream()
          .filter(c -> c.getAttribute("textContent").strip().equals("🍕 1")).findFirst().orElse(null));
      System.err.printf("[WebBrowserTest] bob's reaction to a message of an older page drawn in place %d ms after his react"
          + " returned%n", (System.nanoTime() - returned) / 1_000_000);
      assertThat(chip.getAttribute("title")).isEqualTo("bob");
      assertThat(fromTop(tenth)).as("what she sees stays where it was").isCloseTo(before, org.assertj.core.data.Offset.offset(1.0));
      assertThat(shownMessages()).as("changed in place, not appended").isEqualTo(shown);
      assertThat(browser.driver.findElements(By.cssSelector("#" + second))).hasSize(1);
      browser.screenshot(SCREENSHOTS.resolve("older-relations.png"));
    }
  }

  // ---------------------------------------------------------------- files

  @Test
  void aFileSentFromThePageReachesBobAndBobsFileIsDownloadedFromIt() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    Path upload = tmp.resolve("notes <img src=x onerror=alert(1)>.txt"); // a name that is also markup
    Files.writeString(upload, "from alice's browser\n".repeat(20_000)); // about 420 KB: two chunks
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      clickChat("bob");
      browser.driver.findElement(By.id("file")).sendKeys(upload.toString());
      WebElement link = browser.waiting().until(d -> d.findElements(By.cssSelector("#messages li.file a.download")).stream()
          .filter(a -> a.getAttribute("textContent").equals("notes <img src=x onerror=alert(1)>.txt")).findFirst()
          .orElse(null));
      assertThat(link.findElements(By.tagName("img"))).isEmpty();
      String files = CliHarness.check(h.as("bob", "--json", "files", "alice")).out();
      String id = files.replaceAll("(?s).*\"id\":\"(f:[^\"]+)\".*", "$1");
      Path got = tmp.resolve("bob-got.txt");
      CliHarness.check(h.as("bob", "download", "alice", id, "-o", got.toString()));
      assertThat(Files.readString(got)).isEqualTo(Files.readString(upload));

      Path bobs = tmp.resolve("plan.bin");
      byte[] bytes = new byte[300_000];
      new java.util.Random(7).nextBytes(bytes);
      Files.write(bobs, bytes);
      CliHarness.check(h.as("bob", "send", "alice", "--file", bobs.toString(), "--caption", "the plan"));
      WebElement offered = browser.waiting().until(d -> d.findElements(By.cssSelector("#messages li.file a.download")).stream()
          .filter(a -> a.getAttribute("textContent").equals("plan.bin")).findFirst().orElse(null));
      offered.click();
      Path saved = browser.downloads.resolve("plan.bin");
      browser.waiting().until(d -> Files.exists(saved) && sameBytes(saved, bytes));
    }
  }

  private static boolean sameBytes(Path p, byte[] bytes) {
    try {
      return java.util.Arrays.equals(Files.readAllBytes(p), bytes);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- groups and people

  @Test
  void anAdminApprovesAJoinRequestAndTheNewMembersMessageArrives() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    h.init("carol");
    CliHarness.check(h.as("alice", "group", "create", "trip", "--member", "bob"));
    String link = CliHarness.check(h.as("alice", "group", "link", "trip")).out().strip();
    CliHarness.check(h.as("carol", "group", "join", link, "--name", "carol <i>the</i> traveller"));
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      clickChat("trip");
      WebElement ask = browser.waiting().until(d -> d.findElements(By.cssSelector("#join-requests li.join-request")).stream()
          .findFirst().orElse(null));
      assertThat(ask.findElement(By.className("claim")).getAttribute("textContent")).isEqualTo("carol <i>the</i> traveller");
      assertThat(ask.findElements(By.tagName("i"))).isEmpty();
      ask.findElement(By.xpath(".//button[text()='Approve']")).click();
      browser.waiting().until(d -> d.findElements(By.cssSelector("#join-requests li.join-request")).isEmpty());
      live();
      CliHarness.check(h.as("carol", "group", "join", link));
      CliHarness.check(h.as("carol", "send", "trip", "thanks for having me"));
      message("thanks for having me");
      go(web, browser.driver.getCurrentUrl().replace(web.origin, "") + "/info");
      assertThat(browser.driver.findElement(By.cssSelector(".members")).getText()).contains("admin");
      assertThat(browser.driver.findElements(By.cssSelector(".members li"))).hasSize(3);
    }
  }

  @Test
  void aMessageRequestIsAcceptedAndTheSafetyNumberMarkedVerified() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.init("alice");
    h.strangerWrites("dave", "alice", "hello, we met at the conference");
    h.init("bob");
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      browser.waiting().until(d -> d.findElement(By.cssSelector("#sidebar .requests")).getText().contains("1"));
      browser.driver.findElement(By.cssSelector("#sidebar .requests")).click();
      live();
      browser.waiting().until(d -> d.findElements(By.cssSelector(".request .body")).stream()
          .anyMatch(e -> "hello, we met at the conference".equals(e.getAttribute("textContent"))));
      WebElement nick = browser.driver.findElement(By.cssSelector(".request input[name=nick]"));
      nick.sendKeys("dave");
      nick.sendKeys(Keys.ENTER);
      browser.waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".safety")));
      live();
      String number = browser.driver.findElement(By.cssSelector(".safety")).getText();
      String daveSees = CliHarness.check(h.as("dave", "friend", "verify", "alice")).out().strip();
      assertThat(number).isEqualTo(daveSees);
      browser.driver.findElement(By.xpath("//button[text()='Mark as verified']")).click();
      browser.waiting().until(d -> d.findElements(By.cssSelector("p.verified")).size() == 1);
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("dave").contains("verified");

      // And bob, added by his card on the Add page.
      go(web, "/add");
      browser.driver.findElement(By.id("nick")).sendKeys("bob");
      browser.driver.findElement(By.id("card")).sendKeys(h.cardOf("bob"));
      browser.driver.findElement(By.cssSelector("form[hx-post='/friends/add'] button")).click();
      browser.waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".safety")));
      assertThat(CliHarness.check(h.as("alice", "friend", "list")).out()).contains("bob");
    }
  }

  // ---------------------------------------------------------------- the gate, as a browser applies it

  /**
   * Cookies ignore ports: a cookie for 127.0.0.1 reaches every server on a loopback port. The session cookie is for
   * the random name only, so a server on another port (another user's, say) at 127.0.0.1, localhost or another
   * .localhost name gets nothing; only a page at our own random name would, and nobody else knows it. A page of
   * another origin that posts to us is refused and sends nothing.
   */
  @Test
  void theSessionCookieReachesNoOtherLoopbackServerAndAnotherOriginCannotPost() throws Exception {
    CliHarness h = new CliHarness(tmp);
    h.friends("alice", "bob");
    List<String> cookies = new CopyOnWriteArrayList<>();
    HttpServer spy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    spy.createContext("/", ex -> {
      cookies.add(ex.getRequestHeaders().getFirst("Host") + " cookie=" + ex.getRequestHeaders().getFirst("Cookie"));
      byte[] body = "<!doctype html><title>spy</title><p>spy".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    spy.start();
    int port = spy.getAddress().getPort();
    try (WebHarness web = WebHarness.start(h, "alice")) {
      open(web);
      for (String other : List.of("127.0.0.1", "localhost", "rc-someone-else.localhost")) {
        browser.driver.get("http://" + other + ":" + port + "/");
        browser.waiting().until(ExpectedConditions.titleIs("spy"));
      }
      assertThat(cookies).allMatch(c -> c.endsWith("cookie=null")) // each page and its favicon
          .anyMatch(c -> c.startsWith("127.0.0.1:")).anyMatch(c -> c.startsWith("localhost:"))
          .anyMatch(c -> c.startsWith("rc-someone-else.localhost:"));

      // From the spy's page, a form post and a fetch to our server: refused, and nothing reaches bob.
      browser.driver.get("http://127.0.0.1:" + port + "/");
      String send = web.origin + "/chat/d-" + h.fingerprintHex("bob") + "/send";
      browser.driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
          + "fetch(arguments[0], {method: 'POST', credentials: 'include', mode: 'no-cors',"
          + " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'text=forged+by+another+page'})"
          + ".then(function () { done(); }, function () { done(); });", send);
      browser.driver.executeScript("var f = document.createElement('form'); f.method = 'POST'; f.action = arguments[0];"
          + "var i = document.createElement('input'); i.name = 'text'; i.value = 'forged by a form'; f.append(i);"
          + "document.body.append(f); f.submit();", send);
      browser.waiting().until(d -> d.getCurrentUrl().startsWith(web.origin));
      assertThat(browser.driver.getPageSource()).containsAnyOf("did not come from a page of this server",
          "Requests from other sites are refused", "Open the link");
      assertThat(CliHarness.check(h.as("bob", "history", "alice")).out()).doesNotContain("forged");

      // The control: the browser does send the cookie to another port when the name is ours. The random name is what
      // keeps it here.
      browser.driver.get("http://" + URI.create(web.url).getHost() + ":" + port + "/");
      browser.waiting().until(ExpectedConditions.titleIs("spy"));
      assertThat(cookies.get(cookies.size() - 1)).contains("rc_session=");
    } finally {
      spy.stop(0);
    }
  }
}
