"""``manage.py grades recalc [--store SLUG]``: recalculate customer grades (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shop.loyalty.models import Grade
from shop.loyalty.services.grades import grades_recalc
from shop.models import Store


class Command(BaseCommand):
    help = "Recalculate customer grades of every store with grades (or of one store)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action")
        recalc = sub.add_parser("recalc", help="Recalculate customer grades.")
        recalc.add_argument("--store", help="The store's address name (slug).")

    def handle(self, *args, action=None, store=None, **options) -> None:
        if action != "recalc":
            raise CommandError("Say what to do: recalc.")
        stores = Store.objects.filter(pk__in=Grade.objects.values("store_id")).order_by("id")
        if store:
            stores = Store.objects.filter(slug=store)
            if not stores.exists():
                raise CommandError(f"No store has the address name {store!r}.")
        total = 0
        for item in stores:
            counts = grades_recalc(store=item)
            summary = ", ".join(f"{name} {n}" for name, n in counts.items()) or "no customers"
            self.stdout.write(f"{item.slug}: {summary}")
            total += sum(counts.values())
        self.stdout.write(f"Recalculated {total} customer grade(s) in {stores.count()} store(s).")
