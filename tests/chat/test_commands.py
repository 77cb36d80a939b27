"""``manage.py chat``: list, archive/unarchive, ban, export, reindex; errors exit 1 with one
sentence."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from chat.management.commands import chat as chat_command
from chat.models import Channel, Membership
from chat.search import search
from tests.chat import search_fixtures

world = search_fixtures.world

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("chat", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def staff(db):
    return get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)


# --- exit codes from the command line -------------------------------------------------------


@pytest.fixture
def argv(monkeypatch, capsys):
    # run_from_argv closes all connections when done; keep the test's transaction open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    def call(*args) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exit_info:
            chat_command.Command().run_from_argv(["manage.py", "chat", *args])
        return exit_info.value.code, capsys.readouterr().err

    return call


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["export", "999999"], "No channel with id 999999."),
        (["archive", "999999"], "No channel with id 999999."),
        (["reindex", "--channel", "999999"], "No channel with id 999999."),
        (["list", "--store", "no-such-store"], "No channels for store 'no-such-store'."),
    ],
)
def test_command_bad_id_exits_1_with_one_sentence(world, argv, args, sentence):
    code, err = argv(*args)
    assert code == 1
    assert err.strip() == f"CommandError: {sentence}"


def test_command_ban_unknown_user_exits_1(world, argv):
    code, err = argv("ban", str(world.open_channel.pk), "--user", "nobody")
    assert code == 1
    assert "No user named 'nobody'." in err


def test_command_non_numeric_id_exits_2(world, argv):
    code, err = argv("export", "abc")
    assert code == 2
    assert "invalid int value: 'abc'" in err


def test_command_help_lists_actions(capsys):
    with pytest.raises(SystemExit) as exit_info:
        chat_command.Command().run_from_argv(["manage.py", "chat", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for action in ("list", "archive", "unarchive", "ban", "export", "reindex"):
        assert action in out


# --- list -----------------------------------------------------------------------------------


def test_list_shows_counts(world):
    w = world
    for i in range(3):
        w.post(w.closed_channel, f"메시지 {i}")
    out, err = run("list")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    closed = rows[str(w.closed_channel.pk)]
    assert closed[1] == "store"
    assert closed[3:5] == ["2", "3"]  # active members (owner, member), messages
    assert "2 channel(s)." in err


def test_list_filters_by_store_and_kind(world):
    w = world
    out, _ = run("list", "--store", "secret-store")
    assert "회원 톡" in out and "열린 톡" not in out
    out, _ = run("list", "--store", str(w.store.pk))
    assert "열린 톡" in out and "회원 톡" not in out
    out, err = run("list", "--kind", "goods")
    assert "0 channel(s)." in err


# --- archive / unarchive / ban --------------------------------------------------------------


def test_archive_and_unarchive(world, staff):
    w = world
    out, _ = run("archive", str(w.open_channel.pk))
    assert "Archived channel" in out
    assert Channel.objects.get(pk=w.open_channel.pk).archived_at is not None
    with pytest.raises(CommandError):  # "already archived" (in the active language)
        run("archive", str(w.open_channel.pk))
    run("unarchive", str(w.open_channel.pk))
    assert Channel.objects.get(pk=w.open_channel.pk).archived_at is None


def test_archive_needs_a_staff_account(world):
    with pytest.raises(CommandError, match="No staff account"):
        run("archive", str(world.open_channel.pk))


def test_archive_refuses_non_staff_actor(world, staff):
    with pytest.raises(CommandError, match="not a staff superuser"):
        run("archive", str(world.open_channel.pk), "--actor", "member")


def test_ban_user(world, staff):
    w = world
    out, _ = run("ban", str(w.closed_channel.pk), "--user", "member")
    assert "Banned member" in out
    membership = Membership.objects.get(channel=w.closed_channel, user=w.member)
    assert membership.state == Membership.State.BANNED


# --- export ---------------------------------------------------------------------------------


def test_export_whole_history_oldest_first_to_file(world, tmp_path, monkeypatch):
    monkeypatch.setattr(chat_command, "EXPORT_BATCH", 2)
    w = world
    ids = [w.post(w.open_channel, f"메시지 {i} <b>").pk for i in range(5)]
    deleted = w.post(w.open_channel, "지운 메시지")
    deleted.deleted_at = timezone.now()
    deleted.save()
    w.post(w.closed_channel, "다른 채널")
    target = tmp_path / "talk.jsonl"
    out, err = run("export", str(w.open_channel.pk), "--output", str(target))
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [*ids, deleted.pk]
    assert rows[0]["body"] == "메시지 0 <b>"
    assert rows[-1]["deleted"] is True and rows[-1]["body"] == ""
    assert out == ""
    assert "exported: 2 / 6 (33%)" in err and "exported: 6 / 6 (100%)" in err


def test_export_to_stdout(world):
    w = world
    w.post(w.open_channel, "안녕")
    out, _ = run("export", str(w.open_channel.pk))
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["body"] == "안녕"


def test_export_unwritable_output(world):
    with pytest.raises(CommandError, match="Cannot write"):
        run("export", str(world.open_channel.pk), "--output", "/nonexistent-dir/x.jsonl")


# --- reindex --------------------------------------------------------------------------------


def test_reindex_all_and_one_channel(world):
    w = world
    w.post(w.open_channel, "배송 문의")
    w.post(w.closed_channel, "배송 안내")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM chatsearch_posting")
    assert search(w.member, "배송").hits == []
    out, err = run("reindex", "--channel", str(w.closed_channel.pk))
    assert "Reindexed 1 message(s) in channel" in out
    assert [h.message.body for h in search(w.member, "배송").hits] == ["배송 안내"]
    out, err = run("reindex")
    assert "Reindexed 2 message(s) in all channels." in out
    assert "indexed: 2 / 2 (100%)" in err
    assert len(search(w.member, "배송").hits) == 2
