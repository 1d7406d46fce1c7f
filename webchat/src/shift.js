// The GOV.UK "Exit this page" keyboard shortcut: the Shift key pressed 3 times on its
// own. A Shift used with another key (capitals, Shift+Tab) does not count and starts
// the count again, so typing and keyboard navigation never trigger an exit.

export const PRESSES = 3;
export const WITHIN_MS = 5000;

/**
 * @param {(count: number) => void} onPress called after each counted press (1, 2)
 * @param {() => void} onTrigger called on the third press
 * @returns {{keydown(e: KeyboardEvent): void, keyup(e: KeyboardEvent): void}}
 */
export function shiftCounter(onPress, onTrigger, now = () => Date.now()) {
  let count = 0;
  let first = 0;
  let usedWithOtherKey = false;

  return {
    keydown(event) {
      if (event.key === "Shift") {
        if (!event.repeat) usedWithOtherKey = false;
      } else {
        usedWithOtherKey = true;
        count = 0;
      }
    },
    // Counting on key-up lets us know the Shift was pressed on its own.
    keyup(event) {
      if (event.key !== "Shift") return;
      if (usedWithOtherKey) {
        count = 0;
        return;
      }
      const t = now();
      if (count === 0 || t - first > WITHIN_MS) {
        count = 0;
        first = t;
      }
      count += 1;
      if (count >= PRESSES) {
        count = 0;
        onTrigger();
      } else {
        onPress(count);
      }
    },
  };
}
