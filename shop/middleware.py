"""Tell an applicant, on their next page, that staff decided on their store application."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from shop.models import StoreApplication
from shop.services.applications import application_mark_seen


class ApplicationNoticeMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(("/static/", "/media/", "/api/", "/ws/", "/admin/"))
            and StoreApplication.objects.filter(applicant=user, notice_unseen=True).exists()
        ):
            for application in application_mark_seen(applicant=user):
                self._notice(request, application)
        return self.get_response(request)

    def _notice(self, request, application: StoreApplication) -> None:
        status = application.status
        if status == StoreApplication.Status.APPROVED:
            text = _("Your store “%(name)s” is approved and open. Register your first goods!")
            level = messages.SUCCESS
        elif status == StoreApplication.Status.REJECTED:
            text = _("Your store application “%(name)s” was rejected: %(reason)s")
            level = messages.WARNING
        elif status == StoreApplication.Status.SUSPENDED:
            text = _("Your store “%(name)s” was suspended: %(reason)s")
            level = messages.WARNING
        else:
            return
        messages.add_message(
            request, level, text % {"name": application.store_name, "reason": application.reason}
        )
