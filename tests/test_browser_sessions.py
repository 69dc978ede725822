"""The counter console in Debian's chromium when its session is ended elsewhere: the next action brings back the
sign-in form with the reason, in Vietnamese, and so does a reload."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.live import ROOT
from tests.test_browser_console import button, desk, expect, issue, server, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_the_console_shows_why_its_session_ended(server, desk):
    issue(server)
    sign_in(desk, server)
    subprocess.run([sys.executable, "-m", "server", "passwd", "an"], input="mat-khau-moi\n", text=True, check=True,
                   cwd=ROOT, capture_output=True, env={**os.environ, "HANGDOI_CENTER": str(server.center),
                                                       "HANGDOI_DATABASE": str(server.database)})
    button(desk, "call_next").click()
    expect(desk.locator("body")).to_have_attribute("data-view", "signin")
    expect(desk.locator("#signin-error")).to_contain_text("Mật khẩu của tài khoản đã được đặt lại")
    desk.reload()
    expect(desk.locator("#signin-error")).to_contain_text("Mật khẩu của tài khoản đã được đặt lại")
