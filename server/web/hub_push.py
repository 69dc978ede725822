"""The site's delivery to the provincial hub: a background task that sends the event log's facts in order, in
batches (server/core/outbox.py), over HTTP(S) with the site's token (docs/HUB.md, Delivery).

It starts after the sequence number the hub acknowledged (asked of the hub, never kept here: the hub's
`acked_seq` is the one truth, committed with the facts), sends full batches back to back while it is behind, then
one batch (or an empty heartbeat) every `hub_push_seconds`. While the hub or the link is down it waits with capped
exponential back-off; the queue never waits for it (the log is read in a worker thread, on a read-only
connection). Started with socketio.start_background_task and paced with socketio.sleep: the same code under
eventlet, gevent and threading.
"""

from __future__ import annotations

import json
import logging
import random
import time
import urllib.error
import urllib.request
from urllib.parse import quote

from ..core.outbox import labels, read_batch, site_info

log = logging.getLogger("hangdoi.hub_push")
HTTP_TIMEOUT = 30


class HubUnreachable(Exception):
    """No usable answer from the hub (link down, hub down, proxy error): wait and try again."""


class HubPusher:
    """One site's delivery loop; `cycle()` is one exchange with the hub and says how long to wait before the next."""

    def __init__(self, runtime, sleep=time.sleep):
        self.rt = runtime
        self.settings = runtime.settings
        self.sleep = sleep
        self.after: int | None = None  # the hub's acked_seq as last heard; None: ask first
        self.failures = 0
        self.sent_labels: str | None = None  # the labels last sent (sent again when the center changes)
        self.last_outcome = "not started"
        self.last_acked_at: int | None = None

    # ----- HTTP -----

    def token(self) -> str:
        """The site's token: the setting, or the file it names, read at every exchange (a new token written there
        is used at once, without a restart)."""
        if self.settings.hub_token_file:
            try:
                return self.settings.hub_token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                log.error("hub token file unreadable: %s", exc)
                return ""
        return self.settings.hub_token

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """(status, JSON answer) from the hub; HubUnreachable when there is no JSON answer from it."""
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() if body is not None else None
        call = urllib.request.Request(self.settings.hub_url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token()}", "Content-Type": "application/json",
            "User-Agent": "hangdoi-site"})
        try:
            with urllib.request.urlopen(call, timeout=HTTP_TIMEOUT) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as answer:
            try:
                return answer.code, json.loads(answer.read() or b"{}")
            except ValueError:  # not the hub's JSON: a proxy's error page
                raise HubUnreachable(f"HTTP {answer.code}") from None
        except (OSError, ValueError) as exc:  # refused, reset, timed out, DNS, TLS, a truncated answer
            raise HubUnreachable(str(exc)) from exc

    def status(self) -> dict:
        """For /healthz: where delivery stands (the hub's acked seq as last heard, the last exchange's outcome)."""
        return {"url": self.settings.hub_url, "acked_seq": self.after, "last_outcome": self.last_outcome,
                "failures_in_a_row": self.failures, "last_acked_at": self.last_acked_at}

    # ----- the loop -----

    def backoff(self) -> float:
        """Seconds to wait after the n-th failure in a row: 1, 2, 4 … capped, with ±20 % jitter so that 212 sites
        coming back together do not knock together."""
        base = min(self.settings.hub_max_backoff_seconds, 2 ** min(self.failures - 1, 20))
        return base * random.uniform(0.8, 1.2)

    def cycle(self) -> float:
        """One exchange with the hub; how long to sleep before the next."""
        if self.rt.center.site is None:  # [site] removed by an admin's edit since the start
            self.last_outcome = "no [site]"
            log.error("the center has no [site]: nothing is sent to the hub")
            return self.settings.hub_max_backoff_seconds
        code = self.rt.center.site.code
        try:
            if self.after is None:
                status, answer = self.request("GET", f"/api/hub/v1/state?site={quote(code)}")
                if status != 200:
                    return self.refused(status, answer)
                self.after = int(answer["acked_seq"])
                self.sent_labels = None  # a hub that lost track of us (started over, restored) gets them again
            current_labels = json.dumps(labels(self.rt.center), ensure_ascii=False, sort_keys=True)
            batch = self.rt.offload(self.read, self.after, current_labels != self.sent_labels)
            status, answer = self.request("POST", "/api/hub/v1/batches", batch)
        except HubUnreachable as exc:
            self.failures += 1
            wait = self.backoff()
            self.last_outcome = f"unreachable: {exc}"
            log.warning("hub unreachable, next try in %.0f s: %s", wait, exc)
            return wait
        if status == 200:
            self.failures = 0
            self.after = int(answer["acked_seq"])
            if "labels" in batch:
                self.sent_labels = current_labels
            self.last_outcome = f"acked {self.after}"
            self.last_acked_at = int(time.time())
            # Behind (a full batch): the next one at once, letting the server breathe between batches.
            return 0 if len(batch["events"]) >= self.settings.hub_batch_events else self.settings.hub_push_seconds
        if status == 409 and answer.get("error") == "gap":
            self.after = int(answer["expected_after"])  # the hub knows less than we thought: resend from there
            return 0
        return self.refused(status, answer)

    def refused(self, status: int, answer: dict) -> float:
        """The hub said no (revoked, unknown token, another site's code, diverged, or it is failing): log why,
        ask again where it stands next time, and wait the longest back-off (an admin must act)."""
        if status >= 500:
            self.failures += 1
            self.last_outcome = f"hub error {status}"
            return self.backoff()
        self.after = None
        self.failures = max(self.failures, 1)
        self.last_outcome = f"refused {status} {answer.get('error')}"
        log.error("hub refused the site's batch", extra={"status": status, "error": answer.get("error"),
                                                         "hub_message": answer.get("message")})
        return self.settings.hub_max_backoff_seconds

    def read(self, after: int, with_labels: bool) -> dict:
        """The next batch, read on a read-only connection of its own (run in a worker thread)."""
        conn = self.rt.store.reader()
        try:
            conn.isolation_level = None  # read_batch opens its own read transaction
            return read_batch(conn, self.rt.center, after, self.settings.hub_batch_events, with_labels)
        finally:
            conn.close()

    def run_forever(self):
        while True:
            try:
                wait = self.cycle()
            except Exception:  # delivery must outlive any one failure; the queue never depends on it
                log.exception("hub delivery failed")
                self.failures += 1
                wait = self.backoff()
            self.sleep(wait)


def start(rt):
    """Start delivery when the hub's address is set and the center names its site (docs/HUB.md, Delivery)."""
    if not rt.settings.hub_url:
        return None
    if rt.center.site is None:
        log.error("HANGDOI_HUB_URL is set but the center file has no [site]: nothing is sent to the hub")
        return None
    pusher = HubPusher(rt, sleep=rt.socketio.sleep)
    rt.socketio.start_background_task(pusher.run_forever)
    log.info("delivery to the hub started", extra={"hub": rt.settings.hub_url, "site": site_info(rt.center)})
    return pusher
