"""The lost-booking look-up limit (docs/APPOINTMENTS.md, "Limits against abuse") is kept in the database
(migration m021): an address that missed LOOKUP_MISSES_PER_DAY times stays refused after the server restarts,
and other addresses are not held."""

from __future__ import annotations

import pytest

from server.core import booking_codes
from server.core.appointments import LOOKUP_MISSES_PER_DAY, Appointments
from server.core.queue import Queue, QueueRefused
from tests.conftest import app_over
from tests.test_appointments import center_with
from tests.test_booking_api import POLICY, book, first_open_slot

EXTRA = POLICY.format(per_address=100, capacity=2)
GUESSER, OTHER = "10.6.6.6", "10.0.0.2"


def look_up(client, code, phone, address):
    return client.post("/api/appointments/lookup", json={"code": code, "phone": phone},
                       environ_base={"REMOTE_ADDR": address})


def test_the_look_up_limit_survives_a_restart(tmp_path):
    with app_over(tmp_path, EXTRA, name="restart") as first:
        client = first.test_client()
        day, slot = first_open_slot(client)
        made = book(client, day, slot["start"], i=7).get_json()
        wrong = [c for c in (booking_codes.new_code() for _ in range(50)) if c != made["code"]]
        for code in wrong[:LOOKUP_MISSES_PER_DAY]:
            refused = look_up(client, code, "0900000007", GUESSER)
            assert (refused.status_code, refused.get_json()["error"]) == (404, "unknown_booking")
        assert look_up(client, made["code"], "0900000007", GUESSER).get_json()["error"] == "lookup_limit"
    with app_over(tmp_path, EXTRA, name="restart") as second:  # a new app and store on the same database file
        client = second.test_client()
        refused = look_up(client, made["code"], "0900000007", GUESSER)
        assert refused.status_code == 429 and refused.get_json()["error"] == "lookup_limit"
        assert "ngày mai" in refused.get_json()["message"]
        found = look_up(client, made["code"], "0900000007", OTHER)
        assert found.status_code == 200 and found.get_json()["manage_url"] == made["manage_url"]


def test_a_miss_is_counted_even_though_the_look_up_is_refused(tmp_path):
    """The refusal comes after the COMMIT: nine misses leave one try, the tenth miss uses it."""
    with app_over(tmp_path, EXTRA) as application:
        client = application.test_client()
        day, slot = first_open_slot(client)
        made = book(client, day, slot["start"], i=8).get_json()
        wrong = [c for c in (booking_codes.new_code() for _ in range(50)) if c != made["code"]]
        for code in wrong[:LOOKUP_MISSES_PER_DAY - 1]:
            look_up(client, code, "0900000008", GUESSER)
        assert look_up(client, made["code"], "0900000008", GUESSER).status_code == 200  # a hit is not a miss
        look_up(client, wrong[-1], "0900000008", GUESSER)
        assert look_up(client, made["code"], "0900000008", GUESSER).status_code == 429


def test_the_minute_job_forgets_earlier_days_addresses(tmp_path, store, clock):
    center = center_with(tmp_path)
    booking = Appointments(center, store, Queue(center, store, clock))
    with pytest.raises(QueueRefused):
        booking.look_up(booking_codes.new_code(), "0912345678", GUESSER)

    def addresses():
        with store.read() as conn:
            return [r[0] for r in conn.execute("SELECT address FROM booking_lookup_misses")]

    booking.settle()
    assert addresses() == [GUESSER]  # today's: kept for the limit
    clock.advance(minutes=60 * 24)
    booking.settle()
    assert addresses() == []
