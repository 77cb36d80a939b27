"""``manage.py stores``: staff review of store applications.

    stores list [--pending]
    stores approve ID
    stores reject ID --reason "..."
    stores suspend ID --reason "..."
    stores reinstate ID

ID is the application number shown by ``stores list``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shop.exceptions import ShopError
from shop.models import StoreApplication
from shop.services.applications import (
    application_approve,
    application_reinstate,
    application_reject,
    application_suspend,
)


class Command(BaseCommand):
    help = "Review store applications: list, approve, reject, suspend or reinstate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List applications (newest first).")
        listing.add_argument("--pending", action="store_true", help="Only those waiting.")
        approve = sub.add_parser("approve", help="Approve: create the store and its channel.")
        approve.add_argument("id")
        reinstate = sub.add_parser("reinstate", help="Lift a suspension.")
        reinstate.add_argument("id")
        for name, text in (
            ("reject", "Reject a waiting application."),
            ("suspend", "Suspend an approved store."),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("id")
            p.add_argument("--reason", required=True, help="Shown to the applicant.")
        for p in (approve, reinstate, *[sub.choices["reject"], sub.choices["suspend"]]):
            p.add_argument("--by", help="Username of the staff member deciding (for the record).")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "list":
            self._list(pending=options["pending"])
            return
        application = self._application(options["id"])
        actor = self._actor(options.get("by"))
        try:
            if action == "approve":
                store = application_approve(application=application, actor=actor)
                self.stdout.write(
                    f"Approved application #{application.pk}: store “{store.name}” "
                    f"(/stores/{store.slug}/) is open, owned by {application.applicant.username}."
                )
            elif action == "reject":
                application_reject(application=application, reason=options["reason"], actor=actor)
                self.stdout.write(f"Rejected application #{application.pk}.")
            elif action == "suspend":
                application_suspend(application=application, reason=options["reason"], actor=actor)
                self.stdout.write(f"Suspended the store of application #{application.pk}.")
            elif action == "reinstate":
                application_reinstate(application=application, actor=actor)
                self.stdout.write(f"Reinstated the store of application #{application.pk}.")
        except ShopError as error:
            raise CommandError(str(error)) from None

    def _application(self, raw: str) -> StoreApplication:
        if not str(raw).isdigit():
            raise CommandError(f"“{raw}” is not an application number; see `stores list`.")
        application = StoreApplication.objects.filter(pk=int(raw)).first()
        if application is None:
            raise CommandError(f"There is no application #{raw}; see `stores list`.")
        return application

    def _actor(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"There is no staff member called “{username}”.")
        return user

    def _list(self, *, pending: bool) -> None:
        qs = StoreApplication.objects.select_related("applicant", "store").order_by("pk")
        if pending:
            qs = qs.filter(status=StoreApplication.Status.PENDING)
        rows = list(qs)
        if not rows:
            self.stdout.write("No applications waiting." if pending else "No applications.")
            return
        for a in rows:
            store = f" store=/stores/{a.store.slug}/" if a.store else ""
            reason = f" reason={a.reason!r}" if a.reason else ""
            applied = timezone.localtime(a.created_at).strftime("%Y-%m-%d")
            self.stdout.write(
                f"#{a.pk:<4} {a.status:<9} {a.store_name} — {a.applicant.username} "
                f"biz={a.business_number_display} applied={applied}{store}{reason}"
            )
