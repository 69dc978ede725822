"""The refusal every part of the core raises: a code and a Vietnamese message a screen shows as it is."""

from __future__ import annotations


class QueueRefused(Exception):
    """An action the rules do not allow; `message` is Vietnamese, for the screen."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message
