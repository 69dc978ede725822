// The lobby TV: the newest call in very large type, the counters at work, the latest calls, how many wait per
// department, and the voice calls. State comes from shared_ui/live.js (snapshot, then events in sequence); every
// draw starts again from that state, so a fresh snapshot after a reconnect simply redraws the whole screen.
import { whenPaired } from "/ui/shared/device.js";
import { $, el } from "/ui/shared/dom.js";
import { pad2, time, weekdayDate } from "/ui/shared/format.js";
import { centerLoader } from "/ui/shared/http.js";
import { connect } from "/ui/shared/live.js";

const HIGHLIGHT_MS = 10000;        // how long a new call blinks
const RECENT_SHOWN = 8;
const CENTER_RETRY_MS = 10000;
const CALL_KINDS = ["ticket_called", "ticket_recalled"];
const ENDING_KINDS = ["ticket_finished", "ticket_no_show", "ticket_parked", "ticket_transferred"];
const CLEARING_STATES = ["done", "no_show", "parked", "transferred"];
const COUNTER_KINDS = ["counter_opened", "counter_closed", "counter_paused", "counter_resumed"];
const WAITING_KINDS = ["ticket_issued", "ticket_cancelled", "ticket_requeued"];

// ----- what this screen shows (?counters=1,2,3 and/or ?departments=STP,SGTVT) -----------------------------

const params = new URLSearchParams(location.search);
const counterFilter = listParam("counters", function (s) { return parseInt(s, 10); },
  function (n) { return Number.isInteger(n) && n > 0; });
const departmentFilter = listParam("departments", function (s) { return s.toUpperCase(); },
  function (s) { return s.length > 0; });
const voiceWanted = params.get("voice") !== "off"; // a second TV in the same hall should not echo the first
// ?voice_rate=0.9 for a slower voice in an echoing hall (the tests speed it up).
const voiceRate = Math.min(Math.max(parseFloat(params.get("voice_rate")) || 1, 0.5), 4);

function listParam(name, parse, valid) {
  const raw = params.get(name);
  if (!raw) return null;
  const values = raw.split(",").map(function (s) { return parse(s.trim()); }).filter(valid);
  return values.length ? new Set(values) : null;
}

function inDepartments(code) {   // codes compare without case: ?departments=sngv works for "SNgV"
  return departmentFilter.has(String(code).toUpperCase());
}

function callShown(call) {
  if (counterFilter) return counterFilter.has(call.counter_number);
  if (departmentFilter) return inDepartments(call.department_code);
  return true;
}

function counterShown(counter) {
  if (counterFilter) return counterFilter.has(counter.number);
  if (departmentFilter) {
    return counter.services.some(function (code) { return inDepartments(departmentOf[code]); });
  }
  return true;
}

function departmentShown(department) {
  if (departmentFilter) return inDepartments(department.code);
  if (counterFilter) {   // the departments the screen's counters work for
    return state.counters.some(function (c) {
      return counterFilter.has(c.number) &&
        c.services.some(function (code) { return departmentOf[code] === department.code; });
    });
  }
  return true;
}

// ----- state --------------------------------------------------------------------------------------------

let center = null;            // /api/center
let departmentOf = {};        // service code → department code
let serverOffset = 0;         // server clock minus this TV's clock, in ms
const state = { counters: [], waiting: {}, calls: [] };   // calls: newest first, one per ticket and counter
const freshCounters = new Map();   // counter number → time its highlight ends
let newestHighlightUntil = 0;
let highlightTimer = null;

/** The center's names, notice and time zone; asked again until the server answers (it may still be starting). */
const loadCenter = centerLoader(function (data) {
  center = data;
  departmentOf = Object.fromEntries(data.departments.flatMap(function (d) {
    return d.services.map(function (s) { return [s.code, d.code]; });
  }));
  $("center-name").textContent = data.name;
  setNotice(data.notice);
  drawAll();
}, CENTER_RETRY_MS);

// ----- live updates ---------------------------------------------------------------------------------------

