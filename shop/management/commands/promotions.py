"""``manage.py promotions``: promotions that need staff or cron attention.

    promotions list [--running]
    promotions close_expired [--now 2026-12-01T00:00+09:00]

``close_expired`` ends every promotion whose end has passed and settles group buys
(success: committed buyers get the group price recorded; failure: commitments are released
and buyers are told). It is idempotent: a second run does nothing and says so. Run it from
cron every few minutes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shop.models import Promotion
from shop.selectors_promotions import group_buy_committed
from shop.services.promotions import promotions_close_expired


class Command(BaseCommand):
    help = "List promotions, or end expired ones and settle their group buys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List promotions (newest first).")
        listing.add_argument("--running", action="store_true", help="Only running ones.")
        close = sub.add_parser(
            "close_expired", help="End promotions whose end passed; settle group buys."
        )
        close.add_argument(
            "--now",
            help="Pretend it is this time (ISO 8601, e.g. 2026-12-01T00:00+09:00); for tests.",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "list":
            self._list(running=options["running"])
            return
        now = self._now(options.get("now"))
        closed = promotions_close_expired(now=now)
        if not closed:
            self.stdout.write("No expired promotions to close; nothing changed.")
            return
        for item in closed:
            p = item.promotion
            if item.outcome == "ended":
                self.stdout.write(f"Ended promotion #{p.pk} “{p.title}” ({p.store.name}).")
            elif item.outcome == Promotion.Outcome.SUCCEEDED:
                self.stdout.write(
                    f"Group buy #{p.pk} “{p.title}” succeeded: {item.buyers} buyers "
                    f"(needed {p.group_min_buyers}) confirmed at {p.group_price:,} won."
                )
            else:
                self.stdout.write(
                    f"Group buy #{p.pk} “{p.title}” failed: {item.buyers} of "
                    f"{p.group_min_buyers} buyers; commitments released and buyers told."
                )
        self.stdout.write(f"Closed {len(closed)} promotion(s).")

    def _now(self, value: str | None):
        if not value:
            return timezone.now()
        parsed = parse_datetime(value)
        if parsed is None:
            raise CommandError(f"--now “{value}” is not a date and time like 2026-12-01T00:00.")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed

    def _list(self, *, running: bool) -> None:
        now = timezone.now()
        promotions = Promotion.objects.select_related("store").order_by("-starts_at", "-id")
        if running:
            promotions = promotions.filter(
                ended_at__isnull=True, starts_at__lte=now, ends_at__gt=now
            )
        rows = list(promotions[:200])
        if not rows:
            self.stdout.write("No promotions.")
            return
        for p in rows:
            state = (
                "ended"
                if p.ended_at
                else (
                    "running"
                    if p.is_running(now)
                    else ("upcoming" if now < p.starts_at else "expired")
                )
            )
            start = timezone.localtime(p.starts_at).strftime("%Y-%m-%d %H:%M")
            end = timezone.localtime(p.ends_at).strftime("%Y-%m-%d %H:%M")
            extra = ""
            if p.is_group_buy:
                extra = (
                    f" · {group_buy_committed(p)}/{p.group_min_buyers} buyers {p.outcome}".rstrip()
                )
            where = f"{p.store.name} · {p.title}{extra}"
            self.stdout.write(f"#{p.pk:<5} {p.kind:<9} {state:<8} {start} → {end} {where}")
