// The lobby TV: the newest call in very large type, the counters at work (the layout rule: drawServing), the latest
// calls, each service with people waiting and its next numbers (socket "upcoming"), and the voice calls, without a
// click in a TV browser started as docs/OPERATIONS.md says. State comes from shared_ui/live.js (snapshot, then
// events in sequence); every draw starts again from that state, so a fresh snapshot after a reconnect simply
// redraws the whole screen.
import { whenPaired } from "/ui/shared/device.js";
import { $, el } from "/ui/shared/dom.js";
import { pad2, time, weekdayDate } from "/ui/shared/format.js";
import { centerLoader } from "/ui/shared/http.js";
import { coalesce, connect } from "/ui/shared/live.js";

const HIGHLIGHT_MS = 10000;        // how long a new call blinks
const RECENT_SHOWN = 6;            // leaves the waiting panel room for a few services with their next numbers
const UPCOMING_DELAY_MS = 300;     // a burst of events costs one question for the next numbers
const CENTER_RETRY_MS = 10000;
const CALL_KINDS = ["ticket_called", "ticket_recalled"];
const ENDING_KINDS = ["ticket_finished", "ticket_no_show", "ticket_parked", "ticket_transferred"];
const CLEARING_STATES = ["done", "no_show", "parked", "transferred"];
const COUNTER_KINDS = ["counter_opened", "counter_closed", "counter_paused", "counter_resumed"];
// A remote number checked in at the kiosk may now be called: no count changes, the next numbers do.
const WAITING_KINDS = ["ticket_issued", "ticket_cancelled", "ticket_requeued", "ticket_checked_in"];

// ----- what this screen shows (?counters=1,2,3 and/or ?departments=STP,SGTVT) -----------------------------

const params = new URLSearchParams(location.search);
const counterFilter = listParam("counters", counterNumbers, function (n) { return Number.isInteger(n) && n > 0; });
const departmentFilter = listParam("departments", function (s) { return [s.toUpperCase()]; },
  function (s) { return s.length > 0; });
const voiceWanted = params.get("voice") !== "off"; // a second TV in the same hall should not echo the first
// ?voice_rate=0.9 for a slower voice in an echoing hall (the tests speed it up).
const voiceRate = Math.min(Math.max(parseFloat(params.get("voice_rate")) || 1, 0.5), 4);
// ?page_seconds=12: how long a page of counters or of waiting services stays before the next (at least 2 s).
const PAGE_MS = Math.max(parseFloat(params.get("page_seconds")) || 8, 2) * 1000;

/** The values of a comma-separated parameter: `parse` turns one item into a list of values. */
function listParam(name, parse, valid) {
  const raw = params.get(name);
  if (!raw) return null;
  const values = raw.split(",").flatMap(function (s) { return parse(s.trim()); }).filter(valid);
  return values.length ? new Set(values) : null;
}

