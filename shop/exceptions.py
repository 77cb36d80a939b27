"""Typed shop errors: services raise them, views turn them into form errors or 403s."""

from __future__ import annotations


class ShopError(Exception):
    """A refused shop action; ``str(error)`` is a sentence for the person who asked."""

    code = "refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadTransition(ShopError):
    code = "bad_transition"


class NotAllowed(ShopError):
    code = "not_allowed"


class StaffError(ShopError):
    code = "staff"
