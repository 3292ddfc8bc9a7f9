/* gii-bot web chat. Everything shown goes through textContent, never innerHTML. */
(function () {
  "use strict";

  var SESSION_KEY = "gii-bot.session";
  var TRANSCRIPT_KEY = "gii-bot.transcript";
  var KEEP_ENTRIES = 200;
  var TIMEOUT_MS = 20000;
  var LABELS = { no_data: "I don't have that", not_understood: "Not understood" };
  var SHOWN_CLUSTERS = 5;  // cluster names listed on the empty page before "and N more"
  var COPY_HINT = "Press Ctrl+C (\u2318C on a Mac) to copy the selected text.";
  var Rows = window.GiiBotRows;

  var chat = document.querySelector(".chat");
  var log = document.getElementById("log");
  var form = document.getElementById("ask-form");
  var input = document.getElementById("question");
  var sendButton = document.getElementById("send");
  var newButton = document.getElementById("new-conversation");
  var announcer = document.getElementById("announcer");
  var knows = document.getElementById("knows");
  var starters = document.getElementById("starters");

  // localStorage can be missing or refuse writes (private modes, blocked third-party storage).
  var memoryStore = {};
  function readItem(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return memoryStore[key] || null; }
  }
  function writeItem(key, value) {
    memoryStore[key] = value;
    try { window.localStorage.setItem(key, value); } catch (e) { /* kept in memory only */ }
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function loadTranscript() {
    try {
      var entries = JSON.parse(readItem(TRANSCRIPT_KEY) || "[]");
      return Array.isArray(entries) ? entries.filter(function (e) { return e && typeof e.text === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  var session = readItem(SESSION_KEY);
  if (!session) {
    session = newSessionId();
    writeItem(SESSION_KEY, session);
  }
  var transcript = loadTranscript();
  var pending = false;

  function saveTranscript() {
    transcript = transcript.slice(-KEEP_ENTRIES);
    writeItem(TRANSCRIPT_KEY, JSON.stringify(transcript));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // Screen readers hear each reply's sentence from here (the log itself is not live).
  function announce(text) {
    while (announcer.firstChild) announcer.removeChild(announcer.firstChild);
    announcer.appendChild(element("p", null, text));
  }

  // Clipboard API where there is one (a secure context); else the text selected in a visible box.
  // The fallback box goes right under the button's row of actions, replacing an earlier one there.
  function copy(text, button) {
    var anchor = button.closest(".actions") || button;
    function fallback() {
      var old = anchor.nextElementSibling;
      if (old && old.classList.contains("copy-fallback")) old.remove();
      var box = element("div", "copy-fallback");
      var area = element("textarea", "copy-text");
      area.readOnly = true;
      area.value = text;
      area.rows = Math.min(8, Math.max(3, text.split("\n").length, Math.ceil(text.length / 40)));
      area.setAttribute("aria-label", "Text to copy");
      var hint = element("p", "copy-hint", COPY_HINT);
      hint.id = "copy-hint-" + Math.random().toString(36).slice(2);
      area.setAttribute("aria-describedby", hint.id);
      box.appendChild(area);
      box.appendChild(hint);
      anchor.after(box);
      area.focus();
      area.select();
    }
    if (navigator.clipboard && typeof navigator.clipboard.writeText === "function" && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        var label = button.textContent;
        button.textContent = "Copied";
        announce("Copied.");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, fallback);  // refused (no permission, a frame without clipboard-write)
    } else {
      fallback();
    }
  }

  function citation(entry) {
    return entry.source ? entry.text + " \u2014 Source: " + entry.source : entry.text;
  }

  function copyButton(label, className, text) {
    var button = element("button", "action " + className, label);
    button.type = "button";
    button.addEventListener("click", function () { copy(text(), button); });
    return button;
  }

  function clearSuggestions() {
    var old = log.querySelectorAll(".suggestions");
    for (var i = 0; i < old.length; i++) old[i].remove();
  }

  function render(entry, withSuggestions) {
    var node;
    if (entry.who === "user") {
      node = element("div", "msg msg-user");
      node.appendChild(element("span", "visually-hidden", "You: "));
      node.appendChild(element("p", "msg-text", entry.text));
    } else if (entry.who === "error") {
      node = element("div", "msg msg-error");
      node.appendChild(element("span", "visually-hidden", "Error: "));
      node.appendChild(element("p", "msg-text", entry.text));
    } else {
      var status = typeof entry.status === "string" ? entry.status.replace(/[^a-z_]/g, "") : "answered";
      node = element("div", "msg msg-bot status-" + status);
      node.appendChild(element("span", "visually-hidden", "Bot: "));
      if (LABELS[status]) node.appendChild(element("span", "msg-label", LABELS[status]));
      node.appendChild(element("p", "msg-text", entry.text));
      if (entry.source) node.appendChild(element("p", "msg-source", "Source: " + entry.source));
      if (status === "answered") {
        var actions = element("div", "actions msg-actions");
        actions.appendChild(copyButton("Copy", "copy", function () { return citation(entry); }));
        node.appendChild(actions);
      }
      var drawn = Rows ? Rows.draw(entry.rows, copy) : [];
      if (drawn.length) node.classList.add("msg-has-rows");
      drawn.forEach(function (block) { node.appendChild(block); });
      if (withSuggestions && Array.isArray(entry.suggestions) && entry.suggestions.length) {
        var group = element("div", "suggestions");
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", "Suggested questions");
        entry.suggestions.forEach(function (text) {
          if (typeof text !== "string") return;
          var button = element("button", "suggestion", text);
          button.type = "button";
          button.addEventListener("click", function () { ask(text); });
          group.appendChild(button);
        });
        node.appendChild(group);
      }
    }
    log.appendChild(node);
    chat.classList.add("has-messages");
    scrollToEnd();
    return node;
  }

  function add(entry, persist) {
    clearSuggestions();
    render(entry, true);
    if (persist) {
      transcript.push(entry);
      saveTranscript();
    }
  }

  function setBusy(busy) {
    pending = busy;
    sendButton.disabled = busy;
    log.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function errorText(response, payload) {
    if (payload && typeof payload.detail === "string") return payload.detail;
    return "The server answered " + response.status + ". Please try again.";
  }

  function ask(question) {
    question = (question || "").trim();
    if (!question || pending) return;
    setBusy(true);
    add({ who: "user", text: question }, true);
    input.value = "";
    var typing = element("div", "msg msg-bot typing", "…");
    typing.setAttribute("aria-hidden", "true");
    log.appendChild(typing);
    scrollToEnd();

    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    fetch("ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ question: question, session: session }),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (payload) {
        if (!response.ok || !payload || typeof payload.text !== "string") {
          throw new Error(errorText(response, payload));
        }
        return payload;
      });
    }).then(function (answer) {
      typing.remove();
      var rows = answer.data && Rows ? Rows.usable(answer.data.rows) : [];
      var entry = {
        who: "bot",
        text: answer.text,
        status: answer.status,
        source: answer.source || null,
        suggestions: Array.isArray(answer.suggestions) ? answer.suggestions : []
      };
      if (rows.length) entry.rows = rows;
      add(entry, true);
      announce((LABELS[answer.status] ? LABELS[answer.status] + ". " : "") + answer.text);
    }).catch(function (error) {
      typing.remove();
      var message = error && error.name === "AbortError" ? "The server took too long. Please try again."
        : error instanceof TypeError ? "Couldn't reach the server. Check the connection and try again."
        : (error && error.message) || "Something went wrong. Please try again.";
      add({ who: "error", text: message }, false);
      announce(message);
      if (!input.value) input.value = question;
    }).then(function () {
      if (timer) window.clearTimeout(timer);
      setBusy(false);
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(input.value);
  });

  newButton.addEventListener("click", function () {
    session = newSessionId();
    writeItem(SESSION_KEY, session);
    transcript = [];
    saveTranscript();
    while (log.firstChild) log.removeChild(log.firstChild);
    chat.classList.remove("has-messages");
    input.value = "";
    input.focus();
  });

  // In the widget's iframe, autofocus does not work across origins: when the widget opens and
  // focuses the frame, put the caret in the box so the visitor can type at once.
  function focusBoxIfNothingElse() {
    if (!document.activeElement || document.activeElement === document.body) input.focus();
  }
  window.addEventListener("focus", focusBoxIfNothingElse);
  if (document.hasFocus()) focusBoxIfNothingElse();

  // Keys pressed inside the widget's iframe never reach the host page, so Escape is passed up:
  // the widget closes its panel on this message (it checks that it comes from its own frame).
  if (window.parent !== window && document.documentElement.classList.contains("embed")) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") window.parent.postMessage({ giiBot: "close" }, "*");
    });
  }

  // The empty page: what the bot knows and three example questions, from GET /about.
  function showKnowledge(known) {
    var names = (Array.isArray(known.clusters) ? known.clusters : []).map(function (c) { return c && c.name; })
      .filter(function (name) { return typeof name === "string" && name; });
    if (names.length) {
      var listed = names.slice(0, SHOWN_CLUSTERS).join(", ");
      if (names.length > SHOWN_CLUSTERS) listed += " and " + (names.length - SHOWN_CLUSTERS) + " more";
      var edition = typeof known.edition === "number" ? " of the GII " + known.edition : "";
      knows.textContent = "I know " + names.length + " science-and-technology cluster" +
        (names.length === 1 ? "" : "s") + edition + ": " + listed + ".";
      knows.hidden = false;
    }
    var examples = Array.isArray(known.examples) ? known.examples : [];
    examples.forEach(function (text) {
      if (typeof text !== "string") return;
      var button = element("button", "starter", text);
      button.type = "button";
      button.addEventListener("click", function () { ask(text); });
      starters.appendChild(button);
    });
    starters.hidden = !starters.firstChild;
  }

  fetch("about", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (known) { if (known && typeof known === "object") showKnowledge(known); })
    .catch(function () { /* the page works without it: the intro text stays */ });

  // Show the conversation kept from earlier visits; suggestions only under the last reply.
  transcript.forEach(function (entry, index) {
    render(entry, index === transcript.length - 1);
  });
})();