/** "7" → [7], "1-24" → [1, …, 24] (a range of at most 1000, so a typo cannot freeze the TV). */
function counterNumbers(item) {
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(item);
  if (!range) return [parseInt(item, 10)];
  const from = parseInt(range[1], 10);
  const to = Math.min(parseInt(range[2], 10), from + 999);
  const numbers = [];
  for (let n = from; n <= to; n++) numbers.push(n);
  return numbers;
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

function serviceShown(code) {
  if (counterFilter) {   // the services the screen's counters call
    return state.counters.some(function (c) { return counterFilter.has(c.number) && c.services.includes(code); });
  }
  if (departmentFilter) return inDepartments(departmentOf[code]);
  return true;
}

// ----- state --------------------------------------------------------------------------------------------

let center = null;            // /api/center
let departmentOf = {};        // service code → department code
let serverOffset = 0;         // server clock minus this TV's clock, in ms
// calls: newest first, one per citizen; upcoming: service code → its next tickets (socket "upcoming").
const state = { counters: [], waiting: {}, calls: [], upcoming: {} };
let live = null;
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
  drawClock();
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
  // Oldest first, so that a recall or a transfer moves its ticket to the top just as it did live.
  snapshot.recent_calls.slice().reverse().forEach(rememberCall);
  askUpcoming();
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
      highlight(event.counter_number);
      if (event.announcement) speaker.say(event.announcement.clips, event.label + "@" + event.counter_number);
    }
  } else if (kind === "service_started" || kind === "ticket_resumed") {
    setCurrent(event);
  } else if (ENDING_KINDS.includes(kind)) {
    if (CLEARING_STATES.includes(event.state)) clearCurrent(event.counter_number, event.label);
    if (kind === "ticket_transferred") {
      const sent = rememberCall(event);   // the headline and the history now name the new counter
      if (sent && callShown(sent)) highlight(null);
      // "Công dân có số … vui lòng chuyển sang quầy số …": heard where the citizen stands or is sent to.
      if (sent && event.announcement && (callShown(event) || callShown(sent))) {
        speaker.say(event.announcement.clips, event.label + "@" + event.to_counter);
      }
    }
  } else if (COUNTER_KINDS.includes(kind) && event.counter) {
    state.counters = state.counters.map(function (c) {
      return c.number === event.counter.number ? event.counter : c;
    });
  } else if (kind === "bookings_due") {
    askUpcoming();   // booked citizens whose slot began go ahead of walk-ins: the clock alone changed the order
  } else if (!WAITING_KINDS.includes(kind)) {
    document.body.dataset.seq = event.seq;
    return;   // a kind this screen does not show
  }
  // Every ticket event carries its service's new waiting count (a call takes one out of the queue too).
  if (event.service_code && typeof event.waiting === "number") {
    state.waiting[event.service_code] = event.waiting;
    // A ticket that left the queue leaves its list at once; the server's order follows in a moment.
    if (event.state !== "waiting" && state.upcoming[event.service_code]) {
      state.upcoming[event.service_code] = state.upcoming[event.service_code].filter(function (t) {
        return t.label !== event.label;
      });
    }
    askUpcoming();
  }
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

// One entry per citizen (a ticket keeps its number through a transfer, and a number is given once a day), so the
// headline and the history can never name two counters for one number: a call or recall moves it to the top with
// its counter; a transfer to a counter moves it to the top with the new counter (the voice says "chuyển sang
// quầy …"); a transfer to a service takes it off (it waits again, under ĐANG CHỜ). Returns the entry, if any.
function rememberCall(event) {
  const others = state.calls.filter(function (c) { return c.label !== event.label; });
  const sent = event.kind === "ticket_transferred";
  if (sent && !event.to_counter) {
    state.calls = others;
    return null;
  }
  const entry = { label: event.label, priority: event.priority, kind: event.kind, at: event.at,
    counter_number: sent ? event.to_counter : event.counter_number,
    department_code: sent ? departmentOf[event.to_service] || event.department_code : event.department_code,
    service_name: sent ? event.to_service_name : event.service_name };
  state.calls = [entry].concat(others).slice(0, 30);
  return entry;
}

// A new call blinks in the headline and, when it has one, on its counter's tile, whose page is shown next.
function highlight(counterNumber) {
  const until = Date.now() + HIGHLIGHT_MS;
  newestHighlightUntil = until;
  if (counterNumber !== null) {
    freshCounters.set(counterNumber, until);
    servingJump = counterNumber;
  }
  restartHighlight();
}

// The next numbers of every waiting service, asked again (at most once per burst) whenever a queue changes.
const askUpcoming = coalesce(function () {
  if (!live) return;
  live.socket.timeout(8000).emit("upcoming", {}, function (err, reply) {
    if (err || !reply || !reply.ok) return;   // the next change asks again; the counts stay right meanwhile
    state.upcoming = reply.services;
    drawWaiting();
  });
}, UPCOMING_DELAY_MS);

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
  const tag = call.kind === "ticket_recalled" ? "Gọi lại" : call.kind === "ticket_transferred" ? "Chuyển quầy"
    : call.priority ? "Ưu tiên" : "";
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

