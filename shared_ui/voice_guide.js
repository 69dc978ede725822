// The kiosk for a citizen who cannot see the screen or use it by touch: voice guidance, keypad and keyboard.
//
// A visible "Hướng dẫn bằng giọng nói" button (or the keypad's * key) turns the voice on for this citizen: each
// screen then reads its title and its choices ("Sở Tư pháp: chọn số 1 …"), the focused choice is named as the
// arrows reach it, and the ticket is read at the end — number, counters, people ahead — twice, slowly. Going
// back to the start screen (the next citizen) turns the voice and the large-text mode off.
//
// Keys (a USB numeric keypad or a keyboard), docs/OPERATIONS.md "Kiosk: keypad, sound and large text":
//   1–9 (two digits when a screen has more than nine choices) the choice with that number · 0 back (or to the
//   start) · arrows move the focus, Enter takes it · * voice guidance on/off · . say the screen again ·
//   / large text and high contrast on/off. On a screen with its own number pad (the check-in's booking code), the
//   digits and Backspace type on that pad instead.
//
// The kiosk keeps its own screens: this module reads the one shown (body[data-screen], the visible .screen) and
// its choices (.choice buttons and #take-normal, in screen order), so the kiosk only calls startKioskGuidance.
//   import { startKioskGuidance } from "/ui/shared/voice_guide.js";
//   startKioskGuidance({ toolbar: $("citizen-aids") });
import { accessToggle, isLarge, resetAccess, setLarge } from "/ui/shared/access.js";
import { button, el } from "/ui/shared/dom.js";
import { digitOf, moveFocus, typing, visibleButtons } from "/ui/shared/keypad.js";
import { guide, labelKeys, loadNumberWords, nameKey, numberKeys } from "/ui/shared/voice.js";

const LABEL = "Hướng dẫn bằng giọng nói";
const TICKET_PACE = 0.85; // the ticket is read more slowly than the screens
const SECOND_DIGIT_MS = 1500; // with more than nine choices, how long a first digit waits for a second
const START = "home";

const state = { on: false, screen: null, toggle: null, firstDigit: null, digitTimer: null, moving: false,
  ticketSentence: null };

// ----- what the screen shows --------------------------------------------------------------------------------

function currentSection() {
  return document.querySelector(`.screen[data-screen="${document.body.dataset.screen}"]`);
}

/** The numbered choices of the screen shown, in screen order: 1 is the first. */
function choices() {
  const section = currentSection();
  if (!section) return [];
  return visibleButtons(section).filter((b) => b.classList.contains("choice") || b.id === "take-normal");
}

/** The choices shown but not taken now (a cap reached, no counter open), named after the others. */
function pausedClips() {
  const section = currentSection();
  const paused = section ? Array.from(section.querySelectorAll(".choice:disabled"))
    .filter((b) => b.offsetParent !== null) : [];
  if (!paused.length) return [];
  return ["hd-tam-ngung", ...paused.map((b) => nameKey(b.querySelector(".choice-title").textContent))];
}

function textOf(id) {
  const node = document.getElementById(id);
  return node ? node.textContent.trim() : "";
}

/** The clips that name one choice: "chọn số 3, <its name>". */
function choiceClips(choiceButton, number) {
  const title = choiceButton.querySelector(".choice-title");
  const name = choiceButton.id === "take-normal" ? "hd-lay-so-thuong"
    : nameKey(title ? title.textContent : choiceButton.textContent);
  const before = choiceButton.closest("#priority-groups") && choiceButton === choiceButton.parentElement
    .querySelector(".choice") ? ["hd-doi-tuong-uu-tien"] : [];
  return [...before, "hd-chon-so", ...numberKeys(number), name];
}

function numbersIn(id) {
  return (textOf(id).split(":").pop().match(/\d+/g) || []).map(Number);
}

/** The ticket, twice with a pause: "Số thứ tự của Ông/Bà là A không mười sáu, quầy hai mươi mốt, số người đang
 *  chờ … mười lăm", as the server worded it (the ticket's `guidance_clips`); from the screen only for a ticket
 *  that came without. */
function ticketClips() {
  let sentence = state.ticketSentence;
  if (!sentence) {
    const counters = numbersIn("result-counters").flatMap((n) => ["hd-quay", ...numberKeys(n)]);
    const ahead = numbersIn("result-ahead");
    sentence = ["hd-so-thu-tu-la", ...labelKeys(textOf("result-label")), ...counters,
      ...(ahead.length ? ["hd-so-nguoi-dang-cho", ...numberKeys(ahead[0])] : []), "hd-moi-nhan-phieu"];
  }
  return [...sentence, "pause", ...sentence];
}

/** The ticket about to be shown: its sentence as the server's clips (`guidance_clips` of the ticket answer). Call
 *  before showing the result screen, which reads it. */
export function setTicketSentence(clips) {
  state.ticketSentence = Array.isArray(clips) && clips.length ? clips.slice() : null;
}

/** What a screen says when it appears (or when asked again). */
function screenClips(screen) {
  const listed = [...choices().flatMap((b, i) => choiceClips(b, i + 1)), ...pausedClips()];
  switch (screen) {
    case "home": return ["hd-chon-linh-vuc", "hd-bam-phim", ...listed];
    case "services": return [nameKey(textOf("services-title")), ...listed];
    case "search": return ["hd-chon-linh-vuc", ...listed];
    case "priority": return ["hd-linh-vuc-da-chon", nameKey(textOf("chosen-service")), ...listed];
    case "issuing": return ["hd-dang-lay-so"];
    case "result": return ticketClips();
    case "closed": return ["hd-chua-den-gio"];
    case "message": return ["hd-khong-lay-duoc-so"];
    default: return listed;
  }
}