function onSnapshot(snapshot) {
  // Trust the server's clock only when this TV's is clearly wrong: `now` is whole seconds.
  const offset = snapshot.now * 1000 - Date.now();
  serverOffset = Math.abs(offset) > 2000 ? offset : 0;
  state.counters = snapshot.counters;
  state.waiting = Object.assign({}, snapshot.waiting);
  state.calls = [];
  // Oldest first, so that a recall moves its ticket to the top just as it did live.
  snapshot.recent_calls.slice().reverse().forEach(rememberCall);
  freshCounters.clear();
  newestHighlightUntil = 0;
  document.body.dataset.seq = snapshot.seq;
  loadCenter();   // the restarted server may carry a new name or notice
  drawAll();
}

function onEvent(event) {
  const kind = event.kind;
  if (CALL_KINDS.includes(kind)) {
    setCurrent(event);
    rememberCall(event);
    if (callShown(event)) {
      const until = Date.now() + HIGHLIGHT_MS;
      newestHighlightUntil = until;
      freshCounters.set(event.counter_number, until);
      restartHighlight();
      if (event.announcement) speaker.say(event.announcement.clips, event.label + "@" + event.counter_number);
    }
  } else if (kind === "service_started" || kind === "ticket_resumed") {
    setCurrent(event);
  } else if (ENDING_KINDS.includes(kind)) {
    if (CLEARING_STATES.includes(event.state)) clearCurrent(event.counter_number, event.label);
    // "Công dân có số … vui lòng chuyển sang quầy số …": heard where the citizen stands or is sent to.
    const target = { counter_number: event.to_counter, department_code: event.department_code };
    if (kind === "ticket_transferred" && event.to_counter && event.announcement &&
        (callShown(event) || callShown(target))) {
      speaker.say(event.announcement.clips, event.label + "@" + event.to_counter);
    }
  } else if (COUNTER_KINDS.includes(kind) && event.counter) {
    state.counters = state.counters.map(function (c) {
      return c.number === event.counter.number ? event.counter : c;
    });
  } else if (!WAITING_KINDS.includes(kind)) {
    document.body.dataset.seq = event.seq;
    return;   // a kind this screen does not show
  }
  // Every ticket event carries its service's new waiting count (a call takes one out of the queue too).
  if (event.service_code && typeof event.waiting === "number") state.waiting[event.service_code] = event.waiting;
  document.body.dataset.seq = event.seq;
  drawAll();
}

function setCurrent(event) {
  const current = { label: event.label, state: event.state, service_code: event.service_code,
    call_count: event.call_count, priority: event.priority };
  state.counters.forEach(function (c) { if (c.number === event.counter_number) c.current = current; });
}

function clearCurrent(number, label) {
  state.counters.forEach(function (c) {
    if (c.number === number && c.current && c.current.label === label) c.current = null;
  });
}

function rememberCall(call) {
  const entry = { label: call.label, counter_number: call.counter_number, department_code: call.department_code,
    service_name: call.service_name, priority: call.priority, kind: call.kind, at: call.at };
  // A recall is the same citizen again: move the ticket up instead of listing it twice.
  state.calls = [entry].concat(state.calls.filter(function (c) {
    return !(c.label === entry.label && c.counter_number === entry.counter_number);
  })).slice(0, 30);
}

// ----- drawing --------------------------------------------------------------------------------------------

function drawAll() {
  const calls = state.calls.filter(callShown);
  drawNewest(calls[0]);
  drawRecent(calls.slice(1, 1 + RECENT_SHOWN));
  drawServing();
  drawWaiting();
}

function drawNewest(call) {
  $("newest-call").hidden = !call;
  $("newest-info").hidden = !call;
  $("newest-empty").hidden = !!call;
  $("newest").classList.toggle("fresh", !!call && Date.now() < newestHighlightUntil);
  if (!call) return;
  $("newest-label").textContent = call.label;
  $("newest-counter").textContent = pad2(call.counter_number);
  $("newest-service").textContent = call.service_name || "";
  const tag = call.kind === "ticket_recalled" ? "Gọi lại" : call.priority ? "Ưu tiên" : "";
  $("newest-tag").textContent = tag;
  $("newest-tag").hidden = !tag;
}

