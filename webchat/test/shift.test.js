import assert from "node:assert/strict";
import { beforeEach, mock, test } from "node:test";

import { shiftCounter, WITHIN_MS } from "../src/shift.js";

// The counter's wait is a real setTimeout; the mock clock moves it on.
beforeEach(() => {
  mock.timers.reset();
  mock.timers.enable({ apis: ["setTimeout"] });
});

function setup() {
  const events = [];
  const counter = shiftCounter({
    onPress: (n) => events.push(n),
    onReset: () => events.push("reset"),
    onTrigger: () => events.push("exit"),
  });
  const wait = (ms) => mock.timers.tick(ms);
  const press = (key = "Shift") => {
    wait(100);
    counter.keydown({ key, repeat: false });
    counter.keyup({ key });
  };
  const chord = (other) => {
    wait(100);
    counter.keydown({ key: "Shift", repeat: false });
    counter.keydown({ key: other, repeat: false });
    counter.keyup({ key: other });
    counter.keyup({ key: "Shift" });
  };
  return { events, press, chord, wait };
}

test("three presses of Shift on its own exit", () => {
  const { events, press } = setup();
  press();
  press();
  assert.deepEqual(events, [1, 2]);
  press();
  assert.deepEqual(events, [1, 2, "exit"]);
});

test("each press restarts the wait: 4 s between presses exits, 8 s after the first", () => {
  const { events, press, wait } = setup();
  press();
  wait(3900); // 4 s after the first press, with press()'s own 100 ms
  press();
  wait(3900); // 8 s after the first, 4 s after the second
  press();
  assert.deepEqual(events, [1, 2, "exit"]);
});

test("no press for 5 s resets the count, and says so once", () => {
  const { events, press, wait } = setup();
  press();
  press();
  wait(WITHIN_MS - 1);
  assert.deepEqual(events, [1, 2]);
  wait(1);
  assert.deepEqual(events, [1, 2, "reset"]);
  wait(WITHIN_MS * 3);
  assert.deepEqual(events, [1, 2, "reset"]); // nothing more while nothing is counted
  // The count starts again from one: three more presses are needed.
  press();
  press();
  assert.deepEqual(events.slice(3), [1, 2]);
  press();
  assert.equal(events.at(-1), "exit");
});

test("nothing to reset, nothing said: typing capitals announces nothing", () => {
  const { events, chord, press, wait } = setup();
  chord("H");
  press("i");
  wait(WITHIN_MS * 2);
  assert.deepEqual(events, []);
});

test("an exit leaves no wait behind", () => {
  const { events, press, wait } = setup();
  press();
  press();
  press();
  wait(WITHIN_MS * 2);
  assert.deepEqual(events, [1, 2, "exit"]);
});

test("Shift used with another key does not count, and ends a count under way", () => {
  const { events, press, chord } = setup();
  press();
  press();
  chord("A");
  assert.deepEqual(events, [1, 2, "reset"]);
  press();
  assert.deepEqual(events, [1, 2, "reset", 1]);
  chord("Tab");
  chord("Tab");
  chord("Tab");
  assert.ok(!events.includes("exit"));
});

test("another key between presses ends the count", () => {
  const { events, press } = setup();
  press();
  press();
  press("a");
  assert.deepEqual(events, [1, 2, "reset"]);
  press();
  press();
  assert.ok(!events.includes("exit"));
  press();
  assert.equal(events.at(-1), "exit");
});
