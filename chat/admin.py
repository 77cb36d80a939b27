"""Django admin for chat. Talkmall staff (superusers) see everything, deleted channels
included (history is kept for staff). A seller (is_staff, not a superuser) sees only the
channels of the stores they run, and their memberships, messages, reports and invitations.

Rows are read-only here: every change goes through an admin action that calls the same
service as the pages (so access checks, system lines and live events stay in one place).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from chat import selectors_manage as sel
from chat.exceptions import ChatError
from chat.models import Channel, Invitation, Membership, Message, MessageFlag, Referral
from chat.services import channels as channel_services
from chat.services import invitations as invitation_services
from chat.services import memberships as membership_services
from chat.services import moderation
from shop.models import StoreStaff


def is_operator(user) -> bool:
    return user.is_active and user.is_superuser


def short_text(message: Message) -> str:
    if message.deleted_at:
        return str(_("deleted message"))
    return message.body if len(message.body) <= 80 else message.body[:79] + "…"


class StoreScopedAdmin(admin.ModelAdmin):
    """Superusers: the whole table. Sellers: rows of their stores (``store_path``), read-only
    apart from the actions."""

    store_path = "store"
    channel_path = "channel"

    def _store_ids(self, request) -> set[int]:
        if not hasattr(request, "_chat_store_ids"):
            request._chat_store_ids = set(
                StoreStaff.objects.filter(user=request.user).values_list("store_id", flat=True)
            )
        return request._chat_store_ids

    def _is_seller(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and bool(self._store_ids(request))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_operator(request.user):
            return qs
        return qs.filter(
            **{
                f"{self.store_path}__in": self._store_ids(request),
                f"{self.channel_path}__deleted_at__isnull": True,
            }
        )

    def has_module_permission(self, request) -> bool:
        return is_operator(request.user) or self._is_seller(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if is_operator(request.user):
            return True
        if not self._is_seller(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def run_each(
        self, request, queryset: QuerySet, call: Callable[[object], object], done: str
    ) -> None:
        """Call a service for each selected row; report successes and each refusal."""
        ok = 0
        for obj in queryset:
            try:
                call(obj)
            except ChatError as error:
                self.message_user(request, f"{obj}: {error.detail}", level=messages.ERROR)
            else:
                ok += 1
        if ok:
            self.message_user(request, done % {"n": ok}, level=messages.SUCCESS)


@admin.register(Channel)
class ChannelAdmin(StoreScopedAdmin):
    list_display = (
        "title",
        "kind",
        "store",
        "visibility",
        "member_count",
        "message_count",
        "archived_at",
        "deleted_at",
    )
    list_filter = ("kind", "visibility")
    search_fields = ("title", "store__name")
    readonly_fields = [f.name for f in Channel._meta.fields]
    actions = ["archive", "unarchive"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if not is_operator(request.user):
            qs = qs.filter(store__in=self._store_ids(request), deleted_at__isnull=True)
        return sel.with_counts(qs.select_related("store"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj) -> int:
        return obj.member_count

    @admin.display(description=_("messages"), ordering="message_count")
    def message_count(self, obj) -> int:
        return obj.message_count

    @admin.action(description=_("Archive (read-only)"))
    def archive(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda c: channel_services.channel_archive(channel=c, actor=request.user),
            _("Archived %(n)d channel(s)."),
        )

    @admin.action(description=_("Unarchive"))
    def unarchive(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda c: channel_services.channel_unarchive(channel=c, actor=request.user),
            _("Reopened %(n)d channel(s)."),
        )


@admin.register(Membership)
class MembershipAdmin(StoreScopedAdmin):
    store_path = "channel__store"
    list_display = ("user", "channel", "role", "state", "hidden", "joined_at", "invited_by")
    list_filter = ("state", "role", "channel__kind")
    search_fields = ("user__username", "user__display_name", "channel__title")
    list_select_related = ("user", "channel", "invited_by")
    readonly_fields = [f.name for f in Membership._meta.fields]
    actions = ["approve", "reject", "ban", "unban"]

    @admin.action(description=_("Approve join requests"))
    def approve(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda m: membership_services.membership_approve(membership=m, actor=request.user),
            _("Approved %(n)d request(s)."),
        )

    @admin.action(description=_("Decline join requests"))
    def reject(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda m: membership_services.membership_reject(membership=m, actor=request.user),
            _("Declined %(n)d request(s)."),
        )

    @admin.action(description=_("Ban from the channel"))
    def ban(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda m: membership_services.membership_ban(
                channel=m.channel, user=m.user, actor=request.user
            ),
            _("Banned %(n)d member(s)."),
        )

    @admin.action(description=_("Lift the ban"))
    def unban(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda m: membership_services.membership_unban(membership=m, actor=request.user),
            _("Lifted %(n)d ban(s)."),
        )


@admin.register(Message)
class MessageAdmin(StoreScopedAdmin):
    store_path = "channel__store"
    list_display = ("id", "channel", "author", "kind", "short_body", "created_at", "deleted_at")
    list_filter = ("kind",)
    search_fields = ("body",)
    list_select_related = ("channel", "author")
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["soft_delete"]
    show_full_result_count = False

    @admin.display(description=_("body"))
    def short_body(self, obj) -> str:
        return short_text(obj)

    @admin.action(description=_("Delete (a tombstone stays)"))
    def soft_delete(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda m: moderation.message_delete(message=m, actor=request.user),
            _("Deleted %(n)d message(s)."),
        )


@admin.register(MessageFlag)
class MessageFlagAdmin(StoreScopedAdmin):
    store_path = "message__channel__store"
    channel_path = "message__channel"
    list_display = ("message", "message_body", "reporter", "reason", "created_at", "resolved_at")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    list_select_related = ("message", "reporter")
    readonly_fields = [f.name for f in MessageFlag._meta.fields]
    actions = ["resolve", "delete_message"]

    @admin.display(description=_("message text"))
    def message_body(self, obj) -> str:
        return short_text(obj.message)

    @admin.action(description=_("Mark handled (keep the message)"))
    def resolve(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda f: moderation.flag_resolve(flag=f, actor=request.user),
            _("Resolved %(n)d report(s)."),
        )

    @admin.action(description=_("Delete the reported messages"))
    def delete_message(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda f: moderation.message_delete(message=f.message, actor=request.user),
            _("Deleted %(n)d message(s)."),
        )


@admin.register(Invitation)
class InvitationAdmin(StoreScopedAdmin):
    store_path = "channel__store"
    list_display = (
        "channel",
        "inviter",
        "invitee",
        "uses",
        "max_uses",
        "expires_at",
        "revoked_at",
        "created_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("channel__title", "inviter__username", "invitee__username")
    list_select_related = ("channel", "inviter", "invitee")
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "token"]
    exclude = ("token",)
    actions = ["revoke"]

    @admin.action(description=_("Cancel the links"))
    def revoke(self, request, queryset) -> None:
        self.run_each(
            request,
            queryset,
            lambda i: invitation_services.invitation_revoke(invitation=i, actor=request.user),
            _("Cancelled %(n)d link(s)."),
        )


@admin.register(Referral)
class ReferralAdmin(StoreScopedAdmin):
    store_path = "store"
    list_display = ("store", "inviter", "invitee", "channel", "created_at")
    search_fields = ("inviter__username", "invitee__username", "store__name")
    list_select_related = ("store", "inviter", "invitee", "channel")
    readonly_fields = [f.name for f in Referral._meta.fields]
