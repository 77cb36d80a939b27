"""Two modes chosen only by the environment; bad values stop start-up with one sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from marketplace.env import ConfigError, channel_layers_config, database_config

ROOT = Path(__file__).resolve().parents[1]


def test_default_is_sqlite_wal_and_in_memory_layer(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    db = database_config(tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert channel_layers_config()["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def test_mysql_url_gives_utf8mb4_strict(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@127.0.0.1:3306/talkmall")
    db = database_config(tmp_path)
    assert db["ENGINE"] == "django.db.backends.mysql"
    assert db["NAME"] == "talkmall"
    assert db["OPTIONS"]["charset"] == "utf8mb4"
    assert "STRICT_TRANS_TABLES" in db["OPTIONS"]["init_command"]


def test_postgres_url_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/talkmall")
    assert database_config(tmp_path)["ENGINE"] == "django.db.backends.postgresql"


def test_redis_url_selects_pubsub_layer(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    layer = channel_layers_config()["default"]
    assert layer["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert layer["CONFIG"]["hosts"] == ["redis://127.0.0.1:6379/0"]


@pytest.mark.parametrize("url", ["oracle://x/y", "not a url", "mysql://127.0.0.1:3306/"])
def test_bad_database_url_names_the_variable(monkeypatch, tmp_path, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_config(tmp_path)


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis://", "redis://127.0.0.1:xx/0"])
def test_bad_redis_url_names_the_variable(monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        channel_layers_config()


@pytest.mark.parametrize(
    ("name", "value"), [("DATABASE_URL", "oracle://nope"), ("REDIS_URL", "http://x")]
)
def test_manage_py_stops_with_one_sentence(name, value):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env[name] = value
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_in_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-value-0123456789",
        ALLOWED_HOSTS="shop.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_debug_off_without_secret_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env["DEBUG"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
