"""Screenshots the browser tests save as they run, as evidence of what each screen showed at its real size:
test-results/screenshots/<name>.png (test-results/ is not in git; CI keeps it with the run)."""

from __future__ import annotations

from tests.live import ROOT

SCREENSHOTS = ROOT / "test-results" / "screenshots"


def save_screenshot(page, name: str):
    """The visible viewport only, as a person in front of the screen sees it (no scrolling stitched in)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
