"""BENCHMARKS.md: each benchmark script owns one section, between `<!-- <name>:start -->` and
`<!-- <name>:end -->`, and replaces it when it runs; text outside the sections is left as it is."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = ("# Benchmarks\n\nMeasured by the scripts in bench/ (how to run them: bench/README.md). Each script"
          " replaces its own section below when it runs.\n")


def record(name: str, section_body: str):
    """Replace the section `name` of BENCHMARKS.md (read just before writing), or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{section_body.rstrip()}\n{end}"
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else HEADER
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
