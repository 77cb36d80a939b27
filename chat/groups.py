"""Channel-layer group names, in one place."""

from __future__ import annotations


def channel_group(channel_id: int) -> str:
    return f"chan.{channel_id}"


def inbox_group(user_id: int) -> str:
    return f"inbox.{user_id}"
