"""What a citizen's phone shows of a ticket: the same answer over HTTP (`GET /api/tickets/<token>`) and Socket.IO
(`follow_ticket`), so the page never depends on which one it asked."""

from __future__ import annotations

from .queue import Queue
from .ratings import Ratings
from .ticket_print import ticket_lines


def ticket_for_phone(queue: Queue, ratings: Ratings, token) -> dict:
    """The ticket's status (place in the queue, or its counter once called), its printed lines, its rating (None
    while not rated) and `can_rate`: whether the phone may rate it now (the core's rule, Ratings.phone_refusal).
    Refuses an unknown token (`unknown_ticket`)."""
    ticket = queue.ticket_status(token)
    ticket["print"] = ticket_lines(queue.center, ticket)
    ticket["rating"] = ratings.rating_of(token)
    ticket["can_rate"] = ratings.can_rate_by_phone(ticket, rated=ticket["rating"] is not None)
    return ticket
