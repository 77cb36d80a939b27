"""Shared fixtures. The suite runs twice in CI: embedded (SQLite + in-memory layer) and with
TALKMALL_SERVICES=1 (DATABASE_URL=mysql://…, REDIS_URL=redis://…)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import pytest_asyncio
from django.contrib.auth import get_user_model
from django.core.management import call_command

SERVICES = os.environ.get("TALKMALL_SERVICES") == "1"


def pytest_report_header(config) -> str:
    mode = "MariaDB + Redis" if SERVICES else "embedded (SQLite + in-memory layer)"
    return f"talkmall mode: {mode}"


def pytest_configure(config) -> None:
    # Quick password hashing for every test user, here and in the browser tests' server.
    os.environ["TALKMALL_TEST_FAST_PASSWORDS"] = "1"
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if SERVICES and not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        raise pytest.UsageError("TALKMALL_SERVICES=1 needs DATABASE_URL and REDIS_URL set.")


def pytest_collection_modifyitems(config, items) -> None:
    # Browser tests last: they are the slowest and hold a Playwright loop while they run.
    items.sort(key=lambda item: "browser" in item.keywords)
    for item in items:  # see _no_stuck_tasks
        if item.get_closest_marker("asyncio") and "_no_stuck_tasks" not in item.fixturenames:
            item.fixturenames.insert(0, "_no_stuck_tasks")
    if SERVICES:
        return
    skip = pytest.mark.skip(reason="needs MariaDB + Redis: runs in the TALKMALL_SERVICES=1 pass")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _data_migration_rows(request) -> None:
    """Rows that data migrations create (the default payment fees) are gone after the flush
    that ends a transactional test; every test that uses the database starts with them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    request.getfixturevalue("_database_thread_closes")
    from importlib import import_module

    from django.apps import apps

    import_module("shop.settlement.migrations.0002_default_payment_fees").add(apps, None)
    # Per-process caches keyed by row ids: a rolled-back test's store id comes back.
    from chat.bot.services.faq import faq_keywords_forget

    faq_keywords_forget()


@pytest.fixture(scope="session")
def _database_thread_closes(django_db_setup):
    """At the end, before the test database is dropped: close the connection that the shared
    database thread of ``database_sync_to_async`` holds open (persistent connections), or
    PostgreSQL refuses to drop a database "being accessed by other users"."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def make_user(db) -> Callable[..., object]:
    User = get_user_model()
    counter = {"n": 0}

    def make(username: str | None = None, password: str = "pw-test-1234", **fields):
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        fields.setdefault("email", f"{username}@example.com")
        user = User.objects.create_user(username=username, password=password, **fields)
        return user

    return make


@pytest.fixture
def demo(db) -> None:
    """The demo data of `manage.py seed_demo`."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest_asyncio.fixture
async def _no_stuck_tasks(request):
    """Around every async test (pytest_collection_modifyitems adds it): afterwards cancel
    the tasks it left running (hubs, feeds, publishers) and fail with their stacks if one does
    not finish within 10 s, instead of hanging the run in the event loop's shutdown."""
    yield
    import asyncio

    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    if tasks:
        _done, stuck = await asyncio.wait(tasks, timeout=10)
        if stuck:
            stacks = "\n".join(f"{t!r}: {t.get_stack()}" for t in stuck)
            pytest.fail(f"tasks left running after {request.node.name}: {stacks}")
