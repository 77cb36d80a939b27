"""Database helpers shared by the apps."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet


def lock_own_rows(queryset: QuerySet) -> QuerySet:
    """``select_for_update()`` of the queryset's own rows, for a queryset that also
    ``select_related``s a nullable relation: PostgreSQL refuses FOR UPDATE on the nullable
    side of an outer join, so there it locks ``self`` only (``FOR UPDATE OF``); MariaDB and
    MySQL before 8.0.1 have no ``OF`` and lock the joined rows too; SQLite locks the whole
    database at BEGIN IMMEDIATE anyway."""
    if connection.features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()
