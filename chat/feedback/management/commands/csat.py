"""``manage.py csat send_quiet [--quiet-minutes N] [--max-age-days D]`` and
``manage.py csat stats <store-slug> [--days N]``.

``send_quiet`` offers one rating card in every 1:1 chat that went quiet after the store's
answer; idempotent (a second run finds nothing new). Meant for cron / a systemd timer, e.g.
every 10 minutes (docs/operations.md).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from chat.feedback.csat import csat_send_quiet, csat_stats, quiet_after
from shop.models import Store


class Command(BaseCommand):
    help = "Satisfaction ratings: send cards in quiet 1:1 chats, or print a store's figures."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action")
        quiet = sub.add_parser("send_quiet", help="Offer a rating card in quiet 1:1 chats.")
        quiet.add_argument("--quiet-minutes", type=int, default=None)
        quiet.add_argument("--max-age-days", type=int, default=3)
        stats = sub.add_parser("stats", help="Print a store's satisfaction figures.")
        stats.add_argument("store")
        stats.add_argument("--days", type=int, default=90)

    def handle(self, *args, action=None, **options) -> None:
        if action == "send_quiet":
            minutes = options["quiet_minutes"]
            if minutes is not None and minutes < 1:
                raise CommandError("--quiet-minutes must be at least 1.")
            if options["max_age_days"] < 1:
                raise CommandError("--max-age-days must be at least 1.")
            quiet = timedelta(minutes=minutes) if minutes else quiet_after()
            sent = csat_send_quiet(quiet=quiet, max_age_days=options["max_age_days"])
            self.stdout.write(f"Sent {sent} rating card(s) (quiet for {quiet}).")
        elif action == "stats":
            store = Store.objects.filter(slug=options["store"]).first()
            if store is None:
                raise CommandError(f"No store with the slug {options['store']!r}.")
            stats = csat_stats(store, days=options["days"])
            average = "-" if stats.average is None else f"{stats.average:.2f}"
            self.stdout.write(
                f"{store.slug}: {stats.rated} rating(s) of {stats.asked} card(s), "
                f"average {average} / 5 over {options['days']} days"
            )
            for row in stats.managers:
                name = row["answered_by__username"] or "(no answer)"
                self.stdout.write(f"  {name}: {row['n']} rating(s), average {row['avg']:.2f}")
        else:
            raise CommandError("Say what to do: send_quiet or stats.")
