import assert from "node:assert/strict";
import { test } from "node:test";

import { control, httpUrl, TAG } from "../src/common.js";

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
