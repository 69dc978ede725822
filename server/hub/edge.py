"""Input checked once, at the hub's edge, before a view or PostgreSQL sees it (docs/HUB.md, "Input at the edge").

PostgreSQL's text and jsonb cannot hold the NUL character ("\\x00", in JSON "\\u0000"), UTF-8 cannot carry a lone
surrogate (JSON's "\\ud800"), and a bigint holds 64 bits: such a value used to fail deep inside a query, a 500.
`check_request` (before every request) refuses it in a query parameter, a path value or the JSON body of the
session, sites, accounts and reports routes: `400 bad_request` with a Vietnamese message, nothing done. Other
control characters are refused there too: no name, code or filter a person types holds one, and the reports'
Excel files cannot.

The site's rules are server/web/edge.py's; the hub keeps its own because they differ (SQLite holds a NUL, PostgreSQL
does not) and the hub never imports server.web. A site's batch is checked by ingest.py instead: its text is the
site's own record, which a refusal would not change (the site would send it again for ever), so NUL is removed
from what is stored and only what no site can hold is refused.
"""

from __future__ import annotations

import math
import re

from flask import request

from server.core.center import storable_text

from .auth import Refused

BAD_TEXT = "Dữ liệu có ký tự không hợp lệ."
TOO_DEEP = "Dữ liệu lồng nhau quá sâu."
BAD_NUMBER = "Dữ liệu có số quá lớn hoặc không hợp lệ."
# PostgreSQL's bigint, the widest integer column of the hub.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
# The deepest body the hub's own routes take is a batch: batch → rows → a row → a rating's reasons.
MAX_DEPTH = 16
# The ingest route checks its (large) body itself, in ingest.py.
BATCH_ENDPOINT = "hub_ingest.receive_batch"
# A JSON escape of a surrogate (\ud800-\udfff): only a body holding one can decode to a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


# Control characters (NUL among them) no name, code or filter holds; an Excel file cannot hold them either.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def storable(text: str) -> bool:
    """Text the hub takes from a person: no control character (NUL included), no lone surrogate."""
    return not _CONTROL.search(text) and storable_text(text)


def problem(value, nul_allowed: bool = False) -> str | None:
    """Why decoded JSON cannot be taken (a control character such as NUL — unless `nul_allowed`, for a site's
    records — or a lone surrogate in a string or key, a number beyond bigint or not finite, nesting deeper than
    MAX_DEPTH), or None."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not storable_text(item) or (not nul_allowed and _CONTROL.search(item)):
                return BAD_TEXT
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not BIGINT_MIN <= item <= BIGINT_MAX:
                return BAD_NUMBER
        elif isinstance(item, float):
            if not math.isfinite(item):
                return BAD_NUMBER
        elif isinstance(item, (list, dict)):
            if depth >= MAX_DEPTH:
                return TOO_DEEP
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
                item = item.values()
            stack.extend((inner, depth + 1) for inner in item)
    return None


def may_hold_lone_surrogate(body: bytes) -> bool:
    """Whether a raw JSON body escapes a surrogate (a pair is an emoji; only then is a walk worth its time)."""
    return bool(_SURROGATE_ESCAPE.search(body))


def check_request():
    """before_request: query parameters, path values and (except a site's batch) the JSON body hold nothing
    PostgreSQL cannot take; 400 bad_request otherwise."""
    texts = [*request.args.keys(), *request.args.values()]
    texts += [value for value in (request.view_args or {}).values() if isinstance(value, str)]
    if not all(storable(text) for text in texts):
        raise Refused("bad_request", BAD_TEXT)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    try:
        body = request.get_json(silent=True)  # parsed once: the view's get_json has it cached
    except RecursionError:  # nested past what Python's parser follows (~1,000 levels)
        raise Refused("bad_request", TOO_DEEP) from None
    if request.endpoint != BATCH_ENDPOINT:
        reason = problem(body)
        if reason:
            raise Refused("bad_request", reason)
