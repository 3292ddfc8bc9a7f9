/* gii-bot widget: <script src="https://YOUR-SERVER/widget.js"></script> adds a chat button to any page.
   The chat itself runs in an iframe served by the same server this script came from, so the host
   page's code never sees the conversation. Styles are set through element.style, never inline HTML. */
(function () {
  "use strict";
  if (window.__giiBotWidget) return;
  window.__giiBotWidget = true;

  var script = document.currentScript;
  if (!script || !script.src) return;
  var chatUrl = new URL("embed", script.src).href;

  function style(node, rules) {
    for (var name in rules) node.style[name] = rules[name];
  }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat";
  button.setAttribute("aria-label", "Open the GII clusters chat");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "gii-bot-widget-panel");
  button.setAttribute("data-gii-bot", "button");
  style(button, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483647",
    minWidth: "56px", height: "56px", padding: "0 18px", borderRadius: "28px",
    border: "0", background: "#0b5cad", color: "#ffffff",
    font: "600 16px/1 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,0.25)", cursor: "pointer"
  });

  var panel = document.createElement("div");
  panel.id = "gii-bot-widget-panel";
  panel.setAttribute("data-gii-bot", "panel");
  panel.hidden = true;
  style(panel, {
    position: "fixed", right: "20px", bottom: "88px", zIndex: "2147483647",
    width: "380px", height: "560px", maxWidth: "calc(100vw - 24px)", maxHeight: "calc(100vh - 108px)",
    borderRadius: "12px", overflow: "hidden", boxShadow: "0 8px 30px rgba(0,0,0,0.3)",
    background: "#ffffff", display: "none"
  });

  var frame = null;

  function open() {
    if (!frame) {
      // Created on first open, so pages that never use the chat never load it.
      frame = document.createElement("iframe");
      frame.setAttribute("allow", "clipboard-write");  // the chat's Copy buttons, from another origin
      frame.src = chatUrl;
      frame.title = "GII clusters chat";
      style(frame, { width: "100%", height: "100%", border: "0", display: "block" });
      frame.addEventListener("load", function () {
        if (!panel.hidden) frame.focus();  // the chat puts the caret in its box when focused
      });
      panel.appendChild(frame);
    }
    panel.hidden = false;
    panel.style.display = "block";
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-label", "Close the GII clusters chat");
    button.textContent = "\u00d7";
    frame.focus();
  }

  function close() {
    panel.hidden = true;
    panel.style.display = "none";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", "Open the GII clusters chat");
    button.textContent = "Chat";
    button.focus();
  }

  button.addEventListener("click", function () {
    if (panel.hidden) open(); else close();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) close();
  });
  // Escape pressed inside the chat's frame: only from our own frame and server, never another page.
  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== new URL(chatUrl).origin) return;
    if (event.data && event.data.giiBot === "close" && !panel.hidden) close();
  });

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(button);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