function drawRecent(calls) {
  const list = $("recent");
  list.replaceChildren();
  calls.forEach(function (call) {
    const row = el("li", "recent-row");
    row.append(el("span", "recent-label", call.label), el("span", "recent-arrow", "→"),
      el("span", "recent-counter", "Quầy " + pad2(call.counter_number)),
      el("span", "recent-time", call.at ? time(call.at * 1000) : ""));
    list.append(row);
  });
  if (!calls.length) list.append(el("li", "panel-empty", "Chưa có"));
}

function drawServing() {
  const grid = $("serving");
  const now = Date.now();
  const shown = center || !departmentFilter ? state.counters.filter(function (c) {
    return (c.status === "open" || c.status === "paused") && counterShown(c);
  }) : [];
  grid.replaceChildren();
  shown.forEach(function (c) {
    const tile = el("li", "counter-tile");
    tile.dataset.counter = c.number;
    tile.append(el("span", "counter-tile-name", "QUẦY " + pad2(c.number)));
    if (c.status === "paused") {
      tile.classList.add("paused");
      tile.append(el("span", "counter-tile-note", "Tạm dừng"));
    } else if (c.current) {
      tile.append(el("span", "counter-tile-number", c.current.label));
      if ((freshCounters.get(c.number) || 0) > now) tile.classList.add("fresh");
    } else {
      tile.classList.add("idle");
      tile.append(el("span", "counter-tile-number", "—"));
    }
    grid.append(tile);
  });
  // Few counters get big tiles; a large hall still fits on one screen.
  const n = Math.max(shown.length, 1);
  const cols = n <= 4 ? Math.max(n, 2) : n <= 6 ? 3 : n <= 8 ? 4 : n <= 15 ? 5 : Math.ceil(n / 4);
  grid.style.setProperty("--cols", cols);
  grid.style.setProperty("--rows", Math.ceil(n / cols));
  $("serving-empty").hidden = shown.length > 0;
}

function drawWaiting() {
  const list = $("waiting");
  list.replaceChildren();
  if (!center) return;
  center.departments.filter(departmentShown).forEach(function (d) {
    const count = d.services.reduce(function (sum, s) { return sum + (state.waiting[s.code] || 0); }, 0);
    const row = el("li", "waiting-row" + (count ? "" : " none"));
    row.append(el("span", "waiting-name", d.name), el("span", "waiting-count", String(count)));
    list.append(row);
  });
  paginateWaiting();
}

// A big center has more departments than fit: show them a page at a time, turning every few seconds, rather
// than shrinking the text below what can be read across the hall. The turn has its own steady timer, so a
// busy stream of events (each redraws) cannot hold the first page on screen.
const PAGE_MS = 8000;
let waitingPage = 0;
let waitingPages = 1;

function paginateWaiting() {
  const list = $("waiting");
  const rows = Array.from(list.children);
  rows.forEach(function (row) { row.hidden = false; });
  const room = list.clientHeight;
  const pages = [];
  let used = Infinity;
  rows.forEach(function (row) {
    const height = row.offsetHeight;
    if (used + height > room) { pages.push([]); used = 0; }
    pages[pages.length - 1].push(row);
    used += height;
  });
  waitingPages = Math.max(pages.length, 1);
  if (waitingPage >= waitingPages) waitingPage = 0;
  pages.forEach(function (page, i) { page.forEach(function (row) { row.hidden = i !== waitingPage; }); });
  $("waiting-page").textContent = waitingPages > 1 ? (waitingPage + 1) + "/" + waitingPages : "";
}

setInterval(function () {
  if (waitingPages < 2) return;
  waitingPage = (waitingPage + 1) % waitingPages;
  paginateWaiting();
}, PAGE_MS);

