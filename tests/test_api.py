"""The HTTP API: issuing and reading tickets, and every kind of bad input answered with a clear 4xx."""

from __future__ import annotations

import pytest


def issue(client, **body):
    return client.post("/api/tickets", json={"service_code": "ly-lich", **body})


def ticket_count(app):
    with app.extensions["hangdoi"].store.read() as conn:
        return conn.execute("SELECT count(*) FROM tickets").fetchone()[0]


def test_center_lists_departments_services_and_priorities(client):
    body = client.get("/api/center").get_json()
    assert body["name"].startswith("Trung tâm")
    assert [d["code"] for d in body["departments"]] == ["STP", "SGTVT"]
    assert body["departments"][0]["services"][0] == {"code": "ly-lich", "name": "Lý lịch tư pháp", "prefix": "A",
                                                      "target_wait_minutes": 20, "counters": [1, 2]}
    assert body["priority_groups"] == [{"code": "nguoi-cao-tuoi", "name": "Người cao tuổi"}]
    assert body["issuing"] is True and body["timezone"] == "Asia/Ho_Chi_Minh"


def test_issue_returns_the_ticket_with_links_and_print_lines(client):
    response = issue(client, priority_group="nguoi-cao-tuoi", device="K1")
    assert response.status_code == 201
    ticket = response.get_json()
    assert ticket["label"] == "A001" and ticket["ahead"] == 0 and ticket["counters"] == [1, 2]
    assert ticket["follow_url"] == f"http://localhost/t/{ticket['token']}"
    assert ticket["print"]["title"] == "PHIẾU SỐ THỨ TỰ"
    assert ticket["print"]["priority"] == "Ưu tiên: Người cao tuổi"
    status = client.get(f"/api/tickets/{ticket['token']}").get_json()
    assert status["label"] == "A001" and "token" not in status


def test_ticket_png_and_qr(client):
    token = issue(client).get_json()["token"]
    png = client.get(f"/api/tickets/{token}/ticket.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:4] == b"\x89PNG"
    from io import BytesIO

    from PIL import Image
    image = Image.open(BytesIO(png.data))
    assert image.width == 576 and image.height > 700
    svg = client.get(f"/api/tickets/{token}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data


def test_cancel_then_state_is_cancelled(client):
    token = issue(client).get_json()["token"]
    assert client.post(f"/api/tickets/{token}/cancel").get_json()["state"] == "cancelled"
    again = client.post(f"/api/tickets/{token}/cancel")
    assert again.status_code == 409 and again.get_json()["error"] == "invalid_transition"


def test_a_ticket_of_an_earlier_day_answers_expired(app, client):
    token = issue(client).get_json()["token"]
    with app.extensions["hangdoi"].store.write() as conn:  # as if issued yesterday and never called
        conn.execute("UPDATE tickets SET local_date = '2020-01-01' WHERE token = ?", (token,))
    status = client.get(f"/api/tickets/{token}").get_json()
    assert (status["state"], status["state_name"], status["ahead"]) == ("expired", "Hết hiệu lực", None)
    refused = client.post(f"/api/tickets/{token}/cancel")
    assert refused.status_code == 409 and refused.get_json()["error"] == "ticket_expired"
    assert "hết hiệu lực" in refused.get_json()["message"]


@pytest.mark.parametrize("kwargs, status, error", [
    ({"data": "not json", "content_type": "application/json"}, 400, "invalid_json"),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400, "invalid_json"),
    ({"data": "service_code=ly-lich", "content_type": "application/x-www-form-urlencoded"}, 400, "invalid_json"),
    ({"json": {}}, 400, "bad_request"),
    ({"json": {"service_code": 7}}, 400, "bad_request"),
    ({"json": {"service_code": "khong-co"}}, 404, "unknown_service"),
    ({"json": {"service_code": "ly-lich", "priority_group": "vip"}}, 400, "unknown_priority_group"),
    ({"json": {"service_code": "ly-lich", "priority_group": 1}}, 400, "bad_request"),
    ({"json": {"service_code": "ly-lich", "channel": "staff"}}, 400, "unknown_channel"),
    ({"data": "{" + "x" * 70000 + "}", "content_type": "application/json"}, 413, "request_entity_too_large"),
    # Small bodies are parsed without werkzeug (api.DIRECT_BODY_LIMIT): the same answers for what it refuses.
    ({"data": b'{"service_code": "l\xff"}', "content_type": "application/json"}, 400, "invalid_json"),
    ({"data": "[" * 2000 + "]" * 2000, "content_type": "application/json"}, 400, "invalid_json"),
    ({"data": '{"service_code": "ly-lich"}', "content_type": "text/plain"}, 400, "invalid_json"),
    ({"data": "[" * 30000 + "]" * 30000, "content_type": "application/json"}, 400, "invalid_json"),
    ({"data": '{"service_code": "ly-lich"}' + " " * 5000, "content_type": "application/json"}, 201, None),
])
def test_bad_issue_requests(app, client, kwargs, status, error):
    response = client.post("/api/tickets", **kwargs)
    assert response.status_code == status
    body = response.get_json()
    if error is None:  # a larger body, through werkzeug, is read as well
        assert body["label"] == "A001" and ticket_count(app) == 1
        return
    assert body["error"] == error and body["message"]
    assert ticket_count(app) == 0


def test_daily_cap_is_a_conflict_with_the_vietnamese_message(client):
    for _ in range(3):
        assert client.post("/api/tickets", json={"service_code": "ho-tich"}).status_code == 201
    response = client.post("/api/tickets", json={"service_code": "ho-tich"})
    assert response.status_code == 409
    assert response.get_json() == {"error": "daily_cap_reached", "message": "Lĩnh vực này đã hết số trong ngày."}


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/tickets/khong-co", 404),
    ("get", "/api/tickets/khong-co/ticket.png", 404),
    ("get", "/api/tickets/khong-co/qr.svg", 404),
    ("post", "/api/tickets/khong-co/cancel", 404),
    ("get", "/api/khong-co", 404),
    ("delete", "/api/tickets", 405),
    ("put", "/api/center", 405),
])
def test_unknown_things_are_json_errors(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["message"]


def test_queue_state(client):
    issue(client)
    issue(client)
    body = client.get("/api/queue").get_json()
    ly_lich = next(s for s in body["services"] if s["service_code"] == "ly-lich")
    assert ly_lich["waiting"] == 2 and ly_lich["estimated_wait_minutes"] == 10
    assert [c["number"] for c in body["counters"]] == [1, 2, 3, 5]
    assert all(c["status"] == "closed" for c in body["counters"])


def test_health_and_security_headers(client):
    response = client.get("/healthz")
    assert response.get_json()["ok"] is True
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_core_knows_nothing_of_the_web():
    import ast
    import pathlib
    for path in pathlib.Path("server/core").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in ("flask", "flask_socketio", "socketio", "engineio")
                               for n in names), path
