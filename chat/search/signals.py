"""Keep the search index in step with saved messages (an index-maintenance side effect; the
message services stay unaware of search). Writes through ``QuerySet.update()`` bypass this:
the query re-checks ``deleted_at`` on every candidate and ``manage.py chat reindex`` repairs."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from chat.models import Message
from chat.search.index import index_message


@receiver(post_save, sender=Message, dispatch_uid="chatsearch_index_message")
def message_saved(sender, instance: Message, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: reindex afterwards
        return
    index_message(instance, new=created)
