import assert from "node:assert/strict";
import { test } from "node:test";

import { segments, telHref } from "../src/linkify.js";

const kinds = (text) => segments(text).map((s) => [s.type, s.text, s.href]);

test("plain text stays one text segment", () => {
  assert.deepEqual(kinds("No links here."), [["text", "No links here.", undefined]]);
});

test("markup is just text", () => {
  const text = "<img src=x onerror=alert(1)> <a href='javascript:alert(1)'>x</a>";
  assert.deepEqual(kinds(text), [["text", text, undefined]]);
});

test("https links, without trailing punctuation", () => {
  assert.deepEqual(kinds("See https://www.refuge.org.uk/get-help. Then call."), [
    ["text", "See ", undefined],
    ["link", "https://www.refuge.org.uk/get-help", "https://www.refuge.org.uk/get-help"],
    ["text", ". Then call.", undefined],
  ]);
});

test("http, javascript: and credentials in URLs are not links", () => {
  for (const text of [
    "http://example.com/",
    "javascript:alert(1)",
    "https://refuge.org.uk@evil.example/",
    "data:text/html,<b>x</b>",
  ]) {
    assert.ok(segments(text).every((s) => s.type === "text"), text);
  }
});

test("UK phone numbers become tel: links in the global form", () => {
  assert.deepEqual(kinds("Call 0808 2000 247 (free)."), [
    ["text", "Call ", undefined],
    ["tel", "0808 2000 247", "tel:+448082000247"],
    ["text", " (free).", undefined],
  ]);
  assert.equal(telHref("020 7946 0000"), "tel:+442079460000");
  assert.equal(telHref("07700 900123"), "tel:+447700900123");
  assert.equal(telHref("+44 (0)20 7946 0000"), "tel:+442079460000");
  assert.equal(telHref("999"), "tel:999");
  assert.equal(telHref("116 123"), "tel:116123");
});

test("the bot's bracketed tel: copy of a number is not shown twice", () => {
  assert.deepEqual(kinds("Call 0808 2000 247 (tel:+448082000247), 24 hours"), [
    ["text", "Call ", undefined],
    ["tel", "0808 2000 247", "tel:+448082000247"],
    ["text", ", 24 hours", undefined],
  ]);
  assert.deepEqual(kinds("Call +44 20 7008 0151 (tel:+442070080151)"), [
    ["text", "Call ", undefined],
    ["tel", "+44 20 7008 0151", "tel:+442070080151"],
  ]);
  // A copy that names a different number is kept, so nothing is silently hidden.
  assert.deepEqual(kinds("Call 0808 2000 247 (tel:999)").map(([type]) => type), [
    "text",
    "tel",
    "text",
    "tel",
    "text",
  ]);
});

test("numbers that are not phone numbers stay text", () => {
  for (const text of ["Open 9 to 5", "Ref 12345", "In 2024 and 2025", "0123"]) {
    assert.ok(segments(text).every((s) => s.type === "text"), text);
  }
});
