import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { isExitPhrase, normaliseExitPhrase } from "../src/exit-phrase.js";

// The phrases of every language, as one list.
const PHRASES = Object.values(
  JSON.parse(readFileSync(new URL("../src/exit-phrases.json", import.meta.url), "utf8")),
).flat();

test("the list is written as typed phrases are compared: lower case, letters and single spaces", () => {
  assert.ok(PHRASES.length > 0);
  for (const phrase of PHRASES) assert.equal(normaliseExitPhrase(phrase), phrase);
});

test("every phrase leaves, however it is typed", () => {
  for (const phrase of PHRASES) {
    assert.ok(isExitPhrase(phrase), phrase);
    assert.ok(isExitPhrase(`  ${phrase.toUpperCase().replace(/ /g, "   ")}!! `), phrase);
  }
});

test("a phrase inside a longer message does not leave", () => {
  for (const text of ["exit the building", "I want to leave him", "how do I get out", "salir de casa", "", "   "]) {
    assert.equal(isExitPhrase(text), false, text);
  }
});
