"""axe-core (npm, served by the server at /vendor/axe.min.js) run over a page in chromium, and the record of results.

    violations = audit(page, "kiosk: trang đầu", allowed={"meta-viewport"})

runs the WCAG 2.0/2.1/2.2 A and AA rules over the page as it is drawn, writes the result to
test-results/a11y/<name>.json and the table of every result so far to test-results/a11y/axe.md (what the closing
note of the accessibility work quotes), and returns the violations that are not allowed on that screen.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "test-results" / "a11y"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# The one finding a kiosk and a tablet keep on purpose: maximum-scale=1, user-scalable=no in the viewport, so a
# citizen's pinch or double tap cannot leave the shared screen zoomed for the next one. The large-text mode
# (shared_ui/access.js) is what these screens offer instead (docs/OPERATIONS.md, Accessibility).
ZOOM_LOCK = {"meta-viewport"}

_RUN = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((r) => ({
    violations: r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary}))})),
    passes: r.passes.length, incomplete: r.incomplete.length, version: r.testEngine.version,
  }))"""


def audit(page, name: str, allowed: set[str] = frozenset(), record: bool = True) -> list[dict]:
    """axe over the page now; the violations other than `allowed` (rule ids), recorded under `name` (unless
    `record` is false: the checker's own test)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url="/vendor/axe.min.js")
    result = page.evaluate(_RUN, WCAG_TAGS)
    viewport = page.viewport_size or {}
    path = "/" + page.url.split("//", 1)[-1].split("/", 1)[-1]
    record_of = {"screen": name, "url": re.sub(r"(/t|/hen|print)/[^/?]+", r"\1/<token>", path),
                 "viewport": f"{viewport.get('width')}×{viewport.get('height')}", "axe": result["version"],
                 "violations": result["violations"], "allowed": sorted(allowed),
                 "passes": result["passes"], "incomplete": result["incomplete"]}
    if record:
        save(name, record_of)
    return [v for v in result["violations"] if v["id"] not in allowed]


def save(name: str, record: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    folded = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(c for c in folded if not unicodedata.combining(c))).strip("-")
    partial = RESULTS / f".{slug}.json.{os.getpid()}"
    partial.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, RESULTS / f"{slug}.json")
    write_table()


def write_table() -> Path:
    """test-results/a11y/axe.md: one row per recorded screen (every JSON file there, whichever run wrote it)."""
    rows = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))]
    lines = ["# axe-core over every screen", "",
             f"Rules: {', '.join(WCAG_TAGS)}. Allowed: meta-viewport (the zoom lock) on the kiosk and the tablet.", "",
             "| screen | page | viewport | violations | allowed findings | rules passed | to check by hand |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        found = [v["id"] for v in r["violations"]]
        bad = [i for i in found if i not in r["allowed"]]
        kept = [i for i in found if i in r["allowed"]]
        count = f"{len(bad)} ({', '.join(bad)})" if bad else "0"
        lines.append(f"| {r['screen']} | {r['url']} | {r['viewport']} | {count} | {', '.join(kept) or '–'}"
                     f" | {r['passes']} | {r['incomplete']} |")
    path = RESULTS / "axe.md"
    partial = RESULTS / f".axe.md.{os.getpid()}"  # xdist workers write it too: each replaces it whole
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def explain(violations: list[dict]) -> str:
    """The violations as text for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    " +
                     "\n    ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"][:5]) for v in violations)
