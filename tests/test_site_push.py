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


# ----- the pusher ------------------------------------------------------------------------------------------------


def test_the_back_off_doubles_up_to_its_cap_with_jitter():
    from types import SimpleNamespace

    from server.settings import Settings
    from server.web.hub_push import HubPusher
    pusher = HubPusher(SimpleNamespace(settings=Settings(hub_max_backoff_seconds=60)))
    waits = []
    for failures in range(1, 12):
        pusher.failures = failures
        waits.append(pusher.backoff())
    expected = [min(60, 2 ** (n - 1)) for n in range(1, 12)]
    assert all(0.8 * e <= w <= 1.2 * e for w, e in zip(waits, expected)), waits
    assert max(waits) <= 72


def test_hub_settings_come_from_the_environment(tmp_path):
    from server.settings import Settings
    settings = Settings.from_environment({"HANGDOI_HUB_URL": "https://hub.example.vn/", "HANGDOI_HUB_TOKEN_FILE":
                                          str(tmp_path / "t"), "HANGDOI_HUB_PUSH_SECONDS": "2"})
    assert (settings.hub_url, settings.hub_token_file, settings.hub_push_seconds, settings.hub_batch_events) == (
        "https://hub.example.vn", tmp_path / "t", 2, 500)
    with pytest.raises(SystemExit, match="HANGDOI_HUB_BATCH_EVENTS"):
        Settings.from_environment({"HANGDOI_HUB_BATCH_EVENTS": "0"})


@pytest.mark.live
def test_a_site_whose_hub_is_unreachable_keeps_working(tmp_path):
    import time

    import requests

    from tests.hub_live import site_center
    from tests.live import LiveServer, free_port
    token = tmp_path / "token"
    token.write_text("hdh_not-checked-by-anyone")
    server = LiveServer(tmp_path / "site.db", center=site_center(tmp_path, "LSN-X001"), env={
        "HANGDOI_HUB_URL": f"http://127.0.0.1:{free_port()}", "HANGDOI_HUB_TOKEN_FILE": str(token),
        "HANGDOI_HUB_MAX_BACKOFF_SECONDS": "1", "HANGDOI_IGNORE_OPENING_HOURS": "1"})
    server.start()
    try:
        for _ in range(5):
            answer = requests.post(server.url + "/api/tickets", json={"service_code": "ly-lich"}, timeout=5)
            assert answer.status_code in (200, 201), answer.text
        deadline = time.monotonic() + 20
        while "hub unreachable" not in server.log_path.read_text(errors="replace"):
            assert time.monotonic() < deadline, "the pusher never tried"
            time.sleep(0.2)
        health = requests.get(server.url + "/healthz", timeout=5).json()
        assert health["ok"] is True  # the center is healthy; its delivery is not
        assert health["hub"]["last_outcome"].startswith("unreachable") and health["hub"]["failures_in_a_row"] >= 1
        assert requests.get(server.url + "/api/queue", timeout=5).status_code == 200
    finally:
        server.stop()