// The blink lasts a while after a call; one timer redraws when the earliest highlight ends.
function restartHighlight() {
  const newest = $("newest");
  newest.classList.remove("fresh");
  void newest.offsetWidth;   // restart the CSS animation for a second call in a row
  clearTimeout(highlightTimer);
  scheduleHighlightEnd();
}

function scheduleHighlightEnd() {
  const now = Date.now();
  freshCounters.forEach(function (until, number) {   // an ended highlight is forgotten, not kept for weeks
    if (until <= now) freshCounters.delete(number);
  });
  const ends = Array.from(freshCounters.values()).concat([newestHighlightUntil]).filter(function (t) {
    return t > now;
  });
  if (!ends.length) return;
  highlightTimer = setTimeout(function () { drawAll(); scheduleHighlightEnd(); },
    Math.min.apply(null, ends) - Date.now() + 50);
}

// ----- clock and notice -----------------------------------------------------------------------------------

function tick() {
  // The center's time zone: TV sticks often run on UTC.
  const now = Date.now() + serverOffset;
  $("clock-time").textContent = time(now, true);
  $("clock-date").textContent = weekdayDate(now);
  setTimeout(tick, 1000 - ((Date.now() + serverOffset) % 1000) + 5);   // stay on the second boundary
}

function setNotice(text) {
  const node = $("ticker-text");
  const notice = (text || "").trim() || "Ông/Bà vui lòng giữ trật tự và chú ý loa gọi số.";
  if (node.textContent === notice && node.style.animationDuration) return;   // keep the scroll going smoothly
  node.textContent = notice;
  // The same reading speed whatever the length: the run covers the screen width plus the text.
  requestAnimationFrame(function () {
    const distance = node.offsetWidth;   // includes the leading padding of one screen width
    const speed = document.documentElement.clientWidth / 12;   // a screen width in 12 s
    node.style.animationDuration = Math.max(distance / speed, 8).toFixed(1) + "s";
  });
}

// ----- voice ----------------------------------------------------------------------------------------------

