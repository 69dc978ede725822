// The Socket.IO client of every live screen (needs /vendor/socket.io.min.js loaded before the screen's module).
//
// Displays, tablets and consoles: subscribe with an acknowledgement, draw the snapshot, apply events in sequence
// order, and start again from a fresh snapshot after any gap, reconnect or server restart.
//   const live = connect({screen: "display", onSnapshot(s) {...}, onEvent(e) {...},
//                         onStatus(connected) {...}, onCenterChanged(message) {...}});
//   On "center_changed" (an admin changed the configuration) the snapshot is fetched again (counters and services may
//   have come or gone); onCenterChanged (optional) is for screens that keep /api/center between snapshots.
//   live.socket is the socket.io client (for emits of your own).
//
// The citizen's phone follows one ticket: followTicket(token, {onTicket, onUnknown, onStatus}).
import { forget } from "/ui/shared/device.js";
import { $ } from "/ui/shared/dom.js";
import { pad2 } from "/ui/shared/format.js";
import { answer, deviceToken } from "/ui/shared/http.js";

// Events kept while a snapshot is on its way. A subscribe that is never answered while the socket still hears
// the room would otherwise keep them all; when the oldest are dropped, the first one kept after the snapshot
// leaves a gap, and a gap means a fresh snapshot, so nothing is lost by the limit.
const MAX_PENDING = 1000;

/** A socket that reconnects for ever, telling `onStatus(connected)` each time the connection comes or goes. */
function open(onStatus) {
  // Reconnect for ever, backing off to 3 s: a lobby TV may wait hours for the server to come back, and must show
  // the true state within 5 s of its return. A paired device sends its token with every (re)connection.
  const socket = io({
    reconnectionDelay: 500, reconnectionDelayMax: 3000, timeout: 8000,
    auth: (cb) => cb({ device: deviceToken() }),
  });
  const status = (connected) => { if (onStatus) onStatus(connected); };
  socket.on("connect", () => status(true));
  socket.on("disconnect", () => status(false));
  socket.on("connect_error", () => status(false));
  return socket;
}

/** Live state from a snapshot and the events after it (options above). */
export function connect(options) {
  const socket = open(options.onStatus);
  let lastSeq = null;   // null until a snapshot has been drawn
  let syncing = false;
  let pending = [];     // events that arrive while a snapshot is on its way

  function resync() {
    if (syncing) return;
    syncing = true;
    lastSeq = null;
    socket.timeout(8000).emit("subscribe", { screen: options.screen, counter: options.counter }, (err, reply) => {
      syncing = false;
      if (err || !reply) {            // no answer: try again shortly, unless the socket reconnects first
        setTimeout(() => { if (socket.connected) resync(); }, 2000);
        return;
      }
      if (!reply.ok) {
        if (reply.error === "device_not_paired") return forget();
        if (options.onRefused) options.onRefused(reply);
        return;
      }
      lastSeq = reply.snapshot.seq;
      options.onSnapshot(reply.snapshot);
      const queued = pending;
      pending = [];
      queued.forEach(apply);
    });
  }

  function apply(event) {
    if (lastSeq === null) {
      pending.push(event);
      if (pending.length > MAX_PENDING) pending.shift();
      return;
    }
    if (event.seq <= lastSeq) return;            // already part of the snapshot
    if (event.seq !== lastSeq + 1) {             // a message was lost: the snapshot is the truth
      resync();
      return;
    }
    lastSeq = event.seq;
    options.onEvent(event);
  }

  socket.on("connect", resync);
  // A revoked device is cut off by the server; it goes back to its pairing notice.
  socket.on("connect_error", (err) => { if (err && err.message === "device_not_paired") forget(); });
  socket.on("device_revoked", forget);
  socket.on("queue_event", apply);
  socket.on("center_changed", (message) => {
    if (options.onCenterChanged) options.onCenterChanged(message);
    resync();
  });
  return { socket, resync, seq: () => lastSeq };
}

/** The staff pages' connection line in their header (#connection), as an onStatus. */
export function showConnection(connected) {
  const node = $("connection");
  node.textContent = connected ? "Trực tuyến" : "Mất kết nối, đang kết nối lại…";
  node.classList.toggle("connection-lost", !connected);
}

/** `run` once, `ms` after the first of a burst of calls: a burst of events costs one request, and a steady stream
 *  cannot put it off for ever. The returned function's cancel() drops a run not yet made. */
export function coalesce(run, ms) {
  let timer = null;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, ms);
  };
  soon.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return soon;
}

/** A random id for an action, so a resent or double-clicked action is applied once by the server. */
export function actionId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => pad2(b.toString(16))).join("");
}

// ----- one ticket, on the citizen's phone ---------------------------------------------------------

const POLL_SECONDS = 30;   // the safety net for phones whose connection drops silently
const DEBOUNCE_MS = 300;   // a burst of events (a counter calling several numbers) becomes one refresh
const ACK_TIMEOUT_MS = 10000;

/**
 * Follow one ticket: the server pushes an event, the page asks for its ticket again (over the socket, or by HTTP
 * when the socket library did not load), with a slow HTTP poll beside it and a catch-up whenever the page is
 * looked at again. Options: onTicket(ticket), onUnknown() (the token names no ticket: following stops),
 * onStatus(connected). Returns {poll(), answered()}: answered() reserves the place of an answer the page asked for
 * itself (a cancel), so that an older answer never replaces a newer one on screen.
 */
export function followTicket(token, options) {
  const path = `/api/tickets/${encodeURIComponent(token)}`;
  let started = 0;   // requests started, and the newest one whose answer was shown
  let shown = 0;
  let gone = false;  // unknown token: stop asking
  let pollTimer = null;
  const socket = typeof io === "function" ? open(options.onStatus) : null;   // else polling alone still works

  /** A function showing the answer of the request started now, unless a newer answer is already shown. */
  function answered() {
    const seq = ++started;
    return (ticket) => {
      if (gone || seq < shown) return;
      shown = seq;
      options.onTicket(ticket);
    };
  }

  function unknown() {
    gone = true;
    clearInterval(pollTimer);
    if (socket) socket.disconnect();
    options.onUnknown();
  }

  async function poll() {
    if (gone) return;
    const show = answered();
    try {
      const { ok, body } = await answer("GET", path);
      if (ok && body) show(body);
      else if (body && body.error === "unknown_ticket") unknown();
    } catch (err) {
      // Offline: the socket's reconnection and the next poll will catch up.
    }
  }

  /** Join the ticket's rooms and get its state; on every (re)connection and after every event. */
  function follow() {
    if (gone || !socket || !socket.connected) return;
    const show = answered();
    socket.timeout(ACK_TIMEOUT_MS).emit("follow_ticket", { token }, (err, reply) => {
      if (err || !reply) return; // no answer in time: the poll is the fallback
      if (reply.ok) show(reply.ticket);
      else if (reply.error === "unknown_ticket") unknown();
    });
  }

  const followSoon = coalesce(follow, DEBOUNCE_MS);

  if (socket) {
    socket.on("connect", follow);
    socket.on("ticket_event", followSoon);
    socket.on("service_event", followSoon);
  }
  // Phones freeze background tabs: catch up as soon as the page is looked at again.
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") poll(); });
  poll();
  pollTimer = setInterval(poll, POLL_SECONDS * 1000);
  return { poll, answered, gone: () => gone };
}
