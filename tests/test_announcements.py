"""Spoken calls: Vietnamese number reading, ticket labels, the announcement's clips and text, and the bundled clips."""

from __future__ import annotations

import string
import wave
from pathlib import Path

import pytest

from server.core.announcements import (
    CHIME,
    CLIP_TEXT,
    KINDS,
    LETTER_NAMES,
    NUMBER_WORD_KEYS,
    PAUSE,
    PHRASES,
    call_clips,
    call_text,
    clip_path,
    read_number,
    read_ticket_label,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "display_ui" / "sounds" / "default"


@pytest.mark.parametrize("n, words", [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (41, "bốn mươi mốt"),
    (44, "bốn mươi tư"),
    (50, "năm mươi"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm lẻ một"),
    (104, "một trăm lẻ bốn"),
    (105, "một trăm lẻ năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (124, "một trăm hai mươi tư"),
    (200, "hai trăm"),
    (505, "năm trăm lẻ năm"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm lẻ một"),
    (1005, "một nghìn không trăm lẻ năm"),
    (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"),
    (1100, "một nghìn một trăm"),
    (1200, "một nghìn hai trăm"),
    (1234, "một nghìn hai trăm ba mươi tư"),
    (2024, "hai nghìn không trăm hai mươi tư"),
    (2025, "hai nghìn không trăm hai mươi lăm"),
    (9999, "chín nghìn chín trăm chín mươi chín"),
])
def test_read_number(n, words):
    assert " ".join(read_number(n)) == words


@pytest.mark.parametrize("bad", [-1, 10000, 2.5, "5", None, True])
def test_read_number_refuses_what_it_cannot_read(bad):
    with pytest.raises(ValueError):
        read_number(bad)


@pytest.mark.parametrize("label, keys", [
    ("A025", ["letter-a", "w-khong", "w-hai", "w-muoi", "w-lam"]),
    ("A001", ["letter-a", "w-khong", "w-khong", "w-motj"]),
    ("A010", ["letter-a", "w-khong", "w-muoif"]),
    ("A015", ["letter-a", "w-khong", "w-muoif", "w-lam"]),
    ("A021", ["letter-a", "w-khong", "w-hai", "w-muoi", "w-mots"]),
    ("A105", ["letter-a", "w-motj", "w-tram", "w-ler", "w-nam"]),
    ("A110", ["letter-a", "w-motj", "w-tram", "w-muoif"]),
    ("AB012", ["letter-a", "letter-b", "w-khong", "w-muoif", "w-hai"]),
    ("Z999", ["letter-z", "w-chins", "w-tram", "w-chins", "w-muoi", "w-chins"]),
    ("B1005", ["letter-b", "w-motj", "w-nghinf", "w-khong", "w-tram", "w-ler", "w-nam"]),
    ("A000", ["letter-a", "w-khong", "w-khong", "w-khong"]),
    # as typed or printed: lower case, a hyphen, a space
    ("a-025", ["letter-a", "w-khong", "w-hai", "w-muoi", "w-lam"]),
    ("A 025", ["letter-a", "w-khong", "w-hai", "w-muoi", "w-lam"]),
])
def test_read_ticket_label(label, keys):
    assert read_ticket_label(label) == keys


@pytest.mark.parametrize("bad", ["", "A", "025A", "A0B1", "Đ025", "A12345", None, 25])
def test_read_ticket_label_refuses_non_labels(bad):
    with pytest.raises(ValueError):
        read_ticket_label(bad)


@pytest.mark.parametrize("label, counter, kind, text", [
    ("A025", 5, "call", "Kính mời công dân có số thứ tự A không hai mươi lăm đến quầy số năm"),
    ("A025", 5, "recall", "Xin nhắc lại, kính mời công dân có số thứ tự A không hai mươi lăm đến quầy số năm"),
    ("A025", 5, "priority", "Kính mời công dân ưu tiên có số thứ tự A không hai mươi lăm đến quầy số năm"),
    ("A025", 5, "transfer", "Công dân có số thứ tự A không hai mươi lăm vui lòng chuyển sang quầy số năm"),
    ("A001", 12, "call", "Kính mời công dân có số thứ tự A không không một đến quầy số mười hai"),
    ("A105", 21, "call", "Kính mời công dân có số thứ tự A một trăm lẻ năm đến quầy số hai mươi mốt"),
    ("AB012", 15, "priority", "Kính mời công dân ưu tiên có số thứ tự A B không mười hai đến quầy số mười lăm"),
    ("C124", 24, "transfer", "Công dân có số thứ tự C một trăm hai mươi tư vui lòng chuyển sang quầy số hai mươi tư"),
])
def test_call_text(label, counter, kind, text):
    assert call_text(label, counter, kind) == text


def test_call_is_the_default_kind():
    assert call_text("A025", 5) == call_text("A025", 5, "call")
    assert call_clips("A025", 5) == call_clips("A025", 5, "call")


@pytest.mark.parametrize("kind, opening, middle", [
    ("call", ["kinh-moi-cong-dan-co-so-thu-tu"], "den-quay-so"),
    ("recall", ["xin-nhac-lai", "kinh-moi-cong-dan-co-so-thu-tu"], "den-quay-so"),
    ("priority", ["kinh-moi-cong-dan-uu-tien-co-so-thu-tu"], "den-quay-so"),
    ("transfer", ["cong-dan-co-so-thu-tu"], "vui-long-chuyen-sang-quay-so"),
])
def test_call_clips_chime_then_the_sentence_twice(kind, opening, middle):
    clips = call_clips("A025", 21, kind)
    sentence = [*opening, "letter-a", "w-khong", "w-hai", "w-muoi", "w-lam", middle, "w-hai", "w-muoi", "w-mots"]
    assert clips == [CHIME, *sentence, PAUSE, *sentence]
    assert clips.count(CHIME) == 1 and clips.count(PAUSE) == 1


def test_call_clips_speak_the_caption():
    """Apart from letters (captioned as the letter, spoken as its name), the clips say exactly the caption."""
    clips = call_clips("A105", 24, "recall")
    first = clips[1:clips.index(PAUSE)]
    spoken = " ".join(CLIP_TEXT[k] for k in first)
    assert spoken == "Xin nhắc lại Kính mời công dân có số thứ tự a một trăm lẻ năm đến quầy số hai mươi tư"
    assert call_text("A105", 24, "recall").replace(",", "").lower() == spoken.lower()


@pytest.mark.parametrize("args", [("A025", 0, "call"), ("A025", -1, "call"), ("A025", "5", "call"),
                                  ("A025", 5, "shout"), ("A025", 10000, "call")])
def test_call_refuses_bad_arguments(args):
    with pytest.raises(ValueError):
        call_clips(*args)
    with pytest.raises(ValueError):
        call_text(*args)


def test_letter_names_as_spoken_in_calls():
    assert set(LETTER_NAMES) == set(string.ascii_uppercase)
    assert [CLIP_TEXT[f"letter-{c}"] for c in "abcdghjlwxyz"] == [
        "a", "bê", "xê", "dê", "giê", "hát", "gi", "e-lờ", "vê kép", "ích", "i dài", "dét"]


def test_clip_keys_are_file_name_safe_and_distinct():
    assert len(set(NUMBER_WORD_KEYS.values())) == len(NUMBER_WORD_KEYS)
    for key in CLIP_TEXT:
        assert key.isascii() and key == key.lower()
        assert all(c.isalnum() or c == "-" for c in key), key
    assert set(PHRASES) <= set(CLIP_TEXT)
    assert CLIP_TEXT["w-motj"] == "một" and CLIP_TEXT["w-mots"] == "mốt"
    assert CLIP_TEXT["w-muoif"] == "mười" and CLIP_TEXT["w-muoi"] == "mươi"


def every_key_a_call_can_produce() -> set[str]:
    keys = set()
    for kind in KINDS:
        for letter in string.ascii_uppercase:
            keys.update(call_clips(f"{letter}001", 1, kind))
        for counter in range(1, 100):
            keys.update(call_clips("A001", counter, kind))
    for number in range(1, 1201):
        keys.update(read_ticket_label(f"A{number:03d}"))
    return keys


def test_every_clip_a_call_can_produce_has_a_file_and_a_text():
    keys = every_key_a_call_can_produce()
    assert {CHIME, PAUSE, "letter-z", "w-nghinf", "w-ler", "w-tu", "w-mots"} <= keys
    missing_text = sorted(keys - set(CLIP_TEXT))
    missing_file = sorted(k for k in keys if not (DEFAULT_DIR / f"{k}.wav").is_file())
    assert missing_text == [] and missing_file == []
    assert all(CLIP_TEXT[k] for k in keys - {CHIME, PAUSE})


def test_bundled_clips_match_clip_text():
    """One file per clip, nothing stale: the folder is what scripts/make_voice_clips.py writes."""
    assert {p.stem for p in DEFAULT_DIR.glob("*.wav")} == set(CLIP_TEXT)


@pytest.mark.parametrize("key", sorted(CLIP_TEXT))
def test_bundled_clip_is_a_small_valid_wav(key):
    path = DEFAULT_DIR / f"{key}.wav"
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getcomptype()) == (1, 2, "NONE")
        assert w.getframerate() in (16000, 22050)
        seconds = w.getnframes() / w.getframerate()
        frames = w.readframes(w.getnframes())
    loud = max(abs(int.from_bytes(frames[i:i + 2], "little", signed=True)) for i in range(0, len(frames), 2))
    if key == PAUSE:
        assert 0.5 <= seconds <= 1.0 and loud == 0
    elif key == CHIME:
        assert 0.8 <= seconds <= 3.0 and loud > 3000
    elif key in PHRASES:
        assert 0.6 <= seconds <= 4.0 and loud > 3000
    else:
        assert 0.15 <= seconds <= 1.2 and loud > 3000
    assert path.stat().st_size < 150_000


def test_bundled_clips_stay_small():
    assert sum(p.stat().st_size for p in DEFAULT_DIR.glob("*.wav")) < 2_000_000


def test_clip_path_prefers_the_centers_recording(tmp_path):
    default_dir, custom_dir = tmp_path / "default", tmp_path / "custom"
    default_dir.mkdir()
    custom_dir.mkdir()
    (default_dir / "w-nam.wav").write_bytes(b"default")
    (default_dir / "chime.wav").write_bytes(b"default")
    (custom_dir / "chime.wav").write_bytes(b"custom")
    assert clip_path("chime", custom_dir, default_dir) == custom_dir / "chime.wav"
    assert clip_path("w-nam", custom_dir, default_dir) == default_dir / "w-nam.wav"
    assert clip_path("w-nam", None, default_dir) == default_dir / "w-nam.wav"
    assert clip_path("w-nam", "", default_dir) == default_dir / "w-nam.wav"
    assert clip_path("chime", str(custom_dir), str(default_dir)) == custom_dir / "chime.wav"
    assert clip_path("chime", tmp_path / "absent", default_dir) == default_dir / "chime.wav"


@pytest.mark.parametrize("key", ["nope", "../default/chime", "chime.wav", "", "/etc/passwd"])
def test_clip_path_refuses_unknown_keys(key, tmp_path):
    with pytest.raises(KeyError):
        clip_path(key, tmp_path, tmp_path)
