// Angelou webchat, the conversation: runs in the frame page (/chat) the loader
// (loader.js) puts on the host page. The frame comes from the chat's own origin, so no
// script on the host page can read what is said here.
//
// The conversation exists only in this frame's memory. There is no web storage, no
// cookie, no service worker; every load gets a new random sender id; the bot is called
// with `cache: "no-store"`. Quick exit hides everything, asks the server to delete the
// conversation, clears the DOM, and has the loader replace the host page in the history.
// See ../README.md for the options and the behaviour.

import { DEFAULT_EXIT_URL, control, fill, h, adoptStyles, httpUrl, TAG } from "./common.js";
import { isExitPhrase } from "./exit-phrase.js";
import { segments } from "./linkify.js";
import { PRESSES, shiftCounter } from "./shift.js";
import { CHAT_CSS } from "./styles.js";
import TRANSLATIONS from "./translations.json" with { type: "json" };
import * as ENGLISH_WORDS from "./wording.js";

const REQUEST_TIMEOUT_MS = 30000;
const MAX_MESSAGE_CHARS = 2000; // the server refuses longer messages
const MAX_TITLE_CHARS = 80;

// The server writes the bot and exit URLs into the script tag; the loader passes the
// host page's own choices (exit page, advice page, title) in the frame URL's fragment,
// which never reaches a server.
function readConfig(script) {
  const data = (script && script.dataset) || {};
  const hash = new URLSearchParams(location.hash.slice(1));
  return {
    // Always written by the server (its one default is in directory/web/settings.py); without
    // it the chat cannot connect and says so, with the helpline.
    botUrl: (data.botUrl || "").replace(/\/+$/, ""),
    exitUrl: httpUrl(hash.get("exit")) || httpUrl(data.exitUrl) || DEFAULT_EXIT_URL,
    coverTracksUrl: httpUrl(hash.get("cover")) || httpUrl(data.coverTracksUrl || "/cover-your-tracks"),
    title: (hash.get("title") || say.DEFAULT_TITLE).slice(0, MAX_TITLE_CHARS),
    // Drawn by the loader, which opens and closes it. Otherwise (the page on its own, or
    // framed by hand) it shows at once, with no close button: nothing to go back to.
    withLoader: window.parent !== window && hash.has("loader"),
  };
}

function newSenderId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID needs a secure context; this is the same UUID4 from the same CSPRNG.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The widget's words in the language chosen in its header (English until one is): the
// translations are made from translations/<code>.yml (`python -m bot.translations`); a word
// not translated yet is English. The choice lives in this page's memory only.
const ENGLISH = "en";
const say = { ...ENGLISH_WORDS };
let chosenLanguage = null; // null: not chosen, the bot follows what is typed

function useLanguage(code) {
  const translation = TRANSLATIONS[code];
  Object.assign(say, ENGLISH_WORDS, translation ? translation.words : {});
  chosenLanguage = code;
  document.documentElement.lang = code;
  document.documentElement.dir = translation ? translation.direction : "ltr";
}

// Text with https links and phone numbers made clickable; everything else stays text.
function richText(text) {
  return segments(text).map((part) => {
    if (part.type === "text") return document.createTextNode(part.text);
    // Left to right even in Arabic text, or "116 123" would show as "123 116".
    if (part.type === "tel") return h("a", { href: part.href, dir: "ltr" }, part.text);
    return h(
      "a",
      { href: part.href, target: "_blank", rel: "noopener noreferrer" },
      part.text,
      h("span", { class: "sr-only" }, say.OPENS_IN_NEW_TAB),
    );
  });
}

