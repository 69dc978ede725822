"""HTTP clients that send the CSRF token the way the screens' JavaScript does (shared_ui/http.js): read the
readable `hangdoi_csrf` cookie, fetching /api/session first when there is none, and repeat it in a header."""

from __future__ import annotations

import requests
from flask.testing import FlaskClient

HEADER, COOKIE = "X-CSRF-Token", "hangdoi_csrf"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


class CsrfFlaskClient(FlaskClient):
    """Flask's test client behaving like a signed-in screen."""

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if method in UNSAFE and not kwargs.pop("without_csrf", False):
            if self.get_cookie(COOKIE) is None:
                super().open("/api/session")
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault(HEADER, self.get_cookie(COOKIE).value)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


class CsrfSession(requests.Session):
    """A requests session behaving like a signed-in screen, for tests against the live server."""

    def request(self, method, url, *args, **kwargs):
        if method.upper() in UNSAFE and "/api/" in url:
            if COOKIE not in self.cookies:
                super().request("GET", url.split("/api/")[0] + "/api/session", timeout=10)
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault(HEADER, self.cookies.get(COOKIE))
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)


def browser_token(context, url: str) -> dict:
    """The header a Playwright context's page would send (its cookies come from the browser)."""
    context.request.get(f"{url}/api/session")
    token = next(c["value"] for c in context.cookies() if c["name"] == COOKIE)
    return {HEADER: token}
