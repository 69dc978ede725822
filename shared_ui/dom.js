// Building the page from data: every name, comment and note a screen shows goes in as text, never as HTML.
//   import { el } from "/ui/shared/dom.js";
//   list.append(el("li", "alert alert-new", comment));

/** A new element with a class (optional) and its text (optional; text only, never parsed as HTML). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** Two digits, as counters and clock times are written: 5 → "05". */
export const pad2 = (n) => String(n).padStart(2, "0");
