// The GOV.UK "Exit this page" keyboard shortcut: the Shift key pressed 3 times on its
// own, each press within 5 seconds of the one before (the wait starts again with every
// press). A pause that long, or a Shift used with another key (capitals, Shift+Tab), ends
// the count, so typing and keyboard navigation never trigger an exit. As GOV.UK's, the
// end of a count under way is reported (onReset) so that it can be announced.
// wording.js says these numbers in words.

export const PRESSES = 3;
export const WITHIN_MS = 5000;

/**
 * @param {{onPress(count: number): void, onReset(): void, onTrigger(): void}} on
 *   onPress after each counted press but the last (1, 2); onReset when a count under way
 *   ends without an exit; onTrigger on the third press
 * @returns {{keydown(e: KeyboardEvent): void, keyup(e: KeyboardEvent): void}}
 */
export function shiftCounter({ onPress, onReset, onTrigger }) {
  let count = 0;
  let timer = null;
  let usedWithOtherKey = false;

  function stopWaiting() {
    clearTimeout(timer);
    timer = null;
  }

  function reset() {
    stopWaiting();
    if (count === 0) return;
    count = 0;
    onReset();
  }

  return {
    keydown(event) {
      if (event.key === "Shift") {
        if (!event.repeat) usedWithOtherKey = false;
      } else {
        usedWithOtherKey = true;
        reset();
      }
    },
    // Counting on key-up lets us know the Shift was pressed on its own.
    keyup(event) {
      if (event.key !== "Shift") return;
      if (usedWithOtherKey) {
        reset();
        return;
      }
      stopWaiting();
      count += 1;
      if (count >= PRESSES) {
        count = 0;
        onTrigger();
        return;
      }
      onPress(count);
      timer = setTimeout(reset, WITHIN_MS);
    },
  };
}