function readScreen(prefix = []) {
  const screen = document.body.dataset.screen;
  guide.say([...prefix, ...screenClips(screen)], { pace: screen === "result" ? TICKET_PACE : 1 });
}

// ----- on and off -------------------------------------------------------------------------------------------

function setOn(on) {
  state.on = on;
  state.toggle.setAttribute("aria-pressed", String(on));
  document.body.classList.toggle("voice-guidance", on);
  if (on) { // the numbers' words first (already there, but for a kiosk started while the server was away)
    loadNumberWords().then(() => { if (state.on) readScreen(["hd-da-bat"]); });
  } else guide.stop();
}

/** A new screen: read it, or, back at the start, end this citizen's guidance and large text. */
function screenChanged() {
  const screen = document.body.dataset.screen;
  if (screen === state.screen) return;
  const left = state.screen;
  state.screen = screen;
  clearDigits();
  if (screen === START && left !== null && left !== START) {
    if (state.on) setOn(false);
    resetAccess();
    return;
  }
  if (state.on) readScreen();
}

// ----- keys -------------------------------------------------------------------------------------------------

function clearDigits() {
  clearTimeout(state.digitTimer);
  state.firstDigit = null;
}

function take(number) {
  const list = choices();
  const chosen = list[number - 1];
  if (chosen) chosen.click(); // the next screen reads itself
}

/** A digit: the choice with that number, or with more than nine choices the first of two digits. */
function digitPressed(digit) {
  const count = choices().length;
  if (state.firstDigit !== null) {
    const number = state.firstDigit * 10 + digit;
    clearDigits();
    take(number <= count ? number : digit);
    return;
  }
  if (digit === 0) return;
  if (count < 10 || digit * 10 > count) {
    take(digit);
    return;
  }
  state.firstDigit = digit; // 1 then 2 → 12; 1 alone → 1, after a moment
  state.digitTimer = setTimeout(() => { clearDigits(); take(digit); }, SECOND_DIGIT_MS);
}

function goBack() {
  const back = document.getElementById("back");
  const home = document.getElementById("home");
  const target = back && !back.hidden ? back : home && !home.hidden ? home : null;
  if (target) target.click();
}

/** The on-screen keypad button a key stands for (the check-in's code keys, data-key="0"…"9", "⌫"), if the screen
 *  shown has one. */
function padKey(event) {
  const section = currentSection();
  const digit = digitOf(event) || (event.code === "Numpad0" || event.key === "0" ? 0 : null);
  const name = digit !== null ? String(digit) : event.key === "Backspace" ? "⌫" : null;
  return section && name !== null ? section.querySelector(`button[data-key="${name}"]:not([disabled])`) : null;
}

function onKey(event) {
  if (typing(event) || event.ctrlKey || event.altKey || event.metaKey) return;
  const key = event.key;
  const pad = padKey(event);
  if (pad) { // typing a code on the screen's own keypad: every digit, 0 too, goes there
    event.preventDefault();
    pad.click();
    return;
  }
  if (key === "*") {
    event.preventDefault();
    setOn(!state.on);
  } else if (key === "/") {
    event.preventDefault();
    setLarge(!isLarge());
  } else if (key === "." || key === ",") { // the keypad's decimal key, whatever the locale
    event.preventDefault();
    if (state.on) readScreen();
  } else if (digitOf(event) !== null || event.code === "Numpad0" || key === "0") {
    event.preventDefault();
    const digit = digitOf(event) || 0;
    if (digit === 0 && state.firstDigit === null) goBack();
    else digitPressed(digit);
  } else {
    // The screen's own buttons, then "Quay lại" and "Về trang đầu"; the aids in the top band are reached by Tab.
    const section = currentSection();
    const nav = document.getElementById("nav");
    const buttons = [...(section ? visibleButtons(section) : []), ...(nav ? visibleButtons(nav) : [])]
      .filter((b) => !b.closest("#keyboard"));
    state.moving = true; // the focus the arrow moves names itself (onFocus)
    if (!moveFocus(event, buttons) && key !== "Tab") state.moving = false;
  }
}

/** A choice reached with the arrows or Tab names itself ("chọn số 2, Sở Giao thông vận tải"); a focus the page
 *  moves by itself says nothing, so as not to cut the screen's reading short. */
function onFocus(event) {
  const moved = state.moving;
  state.moving = false;
  if (!moved || !state.on || !(event.target instanceof HTMLButtonElement)) return;
  const list = choices();
  const at = list.indexOf(event.target);
  if (at >= 0) guide.say(choiceClips(event.target, at + 1));
  else if (event.target.id === "back") guide.say(["hd-quay-lai"]);
  else if (event.target.id === "home") guide.say(["hd-ve-trang-dau"]);
}

/** Whether the guidance is reading to a citizen now: the kiosk's timers back to the start wait for the end. */
export function guidanceSpeaking() {
  return state.on && guide.record.busy;
}

/**
 * Start the guidance on the kiosk: the two buttons (voice guidance, large text) go into `toolbar`; the keys
 * work on every screen.
 */
export function startKioskGuidance({ toolbar }) {
  state.toggle = button(null, "voice-toggle", () => setOn(!state.on));
  state.toggle.append(el("span", "voice-toggle-text", LABEL), el("span", "voice-toggle-key", "(phím *)"));
  state.toggle.setAttribute("aria-pressed", "false");
  toolbar.append(state.toggle, accessToggle({ className: "kiosk-access-toggle" }));
  state.screen = document.body.dataset.screen || null;
  loadNumberWords();
  new MutationObserver(screenChanged).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
  document.addEventListener("keydown", onKey);
  document.addEventListener("focusin", onFocus);
}