// ----- ĐANG PHỤC VỤ: the layout rule ------------------------------------------------------------------------
// Legible from 6 m whatever the hall (issue 14): the headline keeps the size it has for a single call (21rem,
// display.css .newest-number) however many counters there are, and no tile's number is ever smaller than
// MIN_NUMBER_SHARE of the screen's height. A page holds only as many tiles as fit at that size (tileNumberSize
// below decides every tile font); when the open counters need more than one page, only counters with a citizen
// get a tile (the title says how many others wait for one), in department order, and the pages turn every
// PAGE_MS, showing the page of a new call first. Closed counters never have a tile. Big lobbies split the
// counters over several TVs with ?counters= or ?departments= (docs/OPERATIONS.md).
const MIN_NUMBER_SHARE = 0.045;   // 4 % of the screen's height asked, and a margin
const NUMBER_OF_HEIGHT = 0.5;     // of the tile's inner height, with the counter's name above it
const NAME_OF_HEIGHT = 0.2;
const CHAR_EM = 0.7;              // width of one character of a number, in em (bold capitals and digits)
const WIDTH_USED = 0.86;          // of the tile's inner width
const TILE_EDGE_PX = 8;           // border and breathing room inside a tile
let servingPage = 0;
let servingPages = 1;
let servingJump = null;           // a counter just called: show its page at the next draw

function counterOrder(a, b) {   // department order of the center file, then counter number
  const rank = function (c) {
    const i = center ? center.departments.findIndex(function (d) { return d.code === departmentOf[c.services[0]]; })
      : -1;
    return i < 0 ? Infinity : i;
  };
  return rank(a) - rank(b) || a.number - b.number;
}

/** Font sizes of `count` tiles laid out in `cols` columns of a `width` × `height` grid with `gap` between tiles,
 *  for numbers of `chars` characters: the number as large as the tile allows, by its height and its width. */
function tileNumberSize(count, cols, width, height, gap, chars) {
  const rows = Math.ceil(count / cols);
  const tileWidth = (width - (cols - 1) * gap) / cols - TILE_EDGE_PX;
  const tileHeight = (height - (rows - 1) * gap) / rows - TILE_EDGE_PX;
  return {
    number: Math.min(NUMBER_OF_HEIGHT * tileHeight, WIDTH_USED * tileWidth / (chars * CHAR_EM)),
    name: Math.min(NAME_OF_HEIGHT * tileHeight, WIDTH_USED * tileWidth / ("QUẦY 00".length * CHAR_EM)),
  };
}

/** The best grid for `count` tiles: {cols, rows, number, name} with the largest number. */
function bestGrid(count, width, height, gap, chars) {
  let best = null;
  for (let cols = 1; cols <= count; cols++) {
    const size = tileNumberSize(count, cols, width, height, gap, chars);
    if (!best || size.number > best.number) {
      best = { cols: cols, rows: Math.ceil(count / cols), number: size.number, name: size.name };
    }
  }
  return best;
}

