"""The refusal of a tournée change, shared by the tournée services
(planning, dispatch, visit outcome) and shown by the views at the field."""

from __future__ import annotations


class TourneeError(Exception):
    """A change refused, with a message for the nurse (in French) and, when
    one form field is at fault, its name (the page shows the message there)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
