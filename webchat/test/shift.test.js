import assert from "node:assert/strict";
import { test } from "node:test";

import { shiftCounter, WITHIN_MS } from "../src/shift.js";

function setup() {
  let clock = 0;
  const events = { presses: [], exits: 0 };
  const counter = shiftCounter(
    (n) => events.presses.push(n),
    () => events.exits++,
    () => clock,
  );
  const press = (key = "Shift", { after = 100 } = {}) => {
    clock += after;
    counter.keydown({ key, repeat: false });
    counter.keyup({ key });
  };
  const chord = (other) => {
    clock += 100;
    counter.keydown({ key: "Shift", repeat: false });
    counter.keydown({ key: other, repeat: false });
    counter.keyup({ key: other });
    counter.keyup({ key: "Shift" });
  };
  return { events, press, chord };
}

test("three presses of Shift on its own exit", () => {
  const { events, press } = setup();
  press();
  press();
  assert.equal(events.exits, 0);
  assert.deepEqual(events.presses, [1, 2]);
  press();
  assert.equal(events.exits, 1);
});

test("Shift used with another key does not count and restarts the count", () => {
  const { events, press, chord } = setup();
  press();
  press();
  chord("A");
  press();
  assert.equal(events.exits, 0);
  chord("Tab");
  chord("Tab");
  chord("Tab");
  assert.equal(events.exits, 0);
});

test("another key between presses restarts the count", () => {
  const { events, press } = setup();
  press();
  press();
  press("a");
  press();
  press();
  assert.equal(events.exits, 0);
  press();
  assert.equal(events.exits, 1);
});

test("presses spread over more than the time window do not exit", () => {
  const { events, press } = setup();
  press();
  press("Shift", { after: WITHIN_MS / 2 });
  press("Shift", { after: WITHIN_MS / 2 + 10 });
  assert.equal(events.exits, 0);
});
