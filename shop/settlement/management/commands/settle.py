"""``manage.py settle --period 2026-11`` or ``manage.py settle --week 2026-W48``.

Makes (or completes) the statements of every store settled on that cycle; ``--store <slug>``
settles one store whatever its cycle. Idempotent: a rerun adds only orders and refunds that are
not on a statement yet. Prints one line per store and a summary; bad input exits non-zero with
one sentence.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shop.models import Store
from shop.settlement import periods
from shop.settlement.services.settlement import SettlementError, StoreResult, settlement_run


def won(amount: int) -> str:
    return f"{amount:,} won"


class Command(BaseCommand):
    help = "Settle a month (--period YYYY-MM) or an ISO week (--week YYYY-Www) for the stores."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", help="A month, e.g. 2026-11 (monthly stores).")
        parser.add_argument("--week", help="An ISO week, e.g. 2026-W48 (weekly stores).")
        parser.add_argument("--store", help="Settle only this store (its address name).")

    def handle(self, *args, period=None, week=None, store=None, **options) -> None:
        if bool(period) == bool(week):
            raise CommandError("Give exactly one of --period YYYY-MM or --week YYYY-Www.")
        try:
            chosen = periods.month(period) if period else periods.week(week)
        except periods.BadPeriod as error:
            raise CommandError(str(error)) from None
        only = None
        if store:
            only = Store.objects.filter(slug=store).first()
            if only is None:
                raise CommandError(f"There is no store with the address name “{store}”.")

        def progress(index: int, count: int, result: StoreResult) -> None:
            prefix = f"[{index}/{count}] {result.store.slug}:"
            if result.added:
                st = result.statement
                self.stdout.write(
                    f"{prefix} +{result.added} line(s) on {st.number}, "
                    f"{st.order_count} order(s), payout {won(st.payout)}"
                )
            else:
                self.stdout.write(f"{prefix} {result.note}")

        self.stdout.write(f"Settling {chosen.key} ({chosen.start} – {chosen.last_day})…")
        try:
            summary = settlement_run(period=chosen, store=only, progress=progress)
        except SettlementError as error:
            raise CommandError(str(error)) from None
        statements = summary.statements
        self.stdout.write(
            self.style.SUCCESS(
                f"{chosen.key}: {len(statements)} statement(s), "
                f"{summary.lines_added} new line(s); "
                f"gross {won(sum(s.gross for s in statements))}, "
                f"refunds {won(sum(s.refunds for s in statements))}, "
                f"commission {won(sum(s.commission for s in statements))}, "
                f"payment fees {won(sum(s.payment_fees for s in statements))}, "
                f"payout {won(sum(s.payout for s in statements))}."
            )
        )
