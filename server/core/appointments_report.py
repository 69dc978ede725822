"""The appointment figures of a report (docs/REPORTS.md, "Appointments"): bookings of the period's days and what
became of them, the no-show rate and the share called within 10 minutes of the slot; remote numbers likewise.
Counts only, read from the `appointments` table joined to the tickets (never a name or phone number); the report
(server/core/reports.py) turns them into percentages with its own rounding."""

from __future__ import annotations

import datetime as dt
import sqlite3

CALLED_WITHIN_SECONDS = 600  # "called within 10 minutes of the slot"


def appointment_counts(conn: sqlite3.Connection, first: dt.date, last: dt.date) -> dict:
    """Counts over bookings and remote numbers whose day is in [first, last]."""
    row = conn.execute(
        "SELECT"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state != 'cancelled'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'cancelled'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'checked_in'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'late'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'no_show'),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'checked_in' AND t.first_called_at IS NOT NULL),"
        " count(*) FILTER (WHERE a.kind = 'booking' AND a.state = 'checked_in'"
        "                  AND t.first_called_at <= a.slot_at + ?),"
        " count(*) FILTER (WHERE a.kind = 'remote' AND a.state != 'cancelled'),"
        " count(*) FILTER (WHERE a.kind = 'remote' AND a.state = 'checked_in'),"
        " count(*) FILTER (WHERE a.kind = 'remote' AND a.state = 'no_show')"
        " FROM appointments a LEFT JOIN tickets t ON t.id = a.ticket_id WHERE a.local_date BETWEEN ? AND ?",
        (CALLED_WITHIN_SECONDS, first.isoformat(), last.isoformat())).fetchone()
    (booked, cancelled, on_time, late, no_show, called, called_within, remote, remote_in, remote_no_show) = row
    return {"booked": booked, "cancelled": cancelled, "checked_in": on_time, "late": late, "no_show": no_show,
            "decided": on_time + late + no_show, "called": called, "called_within_10": called_within,
            "remote": remote, "remote_checked_in": remote_in, "remote_no_show": remote_no_show}
