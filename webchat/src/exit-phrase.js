// Typed on its own, an exit phrase leaves like the Exit button does, and is never sent to
// the bot. The phrases are data (exit-phrases.json, by language), read by the server too
// (bot/channels.py), which closes the chat on the same phrases: both must normalise what was
// typed alike.

import PHRASES from "./exit-phrases.json" with { type: "json" };

const EXIT_PHRASES = new Set(Object.values(PHRASES).flat());

// Compatibility forms folded (NFKC: full-width letters are letters), lower case, spaces
// collapsed, anything but letters (of any script) and spaces dropped: "Get me OUT!" is
// "get me out", "¡Salir!" is "salir".
export const normaliseExitPhrase = (text) =>
  text
    .normalize("NFKC")
    .toLowerCase()
    .split(/\s+/)
    .join(" ")
    .replace(/[^\p{L} ]+/gu, "")
    .trim();

export const isExitPhrase = (text) => EXIT_PHRASES.has(normaliseExitPhrase(text));
