"""Every text people type is kept in Unicode's composed form (NFC), whichever way their keyboard wrote it.

Vietnamese letters can arrive composed ("ễ", one code point) or decomposed ("e" + circumflex + tilde): a macOS
file name, Unikey set to "Unicode tổ hợp" and text pasted from a PDF give the second. Both look the same on screen
but compare different, so a decomposed "Nguyễn Thị Ánh Tuyết" (23 code points for its 17 letters) would match no
search, no Excel look-up and no sign-in typed the usual way. The two forms are canonically equivalent (Unicode
Standard Annex #15): turning one into the other changes no letter, only its encoding.

`composed` is applied where text enters the core: the center file and stored versions (center.CenterReader), every
JSON body and Socket.IO payload (web/edge.py), the command line's usernames and passwords (accounts.Accounts).
Rows stored before it are rewritten once by the migration server/core/schema/m014_composed_names.py.
"""

from __future__ import annotations

import unicodedata


def composed_text(text: str) -> str:
    """One string in NFC (ASCII, and text already composed, are returned as they are)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def composed(value):
    """A JSON-like value (dicts, lists, strings, numbers, dates from TOML) with every string, keys included, in
    NFC; anything that is not a string is kept as it is."""
    if isinstance(value, str):
        return composed_text(value)
    if isinstance(value, dict):
        return {composed(key): composed(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [composed(inner) for inner in value]
    if isinstance(value, tuple):
        return tuple(composed(inner) for inner in value)
    return value
