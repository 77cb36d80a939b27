"""``manage.py orders expire_unpaid`` and ``manage.py orders complete_delivered``.

Both are idempotent (a second run finds nothing to do) and print what they did; meant for
cron, e.g. every 10 minutes and once a night.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shop.orders.services.orders import orders_complete_delivered, orders_expire_unpaid


class Command(BaseCommand):
    help = "Order housekeeping: cancel unpaid orders after their deadline, confirm old deliveries."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("expire_unpaid", help="Cancel unpaid orders whose deadline passed.")
        sub.add_parser("complete_delivered", help="Confirm purchases delivered 7 or more days ago.")

    def handle(self, *args, action=None, **options) -> None:
        if action == "expire_unpaid":
            numbers = orders_expire_unpaid()
            for number in numbers:
                self.stdout.write(f"cancelled {number} (not paid by the deadline)")
            self.stdout.write(f"Expired {len(numbers)} unpaid order(s).")
        elif action == "complete_delivered":
            numbers = orders_complete_delivered()
            for number in numbers:
                self.stdout.write(f"completed {number} (delivered 7+ days ago)")
            self.stdout.write(f"Confirmed {len(numbers)} delivered order(s).")
        else:
            raise CommandError("Say what to do: expire_unpaid or complete_delivered.")
