"""Chat message search: one interface (``index_message``, ``search``) over a portable inverted
index of app-side tokens, identical on SQLite, MariaDB and PostgreSQL. See docs/architecture.md
("Search") and docs/performance.md for why and how fast."""

from __future__ import annotations

_EXPORTS = {
    "search": "chat.search.query",
    "SearchPage": "chat.search.query",
    "SearchHit": "chat.search.query",
    "SearchError": "chat.search.query",
    "message_url": "chat.search.query",
    "index_message": "chat.search.index",
    "reindex": "chat.search.index",
}


def __getattr__(name: str):
    # Lazy, so that Django can import this package (for its AppConfig) before models load.
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
