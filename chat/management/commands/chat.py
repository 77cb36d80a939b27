"""``manage.py chat <action>``: staff tools for chat channels.

    list       channels with kind, store, member and message counts (--store, --kind)
    archive    make a channel read-only            (as a staff account: --actor, default the
    unarchive  open it for messages again           first superuser)
    ban        ban a user from a channel (--user USERNAME)
    export     the whole history as JSON Lines, oldest first (--output FILE; progress on stderr)
    reindex    rebuild the search index (--channel ID; progress on stderr)

Each action has --help. Errors stop with one sentence and exit status 1.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from chat.exceptions import ChatError
from chat.models import Channel, Membership, Message
from chat.serializers import message_to_dict

EXPORT_BATCH = 1000


def _count(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(channel_id=OuterRef("pk"), **filters)
        .order_by()
        .values("channel_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class Command(BaseCommand):
    help = "Staff tools for chat channels: list, archive, unarchive, ban, export, reindex."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        p = actions.add_parser(
            "list", help="List channels with kind, store, member and message counts."
        )
        p.add_argument("--store", help="Only this store (id or address name).")
        p.add_argument(
            "--kind", choices=[k.value for k in Channel.Kind], help="Only channels of this kind."
        )
        p.add_argument("--deleted", action="store_true", help="Include deleted channels.")

        for name, text in (
            ("archive", "Make a channel read-only (history stays readable and searchable)."),
            ("unarchive", "Open an archived channel for messages again."),
        ):
            p = actions.add_parser(name, help=text)
            p.add_argument("channel_id", type=int, metavar="ID", help="Channel id.")
            self._actor_argument(p)

        p = actions.add_parser("ban", help="Ban a user from a channel (and its goods talks).")
        p.add_argument("channel_id", type=int, metavar="ID", help="Channel id.")
        p.add_argument("--user", required=True, metavar="USERNAME", help="Who to ban.")
        self._actor_argument(p)

        p = actions.add_parser(
            "export", help="Export a channel's whole history as JSON Lines, oldest first."
        )
        p.add_argument("channel_id", type=int, metavar="ID", help="Channel id.")
        p.add_argument("--output", metavar="FILE", help="Write here instead of standard output.")

        p = actions.add_parser("reindex", help="Rebuild the search index from the history.")
        p.add_argument("--channel", type=int, metavar="ID", help="Only this channel.")

    @staticmethod
    def _actor_argument(parser: CommandParser) -> None:
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="Staff account recorded as doing it (default: the first superuser).",
        )

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except ChatError as exc:
            raise CommandError(str(exc.detail)) from None

    # --- helpers -------------------------------------------------------------------------

    def _channel(self, channel_id: int, *, deleted_ok: bool = False) -> Channel:
        channels = Channel.objects.select_related("store")
        if not deleted_ok:
            channels = channels.filter(deleted_at__isnull=True)
        channel = channels.filter(pk=channel_id).first()
        if channel is None:
            raise CommandError(f"No channel with id {channel_id}.")
        return channel

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        return user

    def _actor(self, username: str | None):
        if username:
            actor = self._user(username)
            if not actor.is_superuser:
                raise CommandError(f"{username!r} is not a staff superuser.")
            return actor
        actor = (
            get_user_model()
            .objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .first()
        )
        if actor is None:
            raise CommandError("No staff account to act as: create a superuser or pass --actor.")
        return actor

    def _progress(self, label: str, done: int, total: int) -> None:
        share = f" ({done * 100 // total}%)" if total else ""
        self.stderr.write(f"{label}: {done:,} / {total:,}{share}")

    # --- actions -------------------------------------------------------------------------

    def do_list(self, *, store: str | None, kind: str | None, deleted: bool, **_) -> None:
        channels = Channel.objects.select_related("store").order_by("store_id", "pk")
        if not deleted:
            channels = channels.filter(deleted_at__isnull=True)
        if store:
            match = Q(store__slug=store) | (Q(store_id=int(store)) if store.isdigit() else Q())
            channels = channels.filter(match)
            if not channels.exists():
                raise CommandError(f"No channels for store {store!r}.")
        if kind:
            channels = channels.filter(kind=kind)
        channels = channels.annotate(
            members=_count(Membership, state=Membership.State.ACTIVE),
            message_count=_count(Message),
        )
        header = (
            f"{'ID':>6}  {'KIND':<9}  {'STORE':<18}  {'MEMBERS':>7}  {'MESSAGES':>9}  STATE  TITLE"
        )
        self.stdout.write(header)
        n = 0
        for ch in channels:
            state = (
                "deleted" if ch.deleted_at else ("archived" if ch.archived_at else ch.visibility)
            )
            self.stdout.write(
                f"{ch.pk:>6}  {ch.kind:<9}  {ch.store.name[:18]:<18}  {ch.members:>7}  "
                f"{ch.message_count:>9}  {state}  {ch.title}"
            )
            n += 1
        self.stderr.write(f"{n} channel(s).")

    def do_archive(self, *, channel_id: int, actor: str | None, **_) -> None:
        from chat.services.channels import channel_archive

        channel = self._channel(channel_id)
        channel_archive(channel=channel, actor=self._actor(actor))
        self.stdout.write(f"Archived channel {channel.pk} ({channel.title}).")

    def do_unarchive(self, *, channel_id: int, actor: str | None, **_) -> None:
        from chat.services.channels import channel_unarchive

        channel = self._channel(channel_id)
        channel_unarchive(channel=channel, actor=self._actor(actor))
        self.stdout.write(f"Unarchived channel {channel.pk} ({channel.title}).")

    def do_ban(self, *, channel_id: int, user: str, actor: str | None, **_) -> None:
        from chat.services.memberships import membership_ban

        channel = self._channel(channel_id)
        target = self._user(user)
        membership_ban(channel=channel, user=target, actor=self._actor(actor))
        self.stdout.write(f"Banned {target.username} from channel {channel.pk} ({channel.title}).")

    @contextmanager
    def _open_output(self, path: str | None):
        if not path:
            yield self.stdout
            return
        try:
            handle = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
        try:
            yield handle
        finally:
            handle.close()

    def do_export(self, *, channel_id: int, output: str | None, **_) -> None:
        channel = self._channel(channel_id, deleted_ok=True)  # staff keep deleted history
        messages = Message.objects.filter(channel=channel).select_related("author")
        total = messages.count()
        done, last = 0, 0
        with self._open_output(output) as out:
            while True:
                batch = list(messages.filter(pk__gt=last).order_by("pk")[:EXPORT_BATCH])
                if not batch:
                    break
                for message in batch:
                    row = message_to_dict(message)
                    row["edited_at"] = message.edited_at.isoformat() if message.edited_at else None
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                last = batch[-1].pk
                done += len(batch)
                self._progress("exported", done, total)
        if output:
            self.stderr.write(f"Wrote {done:,} message(s) of channel {channel.pk} to {output}.")

    def do_reindex(self, *, channel: int | None, **_) -> None:
        from chat.search.index import reindex

        if channel is not None:
            self._channel(channel, deleted_ok=True)
        indexed = reindex(channel_id=channel, progress=lambda d, t: self._progress("indexed", d, t))
        scope = f"channel {channel}" if channel is not None else "all channels"
        self.stdout.write(f"Reindexed {indexed:,} message(s) in {scope}.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Run this through manage.py: python manage.py chat --help")
