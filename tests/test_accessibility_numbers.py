"""Numbers in the kiosk's voice guidance are read as the lobby reads them (server/core/announcements.py): the ticket's
sentence the server hands the kiosk (`guidance_clips`), the table of 0..99 the kiosk reads its choices' numbers
with (GET /api/guidance/numbers), and that every clip they name is a file the server serves."""

from __future__ import annotations

import pytest

from server.core.guidance import NUMBER_TABLE_SIZE, number_clips, number_table, ticket_sentence
from tests.conftest import app_over
from tests.test_booking_api import POLICY

# What a citizen must hear, written out by hand from the Northern reading (docs/OPERATIONS.md).
WORDS = {
    "không": "w-khong", "một": "w-motj", "mốt": "w-mots", "hai": "w-hai", "năm": "w-nam", "lăm": "w-lam",
    "sáu": "w-saus", "tư": "w-tu", "mười": "w-muoif", "mươi": "w-muoi", "trăm": "w-tram", "lẻ": "w-ler",
    "chín": "w-chins", "nghìn": "w-nghinf", "bốn": "w-bons", "ba": "w-ba",
}


def say(text: str) -> list[str]:
    return [WORDS[word] for word in text.split()]


@pytest.mark.parametrize(("number", "spoken"), [
    (0, "không"), (5, "năm"), (10, "mười"), (12, "mười hai"), (15, "mười lăm"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (99, "chín mươi chín"), (105, "một trăm lẻ năm"),
    (1005, "một nghìn không trăm lẻ năm"),
])
def test_a_number_is_read_as_words(number, spoken):
    assert number_clips(number) == say(spoken)


def test_a_number_beyond_the_words_is_read_digit_by_digit_not_refused():
    assert number_clips(12345) == say("một hai ba bốn năm")


def test_the_table_holds_every_choice_number_a_keypad_can_type():
    table = number_table()
    assert len(table) == NUMBER_TABLE_SIZE == 100
    assert table[12] == say("mười hai") and table[21] == say("hai mươi mốt") and table[1] == say("một")


def test_the_ticket_sentence_reads_label_counters_and_people_ahead_as_words():
    sentence = ticket_sentence({"label": "A016", "counters": [1, 21], "ahead": 15})
    assert sentence == ["hd-so-thu-tu-la", "letter-a", *say("không mười sáu"),
                        "hd-quay", *say("một"), "hd-quay", *say("hai mươi mốt"),
                        "hd-so-nguoi-dang-cho", *say("mười lăm"), "hd-moi-nhan-phieu"]


def test_a_ticket_without_a_position_has_no_people_ahead_part():
    sentence = ticket_sentence({"label": "C105", "counters": [3], "ahead": None})
    assert sentence == ["hd-so-thu-tu-la", "letter-c", *say("một trăm lẻ năm"), "hd-quay", *say("ba"),
                        "hd-moi-nhan-phieu"]


def test_a_label_the_lobby_cannot_read_is_spelled_not_refused():
    assert ticket_sentence({"label": "A10000", "counters": [], "ahead": 0}) == [
        "hd-so-thu-tu-la", "letter-a", *say("một không không không không"), "hd-so-nguoi-dang-cho", *say("không"),
        "hd-moi-nhan-phieu"]


def test_the_ticket_answer_carries_its_sentence_and_every_clip_is_served(client):
    for _ in range(12):  # twelve citizens ahead: the thirteenth number's sentence has two-digit numbers
        assert client.post("/api/tickets", json={"service_code": "ly-lich"}).status_code == 201
    reply = client.post("/api/tickets", json={"service_code": "ly-lich"})
    assert reply.status_code == 201
    ticket = reply.get_json()
    assert ticket["label"] == "A013" and ticket["ahead"] == 12
    assert ticket["guidance_clips"] == ticket_sentence(ticket)
    assert say("mười ba") == ticket["guidance_clips"][3:5] and "w-muoif" in ticket["guidance_clips"][-4:]
    numbers = client.get("/api/guidance/numbers")
    assert numbers.status_code == 200 and numbers.get_json()["numbers"] == number_table()
    for key in {*ticket["guidance_clips"], *(k for clips in number_table() for k in clips)}:
        with client.get(f"/voice/{key}.wav") as clip:  # closed: the file it streams is closed with it
            assert clip.status_code == 200 and clip.data[:4] == b"RIFF", key


def test_a_checked_in_remote_number_carries_its_sentence_too(tmp_path):
    """The kiosk's check-in answers a ticket as a new number does: its sentence is worded by the server too."""
    with app_over(tmp_path, POLICY.format(per_address=100, capacity=2)) as application:
        client = application.test_client()
        for _ in range(10):
            assert client.post("/api/tickets", json={"service_code": "ly-lich"}).status_code == 201
        remote = client.post("/api/remote-tickets", json={"service_code": "ly-lich", "name": "Từ Xa",
                                                          "phone": "0911222333"})
        assert remote.status_code == 201
        answer = client.post("/api/checkin", json={"token": remote.get_json()["token"]})
        assert answer.status_code == 201
        ticket = answer.get_json()["ticket"]
        assert ticket["guidance_clips"] == ticket_sentence(ticket) and ticket["ahead"] >= 10
        assert ticket["guidance_clips"][-2 - len(number_clips(ticket["ahead"])):] == [
            "hd-so-nguoi-dang-cho", *number_clips(ticket["ahead"]), "hd-moi-nhan-phieu"]
