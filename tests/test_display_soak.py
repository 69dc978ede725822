"""Lobby screens run for weeks: through thousands of queue events the lobby and counter displays keep their JS heap,
DOM nodes, listeners and voice queue bounded. The same harness drives 50,000 events in bench/bench_display_soak.py
(figures in BENCHMARKS.md); here 5,000, to stay within a CI run (about 35 s on two cores)."""

from __future__ import annotations

import pytest

from bench.bench_display_soak import (
    HEAP_GROWTH_LIMIT,
    LISTENER_SLACK,
    NODE_SLACK,
    VOICE_LOG_LIMIT,
    VOICE_QUEUE_LIMIT,
    soak,
)

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.slow, pytest.mark.timeout(300)]

CI_EVENTS = 5_000


def test_displays_stay_bounded_through_5000_queue_events(live_server, browser):
    result = soak(live_server, browser, CI_EVENTS)
    print(f"\n{result['events']} events in {result['seconds']:.1f} s; before {result['before']}; after"
          f" {result['after']}; voice {result['voice']}, queue at most {result['max_queued']}")

    assert result["events"] >= CI_EVENTS
    for name in ("lobby", "counter"):
        before, after = result["before"][name], result["after"][name]
        assert after["heap_used"] - before["heap_used"] < HEAP_GROWTH_LIMIT, name
        assert after["nodes"] <= before["nodes"] + NODE_SLACK, name
        assert after["listeners"] <= before["listeners"] + LISTENER_SLACK, name
        assert after["documents"] == before["documents"], name
    voice = result["voice"]
    assert result["max_queued"] <= VOICE_QUEUE_LIMIT and voice["queued"] <= VOICE_QUEUE_LIMIT
    assert voice["played"] <= VOICE_LOG_LIMIT
    assert voice["count"] > 0   # the lobby kept speaking while the calls came faster than it could
    assert voice["dropped"] > 0 and voice["merged"] > 0
