"""Typed chat errors. ``code`` is what the websocket error frame and the API carry."""

from __future__ import annotations


class ChatError(Exception):
    code = "bad_request"

    def __init__(self, detail: str = "", *, code: str | None = None) -> None:
        super().__init__(detail or self.__class__.__doc__ or self.code)
        if code:
            self.code = code
        self.detail = detail or (self.__class__.__doc__ or self.code).strip()


class ChannelNotFound(ChatError):
    """No such channel."""

    code = "not_found"


class NotMember(ChatError):
    """You are not an active member of this channel."""

    code = "not_member"


class Archived(ChatError):
    """This channel is archived: it can be read but not written to."""

    code = "archived"


class Banned(ChatError):
    """You are banned from this channel."""

    code = "banned"


class BadMessage(ChatError):
    """The message is empty or malformed."""

    code = "bad_request"


class TooLong(ChatError):
    """The message is longer than 2000 characters."""

    code = "too_long"


class RateLimited(ChatError):
    """Too many messages: wait a few seconds."""

    code = "rate_limited"


class Forbidden(ChatError):
    """You are not allowed to do this."""

    code = "forbidden"


class BadState(ChatError):
    """This was already handled."""

    code = "bad_state"


class PinLimit(ChatError):
    """A channel can have at most 3 pinned notices: unpin one first."""

    code = "pin_limit"


class UserNotFound(ChatError):
    """No user with that username."""

    code = "user_not_found"


class InvitationInvalid(ChatError):
    """This invitation link does not exist."""

    code = "invitation_invalid"


class InvitationExpired(InvitationInvalid):
    """This invitation link has expired."""

    code = "invitation_expired"


class InvitationExhausted(InvitationInvalid):
    """This invitation link has been used as many times as allowed."""

    code = "invitation_exhausted"


class InvitationRevoked(InvitationInvalid):
    """This invitation link was cancelled by the person who made it."""

    code = "invitation_revoked"


class InvitationWrongUser(InvitationInvalid):
    """This invitation was made for another user."""

    code = "invitation_wrong_user"
