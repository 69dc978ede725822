"""The provincial overview: every site now — its last contact, who waits and for how long, its open feedback items —
with the sites that stopped reporting first (docs/HUB.md, Overview).

"Now" is what the hub knows: a site pushes its facts every few seconds while its link is up, so the waiting
tickets are those the site had sent by its last contact. No Flask here (reports_web.py serves it).
"""

from __future__ import annotations

import time

from .reports import HUB_TIMEZONE, LEVEL_NAMES, LEVELS, hub_today

# A site with no contact for longer than this has stopped reporting: it pushes every 5 s while it runs and its
# link is up (the site pusher's interval), so 15 minutes is a link or a server down, not a quiet hour.
STOPPED_REPORTING_SECONDS = 15 * 60


def overview(conn, district: str | None = None, now: float | None = None) -> dict:
    """Every site (of one district, or all) as the overview shows it; those that stopped reporting first
    (longest silence first), then the others by level, district and code."""
    now = int(now if now is not None else time.time())
    today = hub_today(now).isoformat()
    rows = conn.execute(
        "SELECT s.code, coalesce(s.name, s.code), s.level, s.district, s.state, s.last_contact_at,"
        " coalesce(w.waiting, 0), w.oldest, coalesce(f.open, 0), coalesce(t.issued, 0), coalesce(t.served, 0)"
        " FROM hub_sites s"
        " LEFT JOIN LATERAL (SELECT count(*) AS waiting, min(issued_at) AS oldest FROM site_tickets"
        "  WHERE site_id = s.id AND local_date = %(today)s AND state = 'waiting') w ON true"
        " LEFT JOIN LATERAL (SELECT count(*) AS open FROM site_feedback_items"
        "  WHERE site_id = s.id AND state <> 'done') f ON true"
        " LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE transferred_from IS NULL) AS issued,"
        "  count(*) FILTER (WHERE state = 'done') AS served FROM site_tickets"
        "  WHERE site_id = s.id AND local_date = %(today)s) t ON true"
        " WHERE (%(district)s::text IS NULL OR s.district = %(district)s)",
        {"today": today, "district": district}).fetchall()
    sites = []
    for code, name, level, site_district, state, contact, waiting, oldest, open_items, issued, served in rows:
        silent = None if contact is None else now - contact
        sites.append({
            "code": code, "name": name, "level": level, "level_name": LEVEL_NAMES.get(level, ""),
            "district": site_district, "state": state, "last_contact_at": contact, "silent_seconds": silent,
            "stopped": state == "active" and (silent is None or silent > STOPPED_REPORTING_SECONDS),
            "waiting_now": waiting, "longest_wait_seconds": max(0, now - oldest) if oldest is not None else None,
            "open_feedback": open_items, "issued_today": issued, "served_today": served,
        })
    sites.sort(key=_order)
    return {"now": now, "today": today, "timezone": str(HUB_TIMEZONE),
            "stopped_after_seconds": STOPPED_REPORTING_SECONDS, "district": district, "sites": sites,
            "totals": {"sites": len(sites), "stopped": sum(s["stopped"] for s in sites),
                       "waiting_now": sum(s["waiting_now"] for s in sites),
                       "open_feedback": sum(s["open_feedback"] for s in sites),
                       "issued_today": sum(s["issued_today"] for s in sites),
                       "served_today": sum(s["served_today"] for s in sites)}}


def _order(site: dict):
    """Stopped sites first, the longest silent (never heard from) at the top; then by level, district, code."""
    if site["stopped"]:
        silence = site["silent_seconds"]
        return (0, -(silence if silence is not None else float("inf")), site["code"])
    level = LEVELS.index(site["level"]) if site["level"] in LEVELS else len(LEVELS)
    return (1, level, site["district"] or "", site["code"])
