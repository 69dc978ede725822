"""The scrypt cost of passwords hashed in the tests' own process.

In-process tests (the Flask app, the hub's app) hash at a low cost: the production cost (server/core/accounts.py,
~40 ms a hash on this machine) was a third of the quick loop's CPU (1,212 hashes, 56 s of 177 s) and proves nothing
there. Where the cost is the point (test_sign_in_throttle's upgrade of stored hashes) a test is marked
`production_hash_cost`; live servers run in their own processes at the production cost, and the passwords written
for them here (tests/officer.py store_password) are hashed at that cost too, as `python -m server passwd` would.
"""

from __future__ import annotations

from contextlib import contextmanager

from server.core import accounts

PRODUCTION = (accounts.SCRYPT, accounts.METHOD)
LOW = ({"n": 2**10, "r": 8, "p": 1}, "scrypt:1024:8:1")


def use(cost: tuple[dict, str]):
    accounts.SCRYPT, accounts.METHOD = cost


@contextmanager
def production_cost():
    saved = (accounts.SCRYPT, accounts.METHOD)
    use(PRODUCTION)
    try:
        yield
    finally:
        use(saved)
