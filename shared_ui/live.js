// Live state for unattended screens: subscribe with an acknowledgement, draw the snapshot, apply events in
// sequence order, and start again from a fresh snapshot after any gap, reconnect or server restart.
// Usage:
//   const live = HangDoiLive.connect({screen: "display", onSnapshot(s) {...}, onEvent(e) {...},
//                                     onStatus(connected) {...}, onCenterChanged(message) {...}});
//   On "center_changed" (an admin changed the configuration) the snapshot is fetched again (counters and services may
//   have come or gone); onCenterChanged (optional) is for screens that keep /api/center between snapshots.
//   live.socket is the socket.io client (for emits of your own).
(function () {
  "use strict";

  // Events kept while a snapshot is on its way. A subscribe that is never answered while the socket still hears
  // the room would otherwise keep them all; when the oldest are dropped, the first one kept after the snapshot
  // leaves a gap, and a gap means a fresh snapshot, so nothing is lost by the limit.
  const MAX_PENDING = 1000;

  function connect(options) {
    // Reconnect for ever, backing off to 3 s: a lobby TV may wait hours for the server to come back, and must show
    // the true state within 5 s of its return.
    // A paired device sends its token with every (re)connection (shared_ui/http.js reads it fresh each time).
    const socket = io({
      reconnectionDelay: 500, reconnectionDelayMax: 3000, timeout: 8000,
      auth: function (cb) { cb(window.HangDoiHttp ? { device: HangDoiHttp.deviceToken() } : {}); },
    });
    let lastSeq = null;   // null until a snapshot has been drawn
    let syncing = false;
    let pending = [];     // events that arrive while a snapshot is on its way

    function status(connected) {
      if (options.onStatus) options.onStatus(connected);
    }

    function resync() {
      if (syncing) return;
      syncing = true;
      lastSeq = null;
      socket.timeout(8000).emit("subscribe", { screen: options.screen, counter: options.counter },
        function (err, reply) {
          syncing = false;
          if (err || !reply) {            // no answer: try again shortly, unless the socket reconnects first
            setTimeout(function () { if (socket.connected) resync(); }, 2000);
            return;
          }
          if (!reply.ok) {
            if (reply.error === "device_not_paired") return unpaired();
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

    // A revoked device is cut off by the server; it goes back to its pairing notice.
    function unpaired() {
      if (window.HangDoiDevice) HangDoiDevice.forget();
    }

    socket.on("connect", function () { status(true); resync(); });
    socket.on("disconnect", function () { status(false); });
    socket.on("connect_error", function (err) {
      status(false);
      if (err && err.message === "device_not_paired") unpaired();
    });
    socket.on("device_revoked", unpaired);
    socket.on("queue_event", apply);
    socket.on("center_changed", function (message) {
      if (options.onCenterChanged) options.onCenterChanged(message);
      resync();
    });
    return { socket: socket, resync: resync, seq: function () { return lastSeq; } };
  }

  // A random id for an action, so a resent or double-clicked action is applied once by the server.
  function actionId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  window.HangDoiLive = { connect: connect, actionId: actionId };
})();
