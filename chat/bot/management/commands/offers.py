"""``manage.py offers expire``: close offers and counter-offers nobody answered in time
(each gets an "expired" message in its 1:1 chat). Run it from cron every few minutes;
pages also expire offers lazily when someone acts on one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chat.bot.services.offers import offer_expire_due


class Command(BaseCommand):
    help = "Price offers: `expire` closes offers whose answer time is over."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["expire"])

    def handle(self, *args, **options) -> None:
        if options["action"] != "expire":
            raise CommandError("Unknown action.")
        count = offer_expire_due()
        self.stdout.write(f"{count} offer(s) expired.")
