"""Reading configuration from the environment, with one clear sentence on bad input.

Settings call these helpers; a missing or malformed variable stops start-up with
``SystemExit("<VARIABLE> ...")`` (printed without a traceback), never a stack dump.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url


class ConfigError(SystemExit):
    """Start-up stops with one sentence naming the variable."""


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be 1/0, true/false, yes/no or on/off; got {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number; got {raw!r}.") from None


_DB_SCHEMES = {"sqlite", "mysql", "mariadb", "postgres", "postgresql", "pgsql"}


def database_config(base_dir: Path) -> dict:
    """The ``default`` database: SQLite (WAL) unless ``DATABASE_URL`` says otherwise."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return sqlite_config(base_dir / "var" / "talkmall.sqlite3")
    scheme = urlparse(url).scheme.lower()
    if scheme not in _DB_SCHEMES:
        raise ConfigError(
            "DATABASE_URL must start with sqlite://, mysql:// or postgres:// "
            f"(for example mysql://root@127.0.0.1:3306/talkmall); got {url!r}."
        )
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # dj-database-url raises several types for garbage
        raise ConfigError(f"DATABASE_URL could not be read: {exc}.") from None
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        name = config.get("NAME") or ""
        if not name or name == ":memory:":
            raise ConfigError(
                "DATABASE_URL for SQLite must name a file, e.g. sqlite:////abs/db.sqlite3."
            )
        return sqlite_config(Path(name))
    if not config.get("NAME"):
        raise ConfigError(f"DATABASE_URL must name a database after the host; got {url!r}.")
    if "mysql" in engine:
        config["ENGINE"] = "django.db.backends.mysql"
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'",
            "isolation_level": "read committed",
        }
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    config["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


def sqlite_config(path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets readers and one writer work at once; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers wait (busy_timeout) instead of failing.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Persistent connections (as on MariaDB): opening one runs the PRAGMAs above, ~2 ms
        # of every websocket frame's database call otherwise (docs/performance.md).
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": os.environ.get("TALKMALL_TEST_SQLITE", str(path.parent / "test.sqlite3"))},
    }


def channel_layers_config() -> dict:
    """In-memory layer by default; ``REDIS_URL`` switches to channels-redis (PubSub layer)."""
    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss", "unix"} or (
        parsed.scheme != "unix" and not parsed.hostname
    ):
        raise ConfigError(f"REDIS_URL must look like redis://127.0.0.1:6379/0; got {url!r}.")
    try:
        parsed.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"REDIS_URL has a bad port; got {url!r}.") from None
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [url],
                "prefix": os.environ.get("REDIS_PREFIX", "talkmall"),
                "capacity": 1500,
                "expiry": 60,
            },
        }
    }