function mount(config) {
  let sender = newSenderId();
  let started = false; // whether the server may hold a conversation for `sender`
  let queue = Promise.resolve(); // one request at a time keeps the replies in order
  let pending = 0;
  const controllers = new Set();
  let exited = false;
  const { withLoader } = config;
  let loaderOrigin = null; // set by the loader's hello

  document.title = config.title;
  adoptStyles(document, CHAT_CSS);

  // ----- Building the UI ---------------------------------------------------------
  const announcer = h("div", { class: "sr-only", "aria-live": "polite" });
  const exitButton = h("button", { type: "button", class: "exit" });
  const closeButton = h("button", { type: "button", class: "close", hidden: !withLoader });
  const languageLabel = h("label", { for: "angelou-language", class: "sr-only" });
  const languageChoice = h(
    "select",
    { id: "angelou-language", class: "language" },
    h("option", { value: ENGLISH, lang: ENGLISH }, "English"),
    ...Object.entries(TRANSLATIONS).map(([code, t]) =>
      h("option", { value: code, lang: code, dir: t.direction }, t.name),
    ),
  );
  const typing = h(
    "div",
    { class: "typing", hidden: true, "aria-hidden": "true" },
    h("span"),
    h("span"),
    h("span"),
  );
  const notice = h("div", { class: "notice" });
  const messages = h("div", { class: "messages" });
  // Focusable, so the conversation can be scrolled with the keyboard.
  const log = h("div", { class: "log", role: "region", tabindex: "0" }, notice, messages, typing);
  const input = h("input", {
    id: "angelou-input",
    class: "input",
    type: "text",
    // No browser form history, autocorrect or spellcheck learning of what is typed here.
    autocomplete: "off",
    autocorrect: "off",
    spellcheck: "false",
    enterkeyhint: "send",
    maxlength: MAX_MESSAGE_CHARS,
    dir: "auto", // Arabic, Farsi and Urdu are typed right to left
  });
  const messageLabel = h("label", { for: "angelou-input", class: "sr-only" });
  const sendButton = h("button", { type: "submit", class: "send" });
  const composer = h("form", { class: "composer" }, messageLabel, input, sendButton);
  const panel = h(
    "section",
    { class: "panel", role: "dialog", "aria-labelledby": "angelou-title", hidden: withLoader },
    h(
      "div",
      { class: "header" },
      h("h1", { id: "angelou-title", class: "title" }, config.title),
      languageLabel,
      languageChoice,
      exitButton,
      closeButton,
    ),
    log,
    composer,
  );

  // Every word of the panel, in the language chosen (again when the choice changes).
  function showWords() {
    exitButton.replaceChildren(say.EXIT_BUTTON, h("span", { class: "sr-only" }, say.EXIT_BUTTON_HIDDEN));
    closeButton.setAttribute("aria-label", say.CLOSE_BUTTON_NAME);
    closeButton.replaceChildren(say.CLOSE_BUTTON);
    languageLabel.replaceChildren(say.LANGUAGE_CHOICE);
    languageChoice.title = say.LANGUAGE_CHOICE_HINT;
    log.setAttribute("aria-label", say.CONVERSATION_NAME);
    messageLabel.replaceChildren(say.MESSAGE_LABEL);
    sendButton.replaceChildren(say.SEND_BUTTON);
    const exitPlace = config.exitUrl === DEFAULT_EXIT_URL ? say.EXIT_PLACE_DEFAULT : say.EXIT_PLACE_OTHER;
    notice.replaceChildren(
      h("h2", null, say.NOTICE_HEADING),
      h("p", null, fill(say.NOTICE_QUICK_EXIT, { exitPlace })),
      h(
        "p",
        null,
        say.NOTICE_HISTORY,
        h(
          "a",
          { href: config.coverTracksUrl, target: "_blank", rel: "noopener noreferrer" },
          say.NOTICE_COVER_TRACKS,
          h("span", { class: "sr-only" }, say.OPENS_IN_NEW_TAB),
        ),
      ),
      h("p", null, richText(say.NOTICE_DANGER)),
    );
  }
  showWords();
  languageChoice.addEventListener("change", () => {
    useLanguage(languageChoice.value);
    showWords();
  });
  const root = h("main", { class: "root" }, announcer, panel);
  const cover = h("div", { class: "cover", hidden: true });
  document.body.append(root, cover);

  // ----- Talking to the loader ---------------------------------------------------
  function tell(what) {
    if (loaderOrigin) window.parent.postMessage({ [TAG]: what }, loaderOrigin);
  }

  window.addEventListener("message", (event) => {
    if (!withLoader || event.source !== window.parent) return;
    const what = control(event);
    if (what === "hello") loaderOrigin = event.origin;
    else if (what === "open") open();
    else if (what === "close") close(true);
    else if (what === "exit") quickExit(null, true);
  });

  // ----- Conversation ------------------------------------------------------------
  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function announce(text) {
    // A fresh node each time, so two identical replies are both read out.
    announcer.replaceChildren(h("p", null, text));
  }

  function addMessage(who, text, kind) {
    const label = who === "user" ? say.YOU_SAID : say.ASSISTANT_SAID;
    messages.append(
      h(
        "div",
        { class: `msg msg--${kind || who}` },
        h("span", { class: "sr-only" }, label),
        // Its own direction from its first letters: an Arabic reply reads right to left.
        h("div", { dir: "auto" }, richText(text)),
      ),
    );
    scrollToEnd();
  }

  function removeQuickReplies() {
    const hadFocus = document.activeElement && document.activeElement.classList.contains("reply");
    for (const group of messages.querySelectorAll(".replies")) group.remove();
    if (hadFocus) input.focus();
  }

  function addQuickReplies(buttons) {
    const group = h("div", { class: "replies", role: "group", "aria-label": say.SUGGESTED_REPLIES_NAME });
    for (const button of buttons) {
      if (!button || !button.title) continue;
      const el = h("button", { type: "button", class: "reply" }, button.title);
      el.addEventListener("click", () => send(button.payload || button.title, button.title));
      group.append(el);
    }
    if (group.childElementCount) messages.append(group);
    scrollToEnd();
  }

  function setTyping(on) {
    pending += on ? 1 : -1;
    typing.hidden = pending === 0;
    scrollToEnd();
  }

  function send(message, shown) {
    if (exited) return;
    if (isExitPhrase(message) || message.trim() === "/quick_exit") {
      quickExit();
      return;
    }
    removeQuickReplies();
    addMessage("user", shown || message);
    started = true;
    const forSender = sender;
    queue = queue.then(() => ask(forSender, message));
  }

  async function ask(forSender, message) {
    if (forSender !== sender) return; // wiped while queued
    const controller = new AbortController();
    controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    setTyping(true);
    try {
      const response = await fetch(`${config.botUrl}/webhooks/rest/webhook`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        // The language chosen, if one was: the bot answers in it when what is typed does not
        // say which language it is in.
        body: JSON.stringify({ sender: forSender, message, ...(chosenLanguage && { language: chosenLanguage }) }),
        cache: "no-store",
        credentials: "omit",
        referrerPolicy: "no-referrer",
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const answer = await response.json();
      if (forSender !== sender) return;
      const replies = Array.isArray(answer) ? answer : [];
      if (!replies.some((reply) => reply && (reply.text || reply.buttons || reply.custom))) {
        // Say so, rather than leave the person waiting.
        addMessage("bot", say.NO_ANSWER_MESSAGE);
        announce(say.NO_ANSWER_MESSAGE);
      }
      for (const reply of replies) {
        // The bot understood a request to leave ("get me out of here"): leave as the Exit
        // button does. The only custom payload read; nothing in it is shown.
        if (reply.custom && reply.custom.quick_exit === true) {
          quickExit();
          return;
        }
        // Only text and buttons: images and custom payloads could load third-party content.
        if (typeof reply.text === "string" && reply.text) {
          addMessage("bot", reply.text);
          announce(reply.text);
        }
        if (Array.isArray(reply.buttons) && reply.buttons.length) addQuickReplies(reply.buttons);
      }
    } catch {
      if (forSender !== sender) return;
      addMessage("bot", say.OFFLINE_MESSAGE, "error");
      announce(say.OFFLINE_MESSAGE);
    } finally {
      clearTimeout(timer);
      controllers.delete(controller);
      setTyping(false);
    }
  }

  // Tell the server to delete the conversation. sendBeacon survives the page going
  // away; a string body is text/plain, so there is no CORS preflight to wait for.
  function deleteOnServer() {
    if (!started) return;
    started = false;
    const url = `${config.botUrl}/webhooks/rest/exit`;
    const body = JSON.stringify({ sender });
    let queued = false;
    try {
      queued = navigator.sendBeacon(url, body);
    } catch {
      queued = false;
    }
    if (!queued) {
      fetch(url, { method: "POST", body, keepalive: true, cache: "no-store", credentials: "omit" }).catch(() => {});
    }
  }

  // Forget everything: server copy, requests in flight, the DOM, the sender id.
  function wipe() {
    deleteOnServer();
    for (const controller of controllers) controller.abort();
    controllers.clear();
    sender = newSenderId();
    queue = Promise.resolve();
    messages.replaceChildren();
    announcer.replaceChildren();
    input.value = "";
  }

  // ----- Opening, closing, leaving -----------------------------------------------
  function open() {
    if (exited) return;
    panel.hidden = false;
    input.focus();
    scrollToEnd();
  }

  // The loader hides the frame and gives the launcher the focus back.
  function close(fromLoader) {
    if (exited || !withLoader) return;
    panel.hidden = true;
    if (!fromLoader) tell("close");
  }

  function quickExit(event, fromLoader) {
    if (event) event.preventDefault();
    if (exited) return;
    exited = true;
    // 1. Hide at once: a blank sheet over the chat (the loader covers the host page).
    root.hidden = true;
    cover.hidden = false;
    // 2. Delete the conversation on the server.
    deleteOnServer();
    // 3. Clear the DOM.
    wipe();
    root.remove();
    // 4. Leave, replacing the host page in the history so Back does not return to it.
    // The loader does it (a page may always navigate itself; a cross-origin frame may
    // navigate the top window only in some conditions). Without a loader, try ourselves.
    if (fromLoader) return;
    if (loaderOrigin) tell("exit");
    else {
      try {
        window.top.location.replace(config.exitUrl);
      } catch {
        location.replace(config.exitUrl);
      }
    }
  }

  closeButton.addEventListener("click", () => close());
  exitButton.addEventListener("click", quickExit);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
    }
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });

  // The host page counts Shift presses made there; this counts those made in the chat.
  const shift = shiftCounter({
    onPress: (count) => announce(fill(say.SHIFT_PRESSED, { count, left: PRESSES - count })),
    onReset: () => announce(say.SHIFT_RESET),
    onTrigger: () => quickExit(),
  });
  window.addEventListener("keydown", shift.keydown, true);
  window.addEventListener("keyup", shift.keyup, true);

  // Leaving the page ends the conversation (nothing could resume it anyway), and a
  // page restored from the back-forward cache comes back empty.
  window.addEventListener("pagehide", wipe);
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    wipe();
    if (!exited && withLoader) panel.hidden = true;
  });
}

mount(readConfig(document.currentScript));
