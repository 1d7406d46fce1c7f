// What the loader (on the host page) and the chat (in its frame) share.

// The quick exit's page when a host page names none: the same as the web app's default
// (directory/web/settings.py; tests/webchat/test_exit_phrases.py keeps them equal), because
// the loader on a host page must exit even without the server's settings.
export const DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather";

// Every message between the loader and the frame is `{angelou: "<control>"}`. Only
// controls cross (open, close, exit, hello), never a word of the conversation: any
// script on the host page can listen to the host window's messages.
export const TAG = "angelou";
export const control = (event) => (event.data && typeof event.data === "object" && event.data[TAG]) || null;

// Only http(s) URLs may be navigated to: never javascript: or data:.
export function httpUrl(value, base) {
  if (!value) return null;
  try {
    const url = new URL(value, base || location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

// Fills the "{name}" marks of a text from wording.js.
export const fill = (text, values) => text.replace(/\{(\w+)\}/g, (mark, name) => (name in values ? values[name] : mark));

// Builds an element. Strings become text nodes; attributes are set one by one, so
// nothing is ever parsed as HTML.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === true) el.setAttribute(name, "");
    else if (value !== false && value != null) el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child != null) el.append(child instanceof Node ? child : document.createTextNode(child));
  }
  return el;
}

// A constructed stylesheet is not an inline <style>, so a strict CSP does not block it.
// `target` is a shadow root or a document.
export function adoptStyles(target, css) {
  if (target.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      target.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // Older engines without constructable stylesheets fall through.
    }
  }
  (target.head || target).append(h("style", null, css));
}