function drawServing() {
  const grid = $("serving");
  const now = Date.now();
  const open = center || !departmentFilter ? state.counters.filter(function (c) {
    return (c.status === "open" || c.status === "paused") && counterShown(c);
  }).sort(counterOrder) : [];
  grid.hidden = false;   // measured as drawn; hidden again below when it has no tile
  const style = getComputedStyle(grid);
  const gap = parseFloat(style.columnGap) || 0;
  const width = grid.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const height = grid.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const smallest = MIN_NUMBER_SHARE * window.innerHeight;
  const labelChars = function (list) {
    return Math.max(4, ...list.map(function (c) { return c.current ? c.current.label.length : 1; }));
  };
  let shown = open;
  const fits = function (n, list) { return bestGrid(n, width, height, gap, labelChars(list)).number >= smallest; };
  let idle = 0;
  let paused = 0;
  if (open.length > 1 && !fits(open.length, open)) {   // more than one page: only counters with a citizen
    const busy = open.filter(function (c) { return c.status === "open" && c.current; });
    if (busy.length) {   // (a hall with nobody called yet pages through all its open counters)
      shown = busy;
      paused = open.filter(function (c) { return c.status === "paused"; }).length;
      idle = open.length - busy.length - paused;
    }
  }
  let perPage = Math.max(shown.length, 1);
  while (perPage > 1 && !fits(perPage, shown)) perPage--;
  servingPages = Math.max(Math.ceil(shown.length / perPage), 1);
  perPage = Math.max(Math.ceil(shown.length / servingPages), 1);   // pages of even size
  if (servingJump !== null) {
    const at = shown.findIndex(function (c) { return c.number === servingJump; });
    if (at >= 0) servingPage = Math.floor(at / perPage);
    servingJump = null;
  }
  if (servingPage >= servingPages) servingPage = 0;
  const page = shown.slice(servingPage * perPage, (servingPage + 1) * perPage);
  const layout = bestGrid(Math.max(page.length, 1), width, height, gap, labelChars(page));

  grid.replaceChildren();
  page.forEach(function (c) {
    const tile = el("li", "counter-tile");
    tile.dataset.counter = c.number;
    tile.dataset.department = departmentOf[c.services[0]] || "";
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
  grid.style.setProperty("--cols", layout.cols);
  grid.style.setProperty("--rows", layout.rows);
  grid.style.setProperty("--tile-number", Math.floor(layout.number) + "px");
  grid.style.setProperty("--tile-name", Math.floor(layout.name) + "px");
  grid.dataset.pages = servingPages;
  grid.dataset.page = servingPage + 1;
  const notes = [];
  if (idle) notes.push(idle + " quầy chờ gọi số");
  if (paused) notes.push(paused + " quầy tạm dừng");
  if (servingPages > 1) notes.push((servingPage + 1) + "/" + servingPages);
  $("serving-page").textContent = notes.join(" · ");
  grid.hidden = !page.length;
  $("serving-empty").hidden = open.length > 0;
}

// ----- ĐANG CHỜ: only services with people waiting, each with its next numbers ------------------------------

function drawWaiting() {
  const list = $("waiting");
  list.replaceChildren();
  if (!center) return;
  center.departments.forEach(function (d) {
    d.services.forEach(function (s) {
      const count = state.waiting[s.code] || 0;
      if (!count || !serviceShown(s.code)) return;
      const row = el("li", "waiting-row");
      row.dataset.service = s.code;
      const next = el("p", "waiting-next");
      (state.upcoming[s.code] || []).forEach(function (t) {
        next.append(el("span", "waiting-ticket" + (t.priority_group ? " priority" : ""), t.label));
      });
      const head = el("p", "waiting-head");
      head.append(el("span", "waiting-name", s.name), el("span", "waiting-count", String(count)));
      row.append(head, next);
      list.append(row);
    });
  });
  if (!list.children.length) list.append(el("li", "panel-empty", "Không có công dân nào đang chờ"));
  paginateWaiting();
}

// A big center has more waiting services than fit: show them a page at a time, turning every PAGE_MS, rather
// than shrinking the text below what can be read across the hall. The turns have their own steady timer, so a
// busy stream of events (each redraws) cannot hold the first page on screen.
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
  if (waitingPages > 1) {
    waitingPage = (waitingPage + 1) % waitingPages;
    paginateWaiting();
  }
  if (servingPages > 1) {
    servingPage = (servingPage + 1) % servingPages;
    drawServing();
  }
}, PAGE_MS);
window.addEventListener("resize", function () { drawAll(); });

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

/** The center's time, in its zone (TV sticks often run on UTC); drawn again as soon as the zone is known. */
function drawClock() {
  const now = Date.now() + serverOffset;
  $("clock-time").textContent = time(now, true);
  $("clock-date").textContent = weekdayDate(now);
}

function tick() {
  drawClock();
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
  // LOG_CLIPS clip keys started (`played`) and actually sounding (`heard`: the browser fired "playing"), oldest
  // first, and counters. A TV runs for weeks, so nothing here grows with time.
  const log = { played: [], heard: [], count: 0, dropped: 0, merged: 0 };
  Object.defineProperty(log, "queued", { get: function () { return queue.length; } });
  Object.defineProperty(log, "enabled", { get: function () { return enabled; } });
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
      player.onended = player.onerror = player.ondurationchange = player.onplaying = null;
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
    let sounded = false;
    player.onplaying = function () {   // fires again after a stall: the clip is logged once
      if (sounded || mine !== token) return;
      sounded = true;
      log.heard.push(key);
      if (log.heard.length > LOG_CLIPS) log.heard.shift();
    };
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
        player.onended = player.onerror = player.ondurationchange = player.onplaying = null;
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

  // A TV browser started as docs/OPERATIONS.md says (--autoplay-policy=no-user-gesture-required) may play at
  // once: a silent clip finds out, and only a browser that refuses it shows the "Bật âm thanh" button.
  function start() {
    if (!voiceWanted) return;
    $("sound-on").addEventListener("click", enable);
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
  live = connect({
    screen: "display",
    onSnapshot: onSnapshot,
    onEvent: onEvent,
    onStatus: function (connected) { $("offline").hidden = connected; },
  });
});
