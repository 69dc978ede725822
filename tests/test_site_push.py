"""The site's side of the provincial hub: its identity ([site] in the center file, shown in /api/center)."""

from __future__ import annotations

import pytest

from server.core.center import CenterConfigError, center_from_raw, center_to_raw, load_center
from server.settings import DEMO_CENTER
from tests.conftest import app_over
from tests.live import SMALL_CENTER

DISTRICT_SITE = '[site]\ncode = "LSN-H01"\nname = "Bộ phận Một cửa huyện Tràng Định"\nlevel = "huyen"\n' \
                'district = "Huyện Tràng Định"\n'


def with_site(tmp_path, site_toml: str):
    path = tmp_path / "center.toml"
    path.write_text(SMALL_CENTER.read_text(encoding="utf-8") + "\n" + site_toml, encoding="utf-8")
    return path


def test_the_site_table_names_the_center_at_the_hub(tmp_path):
    site = load_center(with_site(tmp_path, DISTRICT_SITE)).site
    assert (site.code, site.name, site.level, site.district) == (
        "LSN-H01", "Bộ phận Một cửa huyện Tràng Định", "huyen", "Huyện Tràng Định")


def test_without_a_site_table_the_center_reports_to_no_hub():
    assert load_center(SMALL_CENTER).site is None


def test_the_site_name_defaults_to_the_center_name(tmp_path):
    center = load_center(with_site(tmp_path, '[site]\ncode = "LSN-TT"\nlevel = "tinh"\n'))
    assert center.site.name == center.name and center.site.district == ""


def test_the_demo_center_has_a_site():
    site = load_center(DEMO_CENTER).site
    assert site.level == "tinh" and site.code and "Quảng Ngãi" in site.name


def test_the_site_survives_an_admin_save():
    center = load_center(DEMO_CENTER)
    assert center_from_raw(center_to_raw(center), "phiên bản 2").site == center.site


@pytest.mark.parametrize(("site_toml", "key"), [
    ('[site]\nlevel = "tinh"\n', "site.code"),
    ('[site]\ncode = "LSN TT"\nlevel = "tinh"\n', "site.code"),
    ('[site]\ncode = "Lạng-Sơn"\nlevel = "tinh"\n', "site.code"),
    ('[site]\ncode = "LSN-TT"\n', "site.level"),
    ('[site]\ncode = "LSN-TT"\nlevel = "tỉnh"\n', "site.level"),
    ('[site]\ncode = "LSN-X001"\nlevel = "xa"\n', "site.district"),
    ('[site]\ncode = "LSN-X001"\nlevel = "xa"\ndistrict = "  "\n', "site.district"),
    ('[site]\ncode = "LSN-TT"\nlevel = "tinh"\nname = 5\n', "site.name"),
    ('site = "LSN-TT"\n', "site"),
])
def test_a_wrong_site_table_stops_start_up_naming_the_key(tmp_path, site_toml, key):
    text = SMALL_CENTER.read_text(encoding="utf-8")
    path = tmp_path / "center.toml"
    # a top-level key must come before the first table
    path.write_text(site_toml + "\n" + text if not site_toml.startswith("[") else text + "\n" + site_toml,
                    encoding="utf-8")
    with pytest.raises(CenterConfigError) as refused:
        load_center(path)
    assert f"[{key}]" in str(refused.value)


def test_api_center_shows_the_site(tmp_path):
    with app_over(tmp_path, DISTRICT_SITE) as app:
        site = app.test_client().get("/api/center").get_json()["site"]
    assert site == {"code": "LSN-H01", "name": "Bộ phận Một cửa huyện Tràng Định", "level": "huyen",
                    "district": "Huyện Tràng Định"}
    with app_over(tmp_path, name="nosite") as app:
        assert app.test_client().get("/api/center").get_json()["site"] is None
