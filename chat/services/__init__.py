"""Chat writes, one module per domain noun: channels, memberships, messages."""
