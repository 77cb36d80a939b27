"""``manage.py broadcasts deliver_due``: deliver broadcasts scheduled out of the night
window (20:00–08:00 Asia/Seoul). Idempotent; run it every few minutes from cron."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shop.loyalty.services.broadcasts import broadcasts_deliver_due


class Command(BaseCommand):
    help = "Deliver scheduled broadcasts whose time has come (never 20:00–08:00 KST)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("deliver_due", help="Deliver scheduled broadcasts that are due.")

    def handle(self, *args, action=None, **options) -> None:
        if action != "deliver_due":
            raise CommandError("Say what to do: deliver_due.")
        broadcasts, messages = broadcasts_deliver_due()
        self.stdout.write(f"Delivered {messages} message(s) of {broadcasts} broadcast(s).")
