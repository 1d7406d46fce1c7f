// The widget's only styles, each adopted as a constructed stylesheet (which a strict
// CSP does not block). The loader's live in its shadow root, so the host page's CSS
// cannot reach in and ours cannot leak out; the chat's belong to its frame. Colours
// follow GOV.UK Frontend's palette, every text/background pair is at least 4.5:1. Sizes
// are in px/em on purpose: a host page that sets `html { font-size: 62.5% }` must not
// shrink the launcher.

const BASE = `
[hidden] { display: none !important; }
* { box-sizing: border-box; }

.sr-only {
  position: absolute !important;
  width: 1px; height: 1px; margin: 0; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%);
  white-space: nowrap; border: 0;
}

button, input { font: inherit; color: inherit; }
button { cursor: pointer; border: 2px solid transparent; }

/* GOV.UK focus style: yellow with a dark edge, visible on any background. */
:focus { outline: none; }
:focus-visible {
  outline: 3px solid #0b0c0c;
  outline-offset: 0;
  box-shadow: 0 0 0 6px #ffdd00;
}

/* Quick exit: a blank sheet over everything until the exit page loads. */
.cover { position: fixed; inset: 0; z-index: 2147483647; background: #fff; }

@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
  .typing span { opacity: 1; }
}
`;

// Joins the pieces; marked pure so each bundle keeps only the set it uses.
const css = (...parts) => parts.join("");

// On the host page: the launcher, and the frame's place on the screen.
export const LOADER_CSS = /* @__PURE__ */ css(
  ":host { all: initial; }",
  BASE,
  `
.launcher {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 16px;
  line-height: 1.4;
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;
  padding: 0.6em 1.1em;
  background: #4c2c92; color: #fff;
  font-weight: 700;
  border-radius: 2em;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.35);
}
.launcher:hover { background: #3a216f; }

.frame {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;
  display: block;
  width: min(400px, calc(100vw - 32px));
  height: min(620px, calc(100vh - 32px));
  background: #fff;
  border: 2px solid #0b0c0c;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.3);
  color-scheme: light;
}
/* Small screens and 200 % zoom: take the whole viewport rather than a cramped box. */
@media (max-width: 520px), (max-height: 520px) {
  .frame { inset: 0; width: 100%; height: 100%; border: 0; }
}
`,
);

// In the frame: the chat panel fills it.
export const CHAT_CSS = /* @__PURE__ */ css(
  BASE,
  `
:root { color-scheme: light; }
html, body { margin: 0; height: 100%; background: #fff; }
.root {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 16px;
  line-height: 1.4;
  color: #0b0c0c;
}

a { color: #144e81; text-decoration: underline; text-underline-offset: 0.1em; }
a:visited { color: #4c2c92; }
a:focus-visible { background: #ffdd00; color: #0b0c0c; box-shadow: none; }

.panel {
  position: fixed; inset: 0;
  display: flex; flex-direction: column;
  background: #fff;
}

.header {
  flex: none;
  display: flex; align-items: center; gap: 8px;
  padding: 8px 8px 8px 12px;
  background: #4c2c92; color: #fff;
}
.title { flex: 1 1 auto; min-width: 0; margin: 0; font-size: 1.125em; font-weight: 700; }
.language {
  max-width: 8em;
  padding: 0.3em 0.2em;
  border: 2px solid #fff; border-radius: 4px;
  background: #4c2c92; color: #fff;
  font: inherit; font-size: 0.875em;
}
.exit {
  padding: 0.35em 0.9em;
  background: #b3261e; color: #fff;
  font-weight: 700;
  border-color: #fff;
}
.exit:hover { background: #8c1d17; }
.close {
  padding: 0.35em 0.6em;
  background: transparent; color: #fff;
  border-color: #fff;
}
.close:hover { background: #3a216f; }

.log {
  flex: 1 1 auto; min-height: 0;
  overflow-y: auto; overscroll-behavior: contain;
  padding: 12px;
}

.notice {
  margin: 0 0 12px;
  padding: 10px 12px;
  border-left: 5px solid #4c2c92;
  background: #f3f2f1;
}
.notice h2 { margin: 0 0 4px; font-size: 1em; }
.notice p { margin: 0 0 6px; }
.notice p:last-child { margin-bottom: 0; }

.msg {
  width: fit-content;
  max-width: 88%;
  margin: 0 0 10px;
  padding: 8px 12px;
  border-radius: 12px;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}
.msg--bot { background: #f3f2f1; border: 1px solid #b1b4b6; border-bottom-left-radius: 2px; }
.msg--user { margin-left: auto; background: #1d70b8; color: #fff; border-bottom-right-radius: 2px; }
.msg--error { background: #fff; border: 2px solid #b3261e; border-left-width: 6px; }

.replies { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 12px; }
.reply {
  padding: 0.35em 0.8em;
  background: #fff; color: #4c2c92;
  border-color: #4c2c92;
  border-radius: 1.2em;
  text-align: left;
}
.reply:hover { background: #f3f2f1; }

.typing { display: inline-flex; gap: 4px; margin: 0 0 10px; padding: 12px; border-radius: 12px; background: #f3f2f1; }
.typing span { width: 8px; height: 8px; border-radius: 50%; background: #505a5f; animation: blink 1.2s infinite both; }
.typing span:nth-child(2) { animation-delay: 0.2s; }
.typing span:nth-child(3) { animation-delay: 0.4s; }
@keyframes blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }

.composer {
  flex: none;
  display: flex; gap: 8px;
  padding: 8px;
  border-top: 1px solid #b1b4b6;
}
.input {
  flex: 1 1 auto; min-width: 0;
  padding: 8px;
  border: 2px solid #0b0c0c;
  background: #fff;
}
.send { padding: 0.35em 1em; background: #00703c; color: #fff; font-weight: 700; }
.send:hover { background: #005a30; }

`,
);
