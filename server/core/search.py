"""The kiosk's search: which services a citizen means by what they type.

A citizen types on a kiosk without tone marks and spaces where they please ("ho tich", "hotich", "khai sinh",
"GPLX", "cap lai cccd"); the center names services, departments and the thủ tục hành chính each service receives
(center file, `procedures` and `keywords`). Everything is compared folded: no tone marks, đ → d, lower case, one
space between words (`fold`), and once more with no spaces at all (`compact`), so spacing never matters.

The rule, for a query folded into words:
- an entry (a service's name, one of its procedures or keywords, or its department's name) matches when every
  query word begins at the start of a word of the entry's text or of its service's context (service name,
  department name, keywords), both taken without spaces, so a query word may run over several words: "hotich"
  and "ho tich" both match "Hộ tịch", but "oc" does not match inside "quốc"; a word found only in the
  context lets "cấp lại CCCD" reach "Cấp lại thẻ Căn cước" through its service's keyword "CCCD";
- a service is found when one of its entries matches, and ranks by its best entry (`_score`): the entry's own
  text beats its context, a keyword typed in full beats a partial one, a match at the start of a word beats one
  inside it, then service names before keywords, procedures and departments, then the shorter text.
The answer lists services (what a number is taken for), each with its best matching procedure, if any.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .center import Center

MAX_QUERY = 100  # characters: longer than any name worth typing on a kiosk
DEFAULT_LIMIT = 12  # results: more than a kiosk screen shows without scrolling
# Kinds of entry, in the order they rank when everything else is equal.
KIND_RANK = {"service": 0, "keyword": 1, "procedure": 2, "department": 3}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, no tone marks or other diacritics, đ → d, words separated by one space ("Hộ tịch" → "ho tich")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NOT_WORD.sub(" ", bare).strip()


@dataclass(frozen=True)
class Entry:
    """One text a service can be found by."""

    service_code: str
    kind: str  # a key of KIND_RANK
    text: str
    words: tuple[str, ...]  # the folded words of `text`
    joined: Compact  # the text without spaces
    context: Compact  # the service's name, department's name and keywords without spaces


class Compact:
    """A folded text without spaces, and where its words began: a query word must start at one of them."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str):
        words = fold(text).split()
        self.text = "".join(words)
        self.starts, at = set(), 0
        for word in words:
            self.starts.add(at)
            at += len(word)

    def has(self, word: str) -> bool:
        """Whether `word` occurs here beginning where a word began."""
        at = self.text.find(word)
        while at != -1:
            if at in self.starts:
                return True
            at = self.text.find(word, at + 1)
        return False


@dataclass(frozen=True)
class Hit:
    """A service found, with the entry that found it."""

    service_code: str
    department_code: str
    kind: str
    matched: str  # the text that matched best: the service's name, a procedure, a keyword or the department's name
    procedure: str | None  # the service's best procedure that matched by its own words, if any

    def view(self, center: Center) -> dict:
        service = center.services[self.service_code]
        department = center.department(self.department_code)
        return {"service_code": service.code, "service_name": service.name,
                "department_code": department.code, "department_name": department.name,
                "kind": self.kind, "matched": self.matched, "procedure": self.procedure}


class SearchIndex:
    """Every searchable text of a center, folded once (a center never changes: an edit makes a new one)."""

    def __init__(self, center: Center):
        self.center = center
        self.entries: list[Entry] = []
        for department in center.departments:
            for service in department.services:
                context = Compact(" ".join((service.name, department.name, *service.keywords)))
                texts = [("service", service.name), ("department", department.name),
                         *(("keyword", k) for k in service.keywords), *(("procedure", p) for p in service.procedures)]
                for kind, text in texts:
                    self.entries.append(Entry(service.code, kind, text, tuple(fold(text).split()), Compact(text),
                                              context))

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
        """The services `query` finds, best first (the module's rule); none for a query with no letter or digit."""
        words = fold(query).split()
        if not words:
            return []
        whole = "".join(words)
        best: dict[str, tuple[tuple, Entry]] = {}
        procedures: dict[str, tuple[tuple, Entry]] = {}  # the best procedure of each service, to show with it
        for entry in self.entries:
            score = _score(entry, words, whole)
            if score is None:
                continue
            if entry.service_code not in best or score < best[entry.service_code][0]:
                best[entry.service_code] = (score, entry)
            # a procedure found through its service's context alone says nothing the service's name does not
            if entry.kind == "procedure" and score[0] < 0 and (entry.service_code not in procedures
                                              or score < procedures[entry.service_code][0]):
                procedures[entry.service_code] = (score, entry)
        ranked = sorted(best.values(), key=lambda pair: pair[0])[:limit]
        return [Hit(entry.service_code, self.center.services[entry.service_code].department_code, entry.kind,
                    entry.text, procedures[entry.service_code][1].text if entry.service_code in procedures else None)
                for _, entry in ranked]


def _score(entry: Entry, words: list[str], whole: str) -> tuple | None:
    """How well an entry answers the query (smaller is better), or None when it does not match."""
    own = 0  # query words found in the entry's own text, not only in its context
    for word in words:
        if entry.joined.has(word):
            own += 1
        elif not entry.context.has(word):
            return None
    whole_words = sum(word in entry.words for word in words)  # "lai" typed for "lái", not the start of "lại…"
    exact = entry.joined.text == whole  # "GPLX" typed in full
    starts = entry.joined.text.startswith(whole)
    inside = entry.joined.has(whole)
    return (-own, not exact, not starts, not inside, -whole_words, KIND_RANK[entry.kind], len(entry.text))
