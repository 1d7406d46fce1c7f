// Angelou webchat, the loader: the one script a host page includes. It draws the
// launcher button and the chat frame, and gives the host page its quick exits.
//
// The conversation lives in the frame (chat.js, served as /chat by the same server as
// this script), a different origin from the host page: the host page's scripts cannot
// read it, and the loader never learns a word of it either. The loader's own shadow
// root is closed. Nothing is stored on the device, here or in the frame.
// See ../README.md for the options and the behaviour.

import { DEFAULT_EXIT_URL, control, fill, h, adoptStyles, httpUrl, TAG } from "./common.js";
import { PRESSES, shiftCounter } from "./shift.js";
import { LOADER_CSS } from "./styles.js";
import { DEFAULT_LAUNCHER_LABEL, DEFAULT_TITLE, SHIFT_PRESSED, SHIFT_RESET } from "./wording.js";

function readConfig(script) {
  const data = (script && script.dataset) || {};
  const base = (script && script.src) || location.href;
  // The frame page sits next to this script on its server.
  const frameUrl = new URL("chat", base);
  const title = data.title || DEFAULT_TITLE;
  const hash = new URLSearchParams({ loader: 1, exit: httpUrl(data.exitUrl) || DEFAULT_EXIT_URL, title });
  if (data.coverTracksUrl) hash.set("cover", httpUrl(data.coverTracksUrl, base) || "");
  frameUrl.hash = hash.toString();
  return {
    chatOrigin: frameUrl.origin,
    frameUrl: frameUrl.href,
    exitUrl: hash.get("exit"),
    title,
    launcherLabel: data.launcherLabel || DEFAULT_LAUNCHER_LABEL,
  };
}

function mount(config) {
  let exited = false;
  let isOpen = false;
  let loaded = false;

  const host = h("div", { "data-angelou-chat": true });
  // Closed: the host page's scripts get no handle on the launcher or the frame element.
  const shadow = host.attachShadow({ mode: "closed" });
  adoptStyles(shadow, LOADER_CSS);

  const announcer = h("div", { class: "sr-only", "aria-live": "polite" });
  const launcher = h(
    "button",
    { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "angelou-frame" },
    config.launcherLabel,
  );
  const frame = h("iframe", {
    id: "angelou-frame",
    class: "frame",
    title: config.title,
    src: config.frameUrl,
    // The chat's server is not told which page of the host site the person was on.
    referrerpolicy: "no-referrer",
    hidden: true,
  });
  const cover = h("div", { class: "cover", hidden: true });
  shadow.append(announcer, launcher, frame, cover);

  // Controls only, to the chat's origin only (see common.js).
  const tell = (what) => frame.contentWindow && frame.contentWindow.postMessage({ [TAG]: what }, config.chatOrigin);

  frame.addEventListener("load", () => {
    loaded = true;
    tell("hello");
    if (isOpen) tell("open");
  });

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== config.chatOrigin) return;
    const what = control(event);
    if (what === "exit") quickExit();
    else if (what === "close") close(true);
  });

  function open() {
    if (exited) return;
    isOpen = true;
    frame.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
    if (loaded) tell("open");
  }

  function close(fromFrame) {
    if (exited || !isOpen) return;
    isOpen = false;
    if (!fromFrame) tell("close");
    frame.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function quickExit(event) {
    if (event) event.preventDefault();
    if (exited) return;
    exited = true;
    // 1. Hide at once: a blank sheet over the page and the chat.
    cover.hidden = false;
    launcher.hidden = true;
    frame.hidden = true;
    // 2, 3. The frame asks the server to delete the conversation and forgets it (and
    // does again as it unloads, should this message not arrive first).
    tell("exit");
    // 4. Leave, replacing this page in the history so Back does not return to it.
    location.replace(config.exitUrl);
  }

  launcher.addEventListener("click", open);

  // Any host-page element marked data-vawg-exit is a quick exit too.
  document.addEventListener(
    "click",
    (event) => {
      const target = event.target instanceof Element && event.target.closest("[data-vawg-exit]");
      if (target) quickExit(event);
    },
    true,
  );

  // Shift presses made on the host page; the frame counts those made in the chat.
  const shift = shiftCounter({
    onPress: (count) => announce(fill(SHIFT_PRESSED, { count, left: PRESSES - count })),
    onReset: () => announce(SHIFT_RESET),
    onTrigger: () => quickExit(),
  });
  window.addEventListener("keydown", shift.keydown, true);
  window.addEventListener("keyup", shift.keyup, true);

  function announce(text) {
    announcer.replaceChildren(h("p", null, text));
  }

  // Restored from the back-forward cache: the frame has wiped the conversation; start closed.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted || exited) return;
    isOpen = false;
    frame.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    announcer.replaceChildren();
  });

  document.body.append(host);
  return { open, close: () => close(), exit: () => quickExit() };
}

(function start() {
  if (window.AngelouChat) return; // the tag was included twice
  const script = document.currentScript || document.querySelector('script[src$="/webchat.js"]');
  const config = readConfig(script);
  const api = {};
  window.AngelouChat = Object.freeze({
    open: () => api.open && api.open(),
    close: () => api.close && api.close(),
    // Exit works even before the widget has mounted.
    exit: () => (api.exit ? api.exit() : location.replace(config.exitUrl)),
  });
  const go = () => Object.assign(api, mount(config));
  if (document.body) go();
  else document.addEventListener("DOMContentLoaded", go, { once: true });
})();
