"""``manage.py mileage expire``: remove what is left of expired mileage (idempotent; cron daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shop.loyalty.services.mileage import mileage_expire


class Command(BaseCommand):
    help = "Mileage housekeeping: expire mileage past its validity period."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("expire", help="Expire mileage past its validity period.")

    def handle(self, *args, action=None, **options) -> None:
        if action != "expire":
            raise CommandError("Say what to do: expire.")
        users, won = mileage_expire()
        self.stdout.write(f"Expired {won:,} won of mileage of {users} user(s).")
