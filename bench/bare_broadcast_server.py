"""The floor of a call reaching the displays: a bare python-socketio server whose `call` handler only broadcasts.

No Flask, no Flask-SocketIO, no database: `subscribe` joins the room `screens` and answers a snapshot that is
just a sequence number; `call` broadcasts one `queue_event` to the room, shaped and sized like the real server's
event for that action (ticket_called with its voice line, service_started, ticket_finished), and answers like a
counter action. Same async mode, web server and ping settings as run.py, so bench/bench_calls.py can run the
same harness against both and report the ratio.

    HANGDOI_ASYNC_MODE=gevent HANGDOI_PORT=5001 .venv/bin/python bench/bare_broadcast_server.py
"""

import os

ASYNC_MODE = os.environ.get("HANGDOI_ASYNC_MODE", "eventlet")
if ASYNC_MODE == "eventlet":  # patched first, as run.py does
    import warnings

    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import socketio  # noqa: E402

HOST = os.environ.get("HANGDOI_HOST", "127.0.0.1")
PORT = int(os.environ.get("HANGDOI_PORT", "5001"))

# The real server's payloads (captured from run.py on bench/centers/bench.toml); `label` and `seq` are filled in.
TICKET = {"state": "called", "service_code": "ly-lich", "service_name": "Lý lịch tư pháp",
          "department_code": "STP", "counter_number": 1, "priority": False, "call_count": 1, "waiting": 2,
          "local_date": "2026-11-23"}
CLIPS = ["kinh-moi-cong-dan-co-so-thu-tu", "letter-a", "w-khong", "w-khong", "w-motj", "den-quay-so", "w-motj"]
EVENTS = {
    "call_next": {"kind": "ticket_called", **TICKET, "announcement": {
        "kind": "call", "clips": ["chime", *CLIPS, "pause", *CLIPS],
        "text": "Kính mời công dân có số thứ tự A không không một đến quầy số một"}},
    "start": {"kind": "service_started", **TICKET, "state": "serving", "state_before": "called"},
    "finish": {"kind": "ticket_finished", **TICKET, "state": "done", "state_before": "serving"},
}

sio = socketio.Server(async_mode=ASYNC_MODE, ping_interval=10, ping_timeout=10)
seq = 0


@sio.on("subscribe")
def subscribe(sid, data):
    """Join the room; the snapshot is only the sequence number."""
    sio.enter_room(sid, "screens")
    return {"ok": True, "snapshot": {"seq": seq}}


@sio.on("call")
def call(sid, data):
    """Broadcast one event to the room, nothing else."""
    global seq
    seq += 1
    message = {"seq": seq, "at": 0, "label": data["label"], **EVENTS[data["action"]]}
    sio.emit("queue_event", message, to="screens")
    return {"ok": True, "result": {"label": data["label"], "seq": seq}}


def health(environ, start_response):
    """GET /healthz for the harness's readiness check."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"ok": true}']


app = socketio.WSGIApp(sio, health)


def main():
    if ASYNC_MODE == "eventlet":  # as flask_socketio.SocketIO.run() serves
        import eventlet.wsgi

        eventlet.wsgi.server(eventlet.listen((HOST, PORT)), app, log_output=False)
    elif ASYNC_MODE == "gevent":
        from gevent import pywsgi

        pywsgi.WSGIServer((HOST, PORT), app, log=None).serve_forever()
    else:
        raise SystemExit(f"unsupported async mode {ASYNC_MODE!r}")


if __name__ == "__main__":
    main()
