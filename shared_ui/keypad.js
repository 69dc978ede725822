// Keypad and keyboard navigation for the citizens' screens (kiosk, tablet): arrow keys move a large visible
// focus through the choices on screen, a number key takes the choice with that number, Enter takes the focused
// one (a button does that by itself). A kiosk keypad is a USB numeric keypad: its keys arrive as the same
// digits, arrows (2 4 6 8 with Num Lock off) and Enter.
//   import { numberedChoices, moveFocus } from "/ui/shared/keypad.js";

/** The visible, enabled buttons of a container, in screen order. */
export function visibleButtons(container) {
  return Array.from(container.querySelectorAll("button")).filter((b) => !b.disabled && b.offsetParent !== null);
}

const STEPS = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

/**
 * An arrow key moves the focus to the next or previous of `buttons` (wrapping round; from outside the list, to
 * the first or last). True when the key was an arrow and the focus moved.
 */
export function moveFocus(event, buttons) {
  const step = STEPS[event.key];
  if (!step || !buttons.length) return false;
  const at = buttons.indexOf(document.activeElement);
  const next = at < 0 ? (step > 0 ? 0 : buttons.length - 1) : (at + step + buttons.length) % buttons.length;
  buttons[next].focus();
  event.preventDefault();
  return true;
}

/** The digit 1–9 a key stands for (top row or keypad), or null. */
export function digitOf(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const match = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "") || /^([1-9])$/.exec(event.key || "");
  return match ? Number(match[1]) : null;
}

/** A number key presses the choice with that number (1 the first); true when one was pressed. */
export function numberedChoices(event, buttons) {
  const digit = digitOf(event);
  if (!digit || digit > buttons.length) return false;
  event.preventDefault();
  buttons[digit - 1].focus();
  buttons[digit - 1].click();
  return true;
}

/** Whether the key was typed into a text field (the search box, the comment): navigation keys stay there. */
export function typing(event) {
  const target = event.target;
  return Boolean(target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable));
}
