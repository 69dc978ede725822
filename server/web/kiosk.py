"""What the kiosk asks besides /api/center: the search as the citizen types, and which services can be taken now.

The search runs here, not in the browser, so that there is one matching rule (server/core/search.py, with its unit
tests) and the kiosk never downloads the center's ~1,400 procedure names: a keystroke is one small request on the
center's LAN (bench/bench_kiosk_search.py measures it in the browser against a bare request).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..core import guidance
from ..core.availability import service_availability
from ..core.search import MAX_QUERY, SearchIndex
from . import runtime
from .errors import BadRequest

bp = Blueprint("kiosk", __name__, url_prefix="/api")

# One index per configuration: built at the first search after a change (a Center is never edited in place).
_indexes: dict[int, SearchIndex] = {}


def search_index() -> SearchIndex:
    center = runtime().center
    index = _indexes.get(id(center))
    if index is None or index.center is not center:
        _indexes.clear()  # the previous configuration's index is never asked again
        index = _indexes[id(center)] = SearchIndex(center)
    return index


@bp.get("/search")
def search():
    """Tìm lĩnh vực: the services `q` finds, best first, each with its department and the procedure that matched."""
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY:
        raise BadRequest(f"Từ khóa tìm kiếm dài quá {MAX_QUERY} ký tự.")
    index = search_index()
    return jsonify(query=query, results=[hit.view(index.center) for hit in index.search(query)])


@bp.get("/services/availability")
def availability():
    """Which services a kiosk can give a number for right now, and why not for the others (docs/API.md)."""
    rt = runtime()
    return jsonify(services=service_availability(rt.queue))


@bp.get("/guidance/numbers")
def guidance_numbers():
    """The voice guidance's clips of the numbers 0..99, read as the lobby reads them: "chọn số 12" is mười hai."""
    return jsonify(numbers=guidance.number_table())
