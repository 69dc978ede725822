"""GET /api/appointments/status: whether the center takes bookings or remote numbers, always 200 (the staff pages'
header asks it to link /admin/bookings, and a refusal would be an error in their console)."""

from __future__ import annotations

from tests.conftest import app_over
from tests.test_booking_api import POLICY


def test_a_center_with_appointments_says_so(tmp_path):
    with app_over(tmp_path, POLICY.format(per_address=100, capacity=2)) as application:
        answer = application.test_client().get("/api/appointments/status")
        assert answer.status_code == 200 and answer.get_json() == {"taken": True}


def test_a_center_without_them_says_so_without_a_refusal(client):
    answer = client.get("/api/appointments/status")
    assert answer.status_code == 200 and answer.get_json() == {"taken": False}
