"""Voice guidance clips (server/core/guidance.py): the names' Telex keys, which clip the server serves for a key
(the center's recording, the bundled phrase, a name made with espeak-ng the first time), and what it refuses."""

from __future__ import annotations

import shutil
import wave

import pytest

from server.core.guidance import GUIDANCE_TEXT, clip_to_serve, make_name_clip, name_key, spoken_names
from server.web.pages import GUIDANCE_VOICE

needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")


@pytest.mark.parametrize(("name", "key"), [
    ("Sở Tư pháp", "name-sowr-tuw-phaps"),
    ("Đất đai", "name-ddaats-ddai"),
    ("Người cao tuổi", "name-nguwowif-cao-tuooir"),
    ("Hộ tịch", "name-hooj-tichj"),
    ("Hổ tích", "name-hoor-tichs"),  # the tone and the shape keep the two apart
    ("Báo chí, xuất bản, in và phát hành", "name-baos-chis-xuaats-banr-in-vaf-phats-hanhf"),
    ("Sở Giao thông vận tải (GTVT)", "name-sowr-giao-thoong-vaanj-tair-gtvt"),
    ("Giấy phép lái xe hạng A1", "name-giaays-pheps-lais-xe-hangj-a1"),
])
def test_a_name_keys_its_clip_in_telex(name, key):
    assert name_key(name) == key
    assert name_key(name.upper()) == key  # the case is not spoken


def test_composed_and_decomposed_names_share_a_key():
    import unicodedata

    assert name_key(unicodedata.normalize("NFD", "Sở Tư pháp")) == name_key("Sở Tư pháp")


def test_every_name_of_the_center_is_spoken(center):
    names = spoken_names(center)
    assert names[name_key("Sở Tư pháp")] == "Sở Tư pháp"
    assert names[name_key("Lý lịch tư pháp")] == "Lý lịch tư pháp"
    assert names[name_key("Người cao tuổi")] == "Người cao tuổi"
    assert names[name_key("Không hài lòng")] == "Không hài lòng"
    assert all(key.startswith("name-") and len(key) <= 200 for key in names)


def test_every_phrase_is_bundled():
    assert {p.stem for p in GUIDANCE_VOICE.glob("*.wav")} == set(GUIDANCE_TEXT)
    for key in GUIDANCE_TEXT:
        with wave.open(str(GUIDANCE_VOICE / f"{key}.wav"), "rb") as clip:
            assert clip.getnchannels() == 1 and clip.getframerate() == 16000
            assert 0.3 < clip.getnframes() / clip.getframerate() < 8


def test_which_clip_is_served(center, tmp_path):
    custom, cache = tmp_path / "custom", tmp_path / "cache"
    custom.mkdir()
    key = name_key("Sở Tư pháp")
    assert clip_to_serve("hd-quay", center, None, GUIDANCE_VOICE, cache) == (GUIDANCE_VOICE / "hd-quay.wav", None)
    assert clip_to_serve(key, center, None, GUIDANCE_VOICE, cache) == (cache / f"{key}.wav", "Sở Tư pháp")
    (custom / f"{key}.wav").write_bytes(b"RIFF")
    (custom / "hd-quay.wav").write_bytes(b"RIFF")
    assert clip_to_serve(key, center, custom, GUIDANCE_VOICE, cache) == (custom / f"{key}.wav", None)
    assert clip_to_serve("hd-quay", center, custom, GUIDANCE_VOICE, cache) == (custom / "hd-quay.wav", None)
    for unknown in ("name-khong-co", "hd-nothing", "../../etc/passwd", "name-"):
        with pytest.raises(KeyError):
            clip_to_serve(unknown, center, custom, GUIDANCE_VOICE, cache)


def fetch(client, url):
    """(status, body) of a GET, the response closed (a served file stays open until then)."""
    with client.get(url) as response:
        return response.status_code, response.data


@needs_espeak
def test_a_name_clip_is_made_once_and_then_served(app, client):
    key = name_key("Lý lịch tư pháp")
    made = app.extensions["hangdoi"].settings.database.parent / "voice-names" / f"{key}.wav"
    assert not made.exists()
    first = fetch(client, f"/voice/{key}.wav")
    assert first[0] == 200 and first[1][:4] == b"RIFF"
    assert made.is_file()
    stamp = made.stat().st_mtime_ns
    assert fetch(client, f"/voice/{key}.wav") == first
    assert made.stat().st_mtime_ns == stamp  # kept, not made again


def test_unknown_guidance_clips_are_404_and_the_calls_still_served(client):
    assert fetch(client, "/voice/name-khong-co-ten-nay.wav")[0] == 404
    assert fetch(client, "/voice/hd-khong-co.wav")[0] == 404
    assert fetch(client, "/voice/hd-chon-so.wav")[0] == 200
    assert fetch(client, "/voice/den-quay-so.wav")[0] == 200


@needs_espeak
def test_make_name_clip_writes_a_wav(tmp_path):
    path = tmp_path / "x" / "name-sowr-tuw-phaps.wav"
    assert make_name_clip("Sở Tư pháp", path)
    with wave.open(str(path), "rb") as clip:
        assert clip.getnframes() / clip.getframerate() > 0.3
    assert list(path.parent.iterdir()) == [path]  # no partial file left
