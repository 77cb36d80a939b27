"""The search index: one row per (token, message). Maintained by chat.search.index."""

from __future__ import annotations

from django.db import models


class Posting(models.Model):
    """``token`` occurs in message ``message_id`` of channel ``channel_id``.

    The table is created by hand in migration 0001 (see there): the primary key
    (token, message_id) is the clustered key on both databases (InnoDB; SQLite WITHOUT ROWID),
    so one token's postings are stored together in message order and carry their channel_id:
    a query walks them newest first and stops after a page. Tokens compare by code point
    (binary collation), which makes a prefix a key range.
    """

    pk = models.CompositePrimaryKey("token", "message_id")
    token = models.CharField(max_length=32)
    message_id = models.BigIntegerField()
    channel_id = models.BigIntegerField()

    class Meta:
        db_table = "chatsearch_posting"
        managed = True
        verbose_name = "search posting"
        verbose_name_plural = "search postings"

    def __str__(self) -> str:
        return f"{self.token} → {self.message_id}"
