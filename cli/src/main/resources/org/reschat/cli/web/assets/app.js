// ResChat web: the little the pages need beyond htmx. Loaded from this server only (the Content-Security-Policy
// allows no inline script); it never builds HTML from text: text goes in with textContent, and HTML only ever
// comes from the server, where everything others wrote is escaped.
(function () {
  'use strict';

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  }

  function history() { return document.getElementById('history'); }
  function messages() { return document.getElementById('messages'); }

  function nearBottom(el) {
    return !el || el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  function toBottom() {
    var h = history();
    if (h) { h.scrollTop = h.scrollHeight; }
  }

  // A message can come twice: in the answer to a send and on the event stream, or in a history loaded while the
  // stream replays. The first one shown stays.
  function dedupe() {
    var list = messages();
    if (!list) { return; }
    var seen = {};
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (!li.id) { return; }
      if (seen[li.id]) { li.remove(); } else { seen[li.id] = true; }
    });
  }

  function flash(html) {
    var f = document.getElementById('flash');
    if (f) { htmx.swap(f, html, { swapStyle: 'innerHTML' }); }
  }

  function flashText(text) {
    var f = document.getElementById('flash');
    if (!f) { return; }
    var p = document.createElement('p');
    p.className = 'error';
    p.textContent = text;
    f.replaceChildren(p);
  }

  // ---------------------------------------------------------------- sending, in order, the composer free at once

  var sending = Promise.resolve();

  // ---------------------------------------------------------------- replying: the composer's "replying to" bar

  function replying() { return document.getElementById('replying'); }

  // Filled from the Reply button's data attributes (escaped by the server) with textContent: text stays text.
  function replyTo(button) {
    var bar = replying();
    var box = document.querySelector('textarea[data-enter-sends]');
    if (!bar) { return; }
    bar.querySelector('.who').textContent = button.getAttribute('data-who') || '';
    bar.querySelector('.excerpt').textContent = button.getAttribute('data-excerpt') || '';
    bar.querySelector('input[name=reply_to]').value = button.getAttribute('data-reply') || '';
    bar.hidden = false;
    if (box) { box.focus(); }
  }

  function cancelReply() {
    var bar = replying();
    if (!bar) { return; }
    bar.hidden = true;
    bar.querySelector('input[name=reply_to]').value = '';
    bar.querySelector('.who').textContent = '';
    bar.querySelector('.excerpt').textContent = '';
  }

  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!t.closest) { return; }
    var reply = t.closest('button[data-reply]');
    if (reply) { replyTo(reply); return; }
    if (t.closest('.cancel-reply')) {
      cancelReply();
      var box = document.querySelector('textarea[data-enter-sends]');
      if (box) { box.focus(); }
    }
  });

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key === 'Escape' && t.matches && t.matches('textarea[data-enter-sends]') && replying() && !replying().hidden) {
      e.preventDefault();
      cancelReply();
    }
  });

  function send(form) {
    var box = form.querySelector('textarea');
    var text = box.value;
    if (!text.trim()) { return; }
    box.value = '';
    var answering = form.querySelector('input[name=reply_to]');
    var replyId = answering ? answering.value : '';
    var bar = replying();
    var replyWho = bar ? bar.querySelector('.who').textContent : '';
    var replyExcerpt = bar ? bar.querySelector('.excerpt').textContent : '';
    cancelReply();
    var fields = { text: text };
    if (replyId) { fields.reply_to = replyId; }
    var list = messages();
    var pending = document.createElement('li');
    pending.className = 'msg sent pending';
    var meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = 'me · sending…';
    var body = document.createElement('div');
    body.className = 'body';
    body.textContent = text;
    pending.append(meta, body);
    if (list) { list.append(pending); toBottom(); }
    var url = form.getAttribute('data-send');
    sending = sending.then(function () {
      return fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf(), 'HX-Request': 'true' },
        body: new URLSearchParams(fields),
        credentials: 'same-origin'
      }).then(function (response) {
        return response.text().then(function (html) {
          pending.remove();
          if (response.ok) {
            var l = messages();
            if (l) { htmx.swap(l, html, { swapStyle: 'beforeend' }); dedupe(); toBottom(); }
          } else {
            flash(html);
            if (!box.value) { box.value = text; } // nothing was sent: the words are not lost
            restoreReply(replyId, replyWho, replyExcerpt);
          }
        });
      }).catch(function () {
        pending.remove();
        flashText('Not sent: reschat web is not answering. Is it still running?');
        if (!box.value) { box.value = text; }
        restoreReply(replyId, replyWho, replyExcerpt);
      });
    });
  }

  function restoreReply(id, who, excerpt) {
    var bar = replying();
    if (!id || !bar || bar.querySelector('input[name=reply_to]').value) { return; }
    bar.querySelector('input[name=reply_to]').value = id;
    bar.querySelector('.who').textContent = who;
    bar.querySelector('.excerpt').textContent = excerpt;
    bar.hidden = false;
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.matches && form.matches('form[data-send]')) {
      e.preventDefault();
      send(form);
    }
  });

  // Enter sends, Shift+Enter starts a new line (not while an input method is composing a character).
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && t.matches && t.matches('textarea[data-enter-sends]')) {
      e.preventDefault();
      if (t.form) { t.form.requestSubmit(); }
    }
  });

  // ---------------------------------------------------------------- files, with progress both ways

  function transferId() {
    var a = new Uint8Array(8);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function upload(input, file) {
    var id = transferId();
    var box = document.getElementById('transfers');
    var row = document.createElement('span');
    row.className = 'transfer';
    row.id = 'up-' + id;
    var label = document.createElement('span');
    label.textContent = 'Uploading ' + file.name + ' ';
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    row.append(label, bar);
    if (box) { box.append(row); }
    var url = input.getAttribute('data-upload') + '?name=' + encodeURIComponent(file.name) + '&transfer=' + id;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.setRequestHeader('HX-Request', 'true');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (file.type) { xhr.setRequestHeader('X-File-Type', file.type); }
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
    };
    xhr.onload = function () {
      var el = document.getElementById('up-' + id);
      if (el) { el.remove(); }
      if (xhr.status >= 200 && xhr.status < 300) {
        var l = messages();
        if (l) { htmx.swap(l, xhr.responseText, { swapStyle: 'beforeend' }); dedupe(); toBottom(); }
      } else {
        flash(xhr.responseText);
      }
    };
    xhr.onerror = function () {
      var el = document.getElementById('up-' + id);
      if (el) { el.remove(); }
      flashText('Not sent: reschat web is not answering. Is it still running?');
    };
    xhr.send(file);
  }

  document.addEventListener('change', function (e) {
    var input = e.target;
    if (input.matches && input.matches('input[type=file][data-upload]')) {
      Array.prototype.forEach.call(input.files, function (f) { upload(input, f); });
      input.value = '';
    }
  });

  // ---------------------------------------------------------------- the event stream

  var wasNearBottom = true;
  var olderFrom = null;

  document.addEventListener('htmx:sseBeforeMessage', function (e) {
    wasNearBottom = nearBottom(history());
    if (e.detail && e.detail.type === 'reload') {
      e.preventDefault();
      location.reload(); // the stream cannot say what was missed: read the chat afresh
    }
    if (e.detail && e.detail.type === 'changed') {
      String(e.detail.data).split(' ').forEach(function (id) {
        if (/^m-[0-9a-f]{2,200}$/.test(id)) { redraw(id); }
      });
    }
  });

  // A reaction, edit or delete changed a message (the stream's "changed" names element ids): if this page shows it,
  // from whichever page of the history, it is asked for and drawn again where it is. One request at a time for the
  // whole page (a friend reacting to every message costs the server one lookup after another), and a message asked
  // for again while its request is out is asked for once more afterwards, so what is shown is never older than its
  // last change. When the message starts above what is in view, what is in view stays where it was.
  var queued = {};
  var redraws = Promise.resolve();
  function redraw(id) {
    if (queued[id]) { return; } // its request is still to be made: it will see this change too
    queued[id] = true;
    redraws = redraws.then(function () {
      delete queued[id];
      var li = document.getElementById(id);
      var h = history();
      if (!li || !h || !li.closest('#messages') || !li.getAttribute('data-id')) { return; }
      var url = h.getAttribute('data-message') + '?id=' + encodeURIComponent(li.getAttribute('data-id'));
      return fetch(url, { headers: { 'HX-Request': 'true' }, credentials: 'same-origin' }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        var old = document.getElementById(id);
        var hh = history();
        if (!html || !old || !hh) { return; }
        var above = old.getBoundingClientRect().top < hh.getBoundingClientRect().top;
        var height = old.offsetHeight;
        htmx.swap(old, html, { swapStyle: 'outerHTML' });
        var now = document.getElementById(id);
        if (above && now) { hh.scrollTop += now.offsetHeight - height; }
      }).catch(function () {
        // drawn again with its next change, or when the chat is opened again
      });
    });
  }

  // What arrives in a chat is read once the tab showing it is visible (not merely because a stream wrote to it).
  var readTimer = null;
  function markRead() {
    var h = history();
    if (!h || document.visibilityState !== 'visible' || readTimer) { return; }
    readTimer = setTimeout(function () {
      readTimer = null;
      var hh = history();
      if (!hh) { return; }
      fetch(hh.getAttribute('data-read'), { method: 'POST', headers: { 'X-CSRF-Token': csrf() }, credentials: 'same-origin' })
        .catch(function () { /* counted as unread until the next time */ });
    }, 300);
  }
  document.addEventListener('visibilitychange', markRead);

  document.addEventListener('htmx:sseMessage', function (e) {
    if (e.detail && e.detail.type === 'message') { markRead(); }
    // The cursor: if the browser has to open a new stream (not a reconnect of the old one), it starts here.
    var id = e.detail && e.detail.lastEventId;
    var app = document.querySelector('[sse-connect]');
    if (id && app) {
      var url = new URL(app.getAttribute('sse-connect'), location.href);
      url.searchParams.set('after', id);
      app.setAttribute('sse-connect', url.pathname + url.search);
    }
    dedupe();
    if (wasNearBottom) { toBottom(); }
  });

  function live(state) {
    var el = document.getElementById('live');
    if (el) { el.textContent = state; el.setAttribute('data-state', state); }
  }
  document.addEventListener('htmx:sseOpen', function () { live('live'); });
  document.addEventListener('htmx:sseError', function () { live('reconnecting…'); });

  // Older messages: keep the one at the top where it was.
  document.addEventListener('htmx:beforeRequest', function (e) {
    var h = history();
    if (h && e.detail.elt && e.detail.elt.classList && e.detail.elt.classList.contains('older')) {
      olderFrom = h.scrollHeight - h.scrollTop;
    } else if (h && e.detail.elt === h) {
      olderFrom = nearBottom(h) ? null : h.scrollHeight - h.scrollTop;
    }
  });

  document.addEventListener('htmx:afterSettle', function (e) {
    dedupe();
    var h = history();
    if (h && e.detail.elt && (e.detail.elt === h || e.detail.elt.id === 'history')) {
      if (olderFrom !== null) { h.scrollTop = h.scrollHeight - olderFrom; } else { toBottom(); }
      olderFrom = null;
    }
  });

  // A reaction, edit or delete redraws its message (in the answer, and again when the event stream brings it): the
  // keyboard's focus goes back into that message each time it was lost with it, until the person moves on.
  var refocus = null;
  document.addEventListener('htmx:beforeRequest', function (e) {
    var elt = e.detail.elt;
    var li = elt && elt.closest && elt.closest('.actions, .reactions') ? elt.closest('li[id]') : null;
    refocus = li ? li.id : null;
  });
  document.addEventListener('focusin', function (e) {
    if (refocus && e.target.closest && !e.target.closest('#' + refocus)) { refocus = null; }
  });
  function focusBack() {
    if (!refocus || (document.activeElement && document.activeElement !== document.body)) { return; }
    var target = document.querySelector('#' + refocus + ' .actions details.react > summary') ||
      document.querySelector('#' + refocus + ' .actions button');
    if (target) { target.focus(); }
  }
  document.addEventListener('htmx:afterSettle', focusBack);
  document.addEventListener('htmx:oobAfterSwap', function () { setTimeout(focusBack, 0); });

  // The tab's title counts what is unread, as messengers' tabs do.
  var baseTitle = null;
  function titleCount() {
    if (baseTitle === null) { baseTitle = document.title; }
    var n = 0;
    document.querySelectorAll('#sidebar .chats .badge[aria-label]').forEach(function (b) {
      n += parseInt(b.textContent, 10) || 0;
    });
    document.title = (n > 0 ? '(' + n + ') ' : '') + baseTitle;
  }
  document.addEventListener('htmx:afterSettle', titleCount);

  // Alt+Up and Alt+Down move to the chat above or below in the list.
  document.addEventListener('keydown', function (e) {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) { return; }
    var links = Array.prototype.slice.call(document.querySelectorAll('#sidebar .chats a'));
    if (!links.length) { return; }
    var at = links.findIndex(function (a) { return a.getAttribute('aria-current') === 'page'; });
    var next = e.key === 'ArrowUp' ? (at <= 0 ? links.length - 1 : at - 1) : (at + 1) % links.length;
    e.preventDefault();
    location.href = links[next].getAttribute('href');
  });

  document.addEventListener('DOMContentLoaded', function () {
    titleCount();
    toBottom();
    var box = document.querySelector('textarea[data-enter-sends]');
    if (box) { box.focus(); }
  });
})();
