"""Loading a center file: the demo loads, and each mistake stops start-up naming the file, key and problem."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.core.center import CenterConfigError, center_to_raw, load_center
from server.settings import DEMO_CENTER
from tests.live import ROOT, SMALL_CENTER


def test_demo_center_is_a_real_looking_center():
    center = load_center(DEMO_CENTER)
    # the 16 Sở of the Quảng Ngãi report's appendix and Công an tỉnh (căn cước, cư trú)
    assert [d.code for d in center.departments if d.name.startswith("Sở ")] == [d.code for d in center.departments][:16]
    assert len(center.departments) == 17 and center.departments[16].name == "Công an tỉnh"
    assert center.department("STP").name == "Sở Tư pháp"
    assert 18 <= len(center.counters) <= 24
    assert len({s.prefix for s in center.services.values()}) == len(center.services)
    assert all(center.counters_serving(code) for code in center.services)
    assert center.rating.levels == ("Rất hài lòng", "Hài lòng", "Không hài lòng")
    assert str(center.timezone) == "Asia/Ho_Chi_Minh"


def write(tmp_path, text):
    path = tmp_path / "center.toml"
    path.write_text(text, encoding="utf-8")
    return path


SMALL = SMALL_CENTER.read_text(encoding="utf-8")
FIVE = '\n[rating]\nscale = 5\n[rating.official]\n"Rất hài lòng" = ["Rất hài lòng"]\n'


@pytest.mark.parametrize("change, key, words", [
    (lambda s: s.replace('name = "Trung tâm', 'nam = "Trung tâm', 1), "center.name", "thiếu"),
    (lambda s: s.replace('prefix = "B"', 'prefix = "A"'), "departments[0].services[1].prefix", "đã dùng"),
    (lambda s: s.replace('prefix = "B"', 'prefix = "b1"'), "departments[0].services[1].prefix", "chữ cái"),
    (lambda s: s.replace('daily_cap = 3', 'daily_cap = "ba"'), "departments[0].services[1].daily_cap", "int"),
    (lambda s: s.replace('services = ["van-tai"]', 'services = ["xe-bay"]'), "counters[3].services", "xe-bay"),
    (lambda s: s.replace('number = 5', 'number = 3'), "counters[3].number", "trùng"),
    (lambda s: s.replace('"00:00"', '"7h30"'), "hours.sessions[0].start", "HH:MM"),
    (lambda s: s.replace('"T2", ', '"Mon", '), "hours.working_days", "Mon"),
    (lambda s: s.replace('priority_policy = "interleave"', 'priority_policy = "fifo"'), "queue.priority_policy",
     "fifo"),
    (lambda s: s + '\n[rating]\nscale = 4\n', "rating.scale", "4"),
    (lambda s: s + FIVE + '"Hài lòng" = ["Hài lòng"]\n"Không hài lòng" = ["Không hài lòng", "Rất không hài lòng"]\n',
     "rating.official", "Bình thường"),
    (lambda s: s + FIVE + '"Hài lòng" = ["Hài lòng", "Bình thường", "Không hài lòng"]\n'
     '"Không hài lòng" = ["Không hài lòng", "Rất không hài lòng"]\n', "rating.official.Không hài lòng", "mức khác"),
    (lambda s: s + FIVE + '"Hài lòng" = ["Hài lòng", "Bình thường", "Tạm được"]\n'
     '"Không hài lòng" = ["Không hài lòng", "Rất không hài lòng"]\n', "rating.official.Hài lòng", "Tạm được"),
    (lambda s: s + FIVE + '"Hài lòng" = []\n"Không hài lòng" = ["Hài lòng", "Bình thường", "Không hài lòng",'
     ' "Rất không hài lòng"]\n', "rating.official.Hài lòng", "ít nhất một"),
    (lambda s: s + FIVE + '"Hài lòng" = ["Không hài lòng", "Rất không hài lòng"]\n'
     '"Không hài lòng" = ["Hài lòng", "Bình thường"]\n', "rating.official", "thứ tự"),
    (lambda s: s + FIVE + '"Tạm hài lòng" = ["Hài lòng"]\n', "rating.official", "Tạm hài lòng"),
    (lambda s: s + '\n[rating]\nreason_required = "có"\n', "rating.reason_required", "bool"),
    (lambda s: s.replace('[center]', '[center]\ntimezone = "Asia/Hanoi_City"'), "center.timezone", "Hanoi_City"),
    (lambda s: s.replace('department = "SGTVT"', 'department = "SXX"'), "officers[2].department", "SXX"),
    (lambda s: s.replace('"van-tai"]', '"lai-xe"]').replace('["lai-xe", "lai-xe"]', '["lai-xe"]'),
     "counters", "van-tai"),
])
def test_mistakes_name_the_key(tmp_path, change, key, words):
    path = write(tmp_path, change(SMALL))
    with pytest.raises(CenterConfigError) as info:
        load_center(path)
    assert info.value.key == key
    assert words in info.value.problem
    assert str(path) in str(info.value)


def test_broken_toml_and_missing_file(tmp_path):
    with pytest.raises(CenterConfigError, match="TOML"):
        load_center(write(tmp_path, "[center\nname = 1"))
    with pytest.raises(CenterConfigError, match="không tìm thấy"):
        load_center(tmp_path / "none.toml")


def test_bad_file_stops_start_up_with_the_message(tmp_path):
    path = write(tmp_path, SMALL.replace('prefix = "B"', 'prefix = "A"'))
    result = subprocess.run([sys.executable, "run.py"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            check=False,
                            env={"HANGDOI_CENTER": str(path), "HANGDOI_DATABASE": str(tmp_path / "x.db"),
                                 "HANGDOI_ASYNC_MODE": "threading", "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert f"{path}: [departments[0].services[1].prefix]" in result.stderr
    assert "Traceback" not in result.stderr


def test_official_mapping_of_a_five_level_scale(tmp_path):
    center = load_center(write(tmp_path, SMALL + FIVE + '"Hài lòng" = ["Hài lòng", "Bình thường"]\n'
                               '"Không hài lòng" = ["Không hài lòng", "Rất không hài lòng"]\n'))
    scale = center.rating
    assert scale.official == (0, 1, 1, 2, 2) and scale.has_official_table
    assert [scale.is_dissatisfied(level) for level in range(1, 6)] == [False, False, False, True, True]
    assert center_to_raw(center)["rating"]["official"]["Hài lòng"] == ["Hài lòng", "Bình thường"]
    assert load_center(write(tmp_path, SMALL + "\n[rating]\nscale = 5\n")).rating.official is None
    assert load_center(write(tmp_path, SMALL)).rating.official == (0, 1, 2)  # three levels: their own mapping