// One announcement at a time, its clips in order. Two elements take turns so the next clip is already loaded
// while the current one speaks. A clip that fails or hangs is skipped: the queue must never stall.
// Calls can come faster than they can be spoken (a whole hall calling at once): the queue never grows past
// MAX_QUEUE announcements. A newer announcement for a ticket already waiting to be spoken at the same counter (a
// recall) takes the waiting one's place; beyond the limit the oldest waiting announcement is dropped.
const speaker = (function () {
  const SOUND_KEY = "hangdoi.display.sound";
  const MAX_QUEUE = 12;
  const STALE_MS = 30000;        // calls that waited this long for the sound button are no longer news
  const GAP_MS = 600;            // between two announcements
  const FALLBACK_S = 5;          // before a clip's duration is known
  const LOG_CLIPS = 100;         // clips kept in window.hangdoiVoice.played
  const players = [new Audio(), new Audio()];
  let turn = 0;
  let queue = [];                // {clips, key, at}, oldest first
  let playing = false;
  let enabled = false;
  let token = 0;
  // What this TV has said, for the browser tests and for whoever opens the developer console on a TV: the last
  // LOG_CLIPS clip keys started, oldest first, and counters. A TV runs for weeks, so nothing here grows with time.
  const log = { played: [], count: 0, dropped: 0, merged: 0 };
  Object.defineProperty(log, "queued", { get: function () { return queue.length; } });
  window.hangdoiVoice = log;
  players.forEach(function (p) { p.preload = "auto"; p.defaultPlaybackRate = voiceRate; });

  function load(player, key) {
    if (player.dataset.key === key && !player.error) return;   // a failed clip is fetched again next time
    player.dataset.key = key;
    player.src = "/voice/" + encodeURIComponent(key) + ".wav";
  }

  // `key` names what is announced (ticket and counter): a second announcement of it replaces the first.
  function say(clips, key) {
    if (!voiceWanted || !clips || !clips.length) return;
    const announcement = { clips: clips, key: key || null, at: Date.now() };
    const same = key ? queue.findIndex(function (a) { return a.key === key; }) : -1;
    if (same >= 0) {
      queue[same] = announcement;
      log.merged++;
    } else {
      queue.push(announcement);
      trim();
    }
    next();
  }

  function trim() {
    while (queue.length > MAX_QUEUE) {
      queue.shift();
      log.dropped++;
    }
  }

  function next() {
    if (playing || !enabled || !queue.length) return;
    const announcement = queue.shift();
    playing = true;
    playClip(announcement, 0);
  }

  function finished() {
    playing = false;
    setTimeout(next, GAP_MS);
  }

  function playClip(announcement, i) {
    if (i >= announcement.clips.length) { finished(); return; }
    const mine = ++token;
    const player = players[turn];
    const other = players[1 - turn];
    const key = announcement.clips[i];
    load(player, key);
    const upcoming = i + 1 < announcement.clips.length ? announcement.clips[i + 1]
      : queue.length ? queue[0].clips[0] : null;   // the next announcement's chime
    if (upcoming) load(other, upcoming);
    let timer = null;

    function done() {
      if (mine !== token) return;   // already moved on (ended and error can both fire)
      token++;
      clearTimeout(timer);
      player.onended = player.onerror = player.ondurationchange = null;
      turn = 1 - turn;
      playClip(announcement, i + 1);
    }

    // Fall back on a timer of the clip's length plus a second, in case no device ever reports 'ended'.
    function arm() {
      clearTimeout(timer);
      const left = isFinite(player.duration) ? (player.duration - player.currentTime) / voiceRate : FALLBACK_S;
      timer = setTimeout(done, (left + 1) * 1000);
    }

    player.onended = done;
    player.onerror = done;
    player.ondurationchange = arm;
    log.played.push(key);
    if (log.played.length > LOG_CLIPS) log.played.shift();
    log.count++;
    arm();
    player.currentTime = 0;
    player.playbackRate = voiceRate;
    player.play().catch(function (err) {
      if (mine !== token) return;
      if (err && err.name === "NotAllowedError") {   // the browser wants a gesture again
        token++;
        clearTimeout(timer);
        player.onended = player.onerror = player.ondurationchange = null;
        playing = false;
        enabled = false;
        queue.unshift(announcement);   // said again after the button; the queue keeps its limit
        trim();
        showOverlay();
        return;
      }
      done();
    });
  }

  function enable() {
    try { localStorage.setItem(SOUND_KEY, "on"); } catch (e) { /* private mode: ask again next time */ }
    $("sound-overlay").hidden = true;
    enabled = true;
    const now = Date.now();
    queue = queue.filter(function (a) { return now - a.at < STALE_MS; });
    next();   // inside the click, so the first play() has the gesture
  }

  function showOverlay() {
    $("sound-overlay").hidden = false;
    $("sound-on").focus();
  }

  function start() {
    if (!voiceWanted) return;
    $("sound-on").addEventListener("click", enable);
    let stored = null;
    try { stored = localStorage.getItem(SOUND_KEY); } catch (e) { /* no storage: ask */ }
    if (stored !== "on") { showOverlay(); return; }
    // Chosen before: ask again only if the browser blocks sound (a silent clip finds out).
    const probe = new Audio("/voice/pause.wav");
    probe.play().then(function () {
      probe.pause();
      enabled = true;
      next();
    }).catch(function (err) {
      if (err && err.name === "NotAllowedError") showOverlay();
      else { enabled = true; next(); }   // e.g. the server is still down: the first call will tell
    });
  }

  return { say: say, start: start };
})();

// ----- start ----------------------------------------------------------------------------------------------

tick();
whenPaired({ kind: "display" }).then(function () {
  speaker.start();
  connect({
    screen: "display",
    onSnapshot: onSnapshot,
    onEvent: onEvent,
    onStatus: function (connected) { $("offline").hidden = connected; },
  });
});
