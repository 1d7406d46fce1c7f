import assert from "node:assert/strict";
import { test } from "node:test";

import { control, fill, httpUrl, TAG } from "../src/common.js";
import * as wording from "../src/wording.js";

test("only http(s) URLs can be navigated to", () => {
  const base = "https://chat.example/webchat.js";
  assert.equal(httpUrl("https://www.bbc.co.uk/weather", base), "https://www.bbc.co.uk/weather");
  assert.equal(httpUrl("/cover-your-tracks", base), "https://chat.example/cover-your-tracks");
  assert.equal(httpUrl("javascript:alert(1)", base), null);
  assert.equal(httpUrl("data:text/html,hi", base), null);
  assert.equal(httpUrl("http://[bad", base), null);
  assert.equal(httpUrl("", base), null);
});

test("a control is read only from a message of the widget's own shape", () => {
  assert.equal(control({ data: { [TAG]: "exit" } }), "exit");
  assert.equal(control({ data: "exit" }), null);
  assert.equal(control({ data: null }), null);
  assert.equal(control({ data: { other: "exit" } }), null);
});

test("fill puts values in a wording's marks and leaves unknown marks as they are", () => {
  assert.equal(fill("Press it {left} more, {count} done.", { count: 1, left: 2 }), "Press it 2 more, 1 done.");
  assert.equal(fill("{missing} stays", {}), "{missing} stays");
});

test("the wording is only strings, and every mark in it is one the code fills", () => {
  const marks = { NOTICE_QUICK_EXIT: ["exitPlace"], SHIFT_PRESSED: ["count", "left"] };
  for (const [name, text] of Object.entries(wording)) {
    assert.equal(typeof text, "string", name);
    const found = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    assert.deepEqual(found, marks[name] || [], name);
  }
});
