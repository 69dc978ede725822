"""The officer's desk: counter actions by name, each applied at most once per client-generated action id.

A console resends an action after a dropped connection, and a double click sends it twice; both carry the same
action id, so the second arrival gets the first answer back instead of calling another citizen.
"""

from __future__ import annotations

import json
import re

from .center import Center
from .queue import Outcome, Queue, QueueRefused

ACTION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# Action name → (Queue method, the parameters it takes from the request).
ACTIONS = {
    "open": ("open_counter", ()),
    "close": ("close_counter", ()),
    "pause": ("pause_counter", ("reason",)),  # reason is required: a missing one is refused by the queue
    "resume": ("resume_counter", ()),
    "call_next": ("call_next", ()),
    "call_ticket": ("call_ticket", ("label",)),
    "recall": ("recall", ()),
    "start": ("start_service", ()),
    "finish": ("finish", ()),
    "no_show": ("no_show", ()),
    "park": ("park", ()),
    "resume_parked": ("resume_parked", ("label",)),
    "transfer": ("transfer", ("to_service", "to_counter")),
}


def perform(queue: Queue, action_id, counter_number, officer: str, action, params: dict) -> Outcome:
    """Run one counter action once; the result is `{ok: True, result}` or `{ok: False, error, message}`."""
    if not isinstance(action_id, str) or not ACTION_ID.match(action_id):
        raise QueueRefused("bad_action_id", "Mã thao tác không hợp lệ; vui lòng tải lại trang.")
    if action not in ACTIONS:
        raise QueueRefused("unknown_action", "Thao tác không được hỗ trợ.")
    method, takes = ACTIONS[action]
    if not isinstance(params, dict):
        raise QueueRefused("bad_request", "Thiếu hoặc sai thông tin cho thao tác này.")
    arguments = {name: params[name] for name in takes if params.get(name) is not None}
    if not all(isinstance(v, int if k == "to_counter" else str) for k, v in arguments.items()):
        raise QueueRefused("bad_request", "Thiếu hoặc sai thông tin cho thao tác này.")
    with queue.store.write() as conn:
        done = conn.execute("SELECT response FROM counter_actions WHERE action_id = ?", (action_id,)).fetchone()
        if done:
            return Outcome({**json.loads(done[0]), "replayed": True})
        try:
            outcome = getattr(queue, method)(counter_number, officer, **arguments)
            response = {"ok": True, "result": outcome.result}
        except QueueRefused as refusal:  # the savepoint has undone the action; the refusal itself is kept
            outcome = Outcome(None)
            response = {"ok": False, "error": refusal.code, "message": refusal.message}
        conn.execute("INSERT INTO counter_actions (action_id, counter_number, officer, action, at, response)"
                     " VALUES (?, ?, ?, ?, ?, ?)", (action_id, counter_number if isinstance(counter_number, int)
                                                    else -1, officer, action, queue.now(),
                                                    json.dumps(response, ensure_ascii=False)))
        return Outcome(response, outcome.events)


def department_warning(center: Center, counter_number: int, username: str | None) -> dict | None:
    """When an officer holds a counter none of whose services belong to the officer's department: `message` for
    the supervisors' live board, `to_officer` for the officer's console. None when the counter is theirs, or when
    the account belongs to no department (a supervisor or admin helping out)."""
    officer = center.officer(username) if username else None
    counter = center.counter(counter_number)
    if officer is None or officer.department_code is None or counter is None:
        return None
    departments = [center.services[code].department_code for code in counter.services if code in center.services]
    if not departments or officer.department_code in departments:
        return None
    own = center.department(officer.department_code)
    own_name = own.name if own else officer.department_code
    theirs = ", ".join(dict.fromkeys(d.name for code in departments if (d := center.department(code))))
    return {
        "message": f"{officer.name} ({own_name}) đang làm việc tại quầy {counter_number:02d} của {theirs}.",
        "to_officer": f"Quầy {counter_number:02d} phục vụ lĩnh vực của {theirs}, không thuộc {own_name} của "
                      "Ông/Bà. Nếu chọn nhầm quầy, hãy đăng xuất và chọn đúng quầy; lãnh đạo Trung tâm đã được "
                      "báo trên màn hình giám sát.",
    }
