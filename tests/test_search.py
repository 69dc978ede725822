"""The kiosk's search (server/core/search.py): what a citizen types finds the services they mean, whatever the
tone marks, case and spaces, by procedure names and keywords as well as service and department names."""

from __future__ import annotations

import pytest

from server.core.center import CenterConfigError, center_from_raw, center_to_raw, load_center
from server.core.search import SearchIndex, fold
from server.settings import DEMO_CENTER
from tests.live import SMALL_CENTER


@pytest.fixture(scope="module")
def demo():
    return SearchIndex(load_center(DEMO_CENTER))


def first(index, query):
    hits = index.search(query)
    assert hits, f"{query!r} finds nothing"
    return hits[0]


@pytest.mark.parametrize("text, folded", [
    ("Hộ tịch", "ho tich"), ("ĐẤT ĐAI", "dat dai"), ("Cấp lại thẻ Căn cước", "cap lai the can cuoc"),
    ("Lý lịch  tư-pháp", "ly lich tu phap"), ("Giấy phép lái xe (GPLX)", "giay phep lai xe gplx"),
    ("Hộ tịch", "ho tich"),  # decomposed: "o" + combining marks
    ("", ""), ("—!?", ""),
])
def test_fold_drops_tone_marks_case_and_punctuation(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("query, service", [
    ("ho tich", "ho-tich-quoc-tich"), ("hotich", "ho-tich-quoc-tich"), ("HỘ TỊCH", "ho-tich-quoc-tich"),
    ("khai sinh", "ho-tich-quoc-tich"), ("khaisinh", "ho-tich-quoc-tich"), ("Đăng ký kết hôn", "ho-tich-quoc-tich"),
    ("GPLX", "giay-phep-lai-xe"), ("gplx", "giay-phep-lai-xe"), ("bang lai", "giay-phep-lai-xe"),
    ("cấp lại CCCD", "can-cuoc-cu-tru"), ("cap lai cccd", "can-cuoc-cu-tru"), ("can cuoc", "can-cuoc-cu-tru"),
    ("dat dai", "dat-dai"), ("so do", "dat-dai"), ("ly lich", "ly-lich-tu-phap"), ("LLTP", "ly-lich-tu-phap"),
    ("thanh lap cong ty", "dang-ky-doanh-nghiep"), ("giay phep xay dung", "xay-dung"),
    ("so tu phap", "ly-lich-tu-phap"),  # a department finds its first service first
])
def test_what_citizens_type_finds_the_right_service_first(demo, query, service):
    assert first(demo, query).service_code == service


def test_a_procedure_that_matched_is_shown_with_its_service(demo):
    hit = first(demo, "khai sinh")
    assert hit.procedure in ("Đăng ký khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài")
    view = hit.view(demo.center)
    assert view["service_name"] == "Hộ tịch, quốc tịch" and view["department_name"] == "Sở Tư pháp"
    assert first(demo, "cap lai cccd").procedure == "Cấp lại thẻ Căn cước"
    assert first(demo, "GPLX").procedure is None  # found by its keyword: no procedure says "GPLX"


def test_every_word_must_be_found(demo):
    assert [h.service_code for h in demo.search("khai sinh xyzw")] == []
    # "cấp lại" alone is in many services; with CCCD only the one whose context knows CCCD
    assert len(demo.search("cap lai")) > 3
    assert [h.service_code for h in demo.search("cap lai cccd")] == ["can-cuoc-cu-tru"]


def test_words_begin_where_a_word_begins(demo):
    # "ich" is inside "tịch" and "thích" but begins no word of any text of the demo
    assert demo.search("ich") == []
    assert demo.search("oc tich") == []  # "quốc tịch" — "oc" is inside "quốc"


def test_one_result_per_service_and_the_limit(demo):
    hits = demo.search("cap")
    assert len({h.service_code for h in hits}) == len(hits)
    assert len(hits) == 12
    assert len(demo.search("cap", limit=30)) > 12


@pytest.mark.parametrize("query", ["", "   ", "?!", "-"])
def test_nothing_typed_finds_nothing(demo, query):
    assert demo.search(query) == []


def test_procedures_and_keywords_come_from_the_center_file_and_back(tmp_path):
    text = SMALL_CENTER.read_text(encoding="utf-8").replace(
        '{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3 },',
        '{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3,'
        ' procedures = ["Đăng ký khai sinh", "Đăng ký kết hôn"], keywords = ["hotich"] },')
    path = tmp_path / "center.toml"
    path.write_text(text, encoding="utf-8")
    center = load_center(path)
    service = center.services["ho-tich"]
    assert service.procedures == ("Đăng ký khai sinh", "Đăng ký kết hôn") and service.keywords == ("hotich",)
    assert center_from_raw(center_to_raw(center), "lại") == center
    assert first(SearchIndex(center), "khai sinh").service_code == "ho-tich"
    assert first(SearchIndex(center), "ket hon").procedure == "Đăng ký kết hôn"


@pytest.mark.parametrize("procedures, words", [
    ('["Đăng ký khai sinh", "Đăng ký khai sinh"]', "bị trùng"),
    ('["   "]', "từ 1 đến 300"),
    ('["' + "x" * 301 + '"]', "từ 1 đến 300"),
    ('"Đăng ký khai sinh"', "list"),
    ('[1, 2]', "chuỗi"),
])
def test_bad_procedures_name_the_key(tmp_path, procedures, words):
    text = SMALL_CENTER.read_text(encoding="utf-8").replace(
        '{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3 },',
        f'{{ code = "ho-tich", name = "Hộ tịch", prefix = "B", daily_cap = 3, procedures = {procedures} }},')
    path = tmp_path / "center.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CenterConfigError) as info:
        load_center(path)
    assert info.value.key == "departments[0].services[1].procedures"
    assert words in info.value.problem


def test_demo_center_names_at_least_ten_procedures_for_every_service():
    center = load_center(DEMO_CENTER)
    counts = {code: len(service.procedures) for code, service in center.services.items()}
    assert min(counts.values()) >= 10, counts
    names = [p for s in center.services.values() for p in s.procedures]
    assert len(set(names)) == len(names)  # no procedure under two services


def test_an_admin_save_of_the_departments_keeps_each_service_s_procedures(store):
    """The admin's form has no column for procedures: a service sent without them keeps its own; a service removed
    takes its procedures with it."""
    from server.core.center_versions import change_section

    center = load_center(DEMO_CENTER)
    departments = center_to_raw(center)["departments"]
    for department in departments:
        for service in department["services"]:
            service.pop("procedures", None)
            service.pop("keywords", None)
    departments[0]["services"][0]["name"] = "Báo chí, xuất bản"
    saved = change_section(store, center, "departments", departments, "admin", 1_780_000_000)
    assert saved.services["bao-chi-xuat-ban"].name == "Báo chí, xuất bản"
    assert {code: s.procedures for code, s in saved.services.items()} == \
        {code: s.procedures for code, s in center.services.items()}
    assert saved.services["giay-phep-lai-xe"].keywords == center.services["giay-phep-lai-xe"].keywords


def test_the_benchmark_center_holds_1400_procedures_and_finds_as_the_demo_does():
    from tests.live import ROOT

    center = load_center(ROOT / "bench" / "centers" / "search_1400.toml")
    assert sum(len(s.procedures) for s in center.services.values()) == 1400
    index = SearchIndex(center)
    assert first(index, "cap lai cccd").service_code == "can-cuoc-cu-tru"
    assert first(index, "khai sinh").service_code == "ho-tich-quoc-tich"
