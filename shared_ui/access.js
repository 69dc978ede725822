// Large text and high contrast for one citizen: a button on the kiosk, the tablet and the phone page switches the
// page to the mode shared_ui/access.css draws (the page's <html data-access="large">: larger type, white and
// yellow on black, at least 7:1 for every text, WCAG AAA). The kiosk and the tablet call resetAccess() when they
// go back to their start screen, so the next citizen finds the usual screen; the phone page remembers the
// choice on that phone (`remember`).
//   import { accessToggle, resetAccess } from "/ui/shared/access.js";
//   header.append(accessToggle());                       // kiosk, tablet
//   header.append(accessToggle({ remember: true }));     // the citizen's own phone
import { button, el } from "/ui/shared/dom.js";

const STORAGE_KEY = "hangdoi.access";
const LABEL = "Chữ to, tương phản cao";
const toggles = new Set(); // every button drawn, so that a reset shows on each
let remembered = false;

/** Whether the page is in the large-text, high-contrast mode. */
export function isLarge() {
  return document.documentElement.dataset.access === "large";
}

/** Switch the mode on or off for the whole page (and remember it on a phone). */
export function setLarge(on) {
  if (on) document.documentElement.dataset.access = "large";
  else delete document.documentElement.dataset.access;
  for (const toggle of toggles) toggle.setAttribute("aria-pressed", String(Boolean(on)));
  if (remembered) {
    try {
      if (on) localStorage.setItem(STORAGE_KEY, "large");
      else localStorage.removeItem(STORAGE_KEY);
    } catch (err) { /* private mode: the choice lasts as long as the page */ }
  }
  document.dispatchEvent(new CustomEvent("hangdoi:access", { detail: { large: Boolean(on) } }));
}

/** Back to the usual screen (the kiosk's start, the tablet's idle screen: the next citizen). */
export function resetAccess() {
  if (isLarge()) setLarge(false);
}

/**
 * The button that switches the mode (aria-pressed says whether it is on). `remember`: keep the choice on this
 * device (the phone page); `className`: the screen's own classes beside `access-toggle`.
 */
export function accessToggle({ remember = false, className = "" } = {}) {
  const node = button(null, `access-toggle ${className}`.trim(), () => setLarge(!isLarge()));
  node.append(el("span", { class: "access-toggle-mark", "aria-hidden": "true" }, "Aa"),
    el("span", "access-toggle-text", LABEL));
  node.setAttribute("aria-pressed", String(isLarge()));
  toggles.add(node);
  if (remember) {
    remembered = true;
    let stored = null;
    try { stored = localStorage.getItem(STORAGE_KEY); } catch (err) { /* no storage: the usual screen */ }
    if (stored === "large" && !isLarge()) setLarge(true);
  }
  return node;
}

const MM = 96 / 25.4; // CSS pixels in a millimetre, on screen and on paper

/**
 * The printed ticket's number drawn with its letters and digits `inkMm` high (the ink, not the font's em box),
 * measured on the font the page really has; narrowed (the CSS variable --squeeze, kiosk_ui/print.css) when it
 * would be wider than its line, never made smaller.
 */
export function fitTicketNumber(node, inkMm = 21) {
  const style = getComputedStyle(node);
  const probe = document.createElement("canvas").getContext("2d");
  probe.font = `${style.fontWeight} 100px ${style.fontFamily}`;
  const text = node.textContent.trim();
  const measured = probe.measureText(text);
  const inkAt100 = measured.actualBoundingBoxAscent + measured.actualBoundingBoxDescent;
  if (!text || !inkAt100) return;
  const size = (inkMm * MM * 100) / inkAt100;
  node.style.fontSize = `${size.toFixed(2)}px`;
  const line = node.parentElement;
  const lineStyle = getComputedStyle(line);
  const room = line.clientWidth - parseFloat(lineStyle.paddingLeft) - parseFloat(lineStyle.paddingRight);
  const width = (measured.width * size) / 100;
  node.style.setProperty("--squeeze", String(Math.min(1, room / width).toFixed(4)));
}
