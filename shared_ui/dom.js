// Building the page from data: every name, comment and note a screen shows goes in as text, never as HTML.
//   import { $, el, button } from "/ui/shared/dom.js";
//   list.append(el("li", "alert alert-new", comment));

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * A new element with a class, or attributes ({class, type, …}), and its text; both optional. The text is set as
 * text only, never parsed as HTML.
 */
export function el(tag, classOrAttributes, text) {
  const node = document.createElement(tag);
  if (typeof classOrAttributes === "string") {
    if (classOrAttributes) node.className = classOrAttributes;
  } else {
    for (const [name, value] of Object.entries(classOrAttributes || {})) node.setAttribute(name, value);
  }
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** The text of the element with this id ("" for nothing). */
export function setText(id, text) {
  $(id).textContent = text || "";
}

/** A button that never submits a form, with its text and what a click does (both optional). */
export function button(text, className, onClick) {
  const node = el("button", className, text);
  node.type = "button";
  if (onClick) node.addEventListener("click", onClick);
  return node;
}

/** A large touch target with a title and an optional second line (the kiosk's choices, the console's dialogs). */
export function choice(title, detail, onChoose, className = "") {
  const node = button(null, `choice ${className}`.trim(), onChoose);
  node.append(el("span", "choice-title", title));
  if (detail) node.append(el("span", "choice-detail", detail));
  return node;
}

const hideTimers = new WeakMap();

/**
 * A message bar: `text` shown (the bar hidden when there is none), its `kind` ("info", "warn", "error") in
 * data-kind for the styles, and, with `hideAfterMs`, hidden again after that long. A newer message replaces an
 * older one and its timer.
 */
export function showMessage(bar, text, { kind, hideAfterMs } = {}) {
  clearTimeout(hideTimers.get(bar));
  bar.textContent = text || "";
  if (kind) bar.dataset.kind = kind;
  bar.hidden = !text;
  if (text && hideAfterMs) hideTimers.set(bar, setTimeout(() => { bar.hidden = true; }, hideAfterMs));
}
