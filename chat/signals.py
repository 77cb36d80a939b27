"""Chat signals for other apps (the chat app depends on none of them).

``message_posted(sender=Message, message=…)``: sent once per new message, after its
transaction committed and after the channel's group was rung (so a receiver that posts a
reply is broadcast after the message it answers). A replayed ``client_id`` sends nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

message_posted = Signal()
