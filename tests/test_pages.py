"""The screens as plain files: every page answers HTML with the security headers; vendor files are allow-listed."""

from __future__ import annotations

import re

import pytest

from server import SECURITY_HEADERS


def issue(client) -> dict:
    response = client.post("/api/tickets", json={"service_code": "ly-lich"})
    assert response.status_code == 201
    return response.get_json()


def get(client, path, follow_redirects=False):
    """A response read in full and closed: file responses otherwise leave their file open (ResourceWarning)."""
    response = client.get(path, follow_redirects=follow_redirects)
    response.get_data()
    response.close()
    return response


def assert_secure(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize("path", ["/", "/kiosk", "/kiosk?kiosk=K1", "/t/{token}", "/kiosk/print/{token}",
                                  "/t/unknown-token"])
def test_screen_pages_are_html_with_security_headers(client, path):
    response = get(client, path.format(token=issue(client)["token"]))
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"  # a restarted server's new pages reach the kiosks
    assert_secure(response)
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html


def screen_routes(app):
    """Every page route of the pages blueprint, with sample arguments."""
    samples = {"token": "x", "number": "1"}
    for rule in app.url_map.iter_rules():
        last = rule.rule.rsplit("/", 1)[-1]
        if rule.endpoint.startswith("pages.") and "GET" in rule.methods and "." not in last \
                and not rule.rule.startswith(("/ui/", "/vendor/")):  # pages, not files (favicon.ico, clips)
            yield re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples[m.group(1)], rule.rule), rule.endpoint


def test_every_screen_route_answers_html_with_security_headers(app, client):
    routes = dict(screen_routes(app))
    assert {"/", "/kiosk", "/kiosk/print/x", "/t/x"} <= set(routes)
    answered = set()
    for path in routes:
        response = get(client, path, follow_redirects=True)  # /admin leads on to its first page
        assert_secure(response)  # even a 404 of a screen whose page is not written yet
        if response.status_code == 404:
            continue
        assert response.status_code == 200, path
        assert response.mimetype == "text/html", path
        answered.add(path)
    assert {"/", "/kiosk", "/kiosk/print/x", "/t/x", "/display", "/counter"} <= answered


@pytest.mark.parametrize("path", ["/", "/kiosk", "/t/x", "/kiosk/print/x"])
def test_pages_have_no_inline_code_or_styles_and_no_outside_links(client, path):
    """The CSP forbids inline scripts and styles; the lobby LAN has no internet."""
    html = get(client, path).get_data(as_text=True)
    assert "<style" not in html and " style=" not in html and "javascript:" not in html
    for script in re.findall(r"<script[^>]*>", html):
        assert re.search(r'src="/(ui|vendor)/', script), script
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []


def test_landing_page_lists_the_screens(client):
    html = get(client, "/").get_data(as_text=True)
    assert "Màn hình" in html
    for link in ("/kiosk", "/display", "/counter", "/tablet/1", "/admin"):
        assert f'href="{link}"' in html


@pytest.mark.parametrize("path, mimetype", [
    ("/ui/shared/base.css", "text/css"),
    ("/ui/shared/home.css", "text/css"),
    ("/ui/shared/home.js", "text/javascript"),
    ("/ui/kiosk/kiosk.js", "text/javascript"),
    ("/ui/kiosk/kiosk.css", "text/css"),
    ("/ui/kiosk/print.js", "text/javascript"),
    ("/ui/kiosk/print.css", "text/css"),
    ("/ui/ticket/ticket.js", "text/javascript"),
    ("/ui/ticket/ticket.css", "text/css"),
])
def test_screen_files_are_served(client, path, mimetype):
    response = get(client, path)
    assert response.status_code == 200 and response.mimetype == mimetype
    assert_secure(response)


def test_socket_io_client_is_served_as_javascript(client):
    response = get(client, "/vendor/socket.io.min.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert b"io" in response.data and len(response.data) > 10_000


@pytest.mark.parametrize("path", ["/vendor/be-vietnam-pro/vietnamese-400.css", "/vendor/be-vietnam-pro/latin-700.css",
                                  "/vendor/be-vietnam-pro/latin-ext-800.css"])
def test_font_css_is_served(client, path):
    response = get(client, path)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b"Be Vietnam Pro" in response.data


def test_every_font_file_base_css_imports_is_served(client):
    """base.css imports the font CSS by URL, and each of those names its woff2 file; all must resolve."""
    base = get(client, "/ui/shared/base.css").get_data(as_text=True)
    imports = re.findall(r'@import url\("([^"]+)"\)', base)
    assert len(imports) == 12
    for url in imports:
        css = get(client, url)
        assert css.status_code == 200, url
        woff2 = re.search(r"url\(\./(files/[^)]+\.woff2)\)", css.get_data(as_text=True)).group(1)
        font = get(client, url.rsplit("/", 1)[0] + "/" + woff2)
        assert font.status_code == 200 and font.data[:4] == b"wOF2", woff2


@pytest.mark.parametrize("path", ["/vendor/socket.io-client/package.json", "/vendor/chart.js/package.json",
                                  "/vendor/be-vietnam-pro/index.css", "/vendor/be-vietnam-pro/../../package.json",
                                  "/vendor/be-vietnam-pro/README.md", "/vendor/nothing.js"])
def test_unlisted_vendor_paths_are_404(client, path):
    response = get(client, path)
    assert response.status_code == 404
    assert "Về trang đầu" in response.get_data(as_text=True)  # the plain error page, never a stack trace


def test_unknown_screen_file_is_404(client):
    assert get(client, "/ui/nothing/x.js").status_code == 404
    assert get(client, "/ui/kiosk/missing.js").status_code == 404


def test_error_page_uses_the_shared_stylesheet(client):
    html = get(client, "/no-such-page").get_data(as_text=True)
    assert 'href=/ui/shared/base.css' in html and 'class=notice' in html
    assert ".notice" in get(client, "/ui/shared/base.css").get_data(as_text=True)
