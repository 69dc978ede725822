"""Booking codes: eight digits a citizen reads aloud at the counter or types on the kiosk's keypad.

Digits only (Vietnamese letter names are easy to mishear: "bê", "pê", "đê"), shown in two groups of four
("4821 0736"). The last digit is a Damm check digit, which catches every single wrong digit and every swap of two
neighbouring digits: a mistyped code is told "check the code" at once instead of checking in someone else.
"""

from __future__ import annotations

import secrets

CODE_DIGITS = 8
# The Damm algorithm's quasigroup of order 10 (a totally anti-symmetric one: H. M. Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2), (7, 0, 9, 2, 1, 5, 4, 8, 6, 3), (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6), (6, 1, 2, 3, 0, 4, 5, 9, 7, 8), (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4), (8, 9, 4, 5, 3, 6, 2, 0, 1, 7), (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> int:
    """The check digit that makes `digits` + it valid."""
    interim = 0
    for d in digits:
        interim = _DAMM[interim][int(d)]
    return interim


def new_code() -> str:
    """A random code: seven random digits and their check digit."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(CODE_DIGITS - 1))
    return body + str(damm_digit(body))


def normalized(text) -> str | None:
    """The code a citizen typed (spaces, dashes and dots ignored), or None when it is not eight digits whose check
    digit agrees."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    digits = "".join(ch for ch in text if ch not in " -.\u00a0")
    if len(digits) != CODE_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits if damm_digit(digits) == 0 else None


def shown(code: str) -> str:
    """How a code is printed and read aloud: two groups of four."""
    return f"{code[:4]} {code[4:]}"
