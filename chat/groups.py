"""Channel-layer group names, in one place."""

from __future__ import annotations


def channel_group(channel_id: int) -> str:
    return f"chan.{channel_id}"


def inbox_group(user_id: int) -> str:
    return f"inbox.{user_id}"


# Every process with an inbox socket listens here: one event per busy channel carries the
# unread counts of all its members, and each process passes on those of its own sockets.
INBOXES = "inboxes"
