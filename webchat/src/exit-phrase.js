// Typed on its own, an exit phrase leaves like the Exit button does, and is never sent to
// the bot. The list is data (exit-phrases.json), read by the server too (bot/channels.py),
// which closes the chat on the same phrases: both must normalise what was typed alike.

import PHRASES from "./exit-phrases.json" with { type: "json" };

const EXIT_PHRASES = new Set(PHRASES);

// Lower case, spaces collapsed, anything but letters and spaces dropped: "Get me OUT!" is
// "get me out".
export const normaliseExitPhrase = (text) =>
  text.toLowerCase().split(/\s+/).join(" ").replace(/[^a-z ]+/g, "").trim();

export const isExitPhrase = (text) => EXIT_PHRASES.has(normaliseExitPhrase(text));
