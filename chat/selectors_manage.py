"""Reads for the seller's talk pages, the invitation pages and the admin (writes live in
chat/services/). Counts are correlated subqueries: one query per list, no row multiplication."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from chat.models import Channel, Invitation, Membership, Message, MessageFlag
from shop.models import Store, StoreStaff


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("channel_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def member_count_expression() -> Coalesce:
    return _count(Membership.objects.filter(channel=OuterRef("pk"), state=Membership.State.ACTIVE))


def message_count_expression() -> Coalesce:
    return _count(Message.objects.filter(channel=OuterRef("pk")))


def with_counts(channels: QuerySet[Channel]) -> QuerySet[Channel]:
    """Annotate ``member_count`` (active), ``message_count`` and ``pending_count``."""
    return channels.annotate(
        member_count=member_count_expression(),
        message_count=message_count_expression(),
        pending_count=_count(
            Membership.objects.filter(channel=OuterRef("pk"), state=Membership.State.PENDING)
        ),
    )


def staff_stores(user) -> QuerySet[Store]:
    """Stores the user runs (owner or manager)."""
    if user is None or not user.is_authenticated:
        return Store.objects.none()
    return Store.objects.filter(staff__user=user).distinct().order_by("name")


def is_store_staff(user, store: Store) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and StoreStaff.objects.filter(store=store, user=user).exists()
    )


def store_channels(store: Store) -> QuerySet[Channel]:
    """The store's group channels (not 1:1 chats), store talk first, with counts."""
    return with_counts(
        Channel.objects.filter(store=store, deleted_at__isnull=True).exclude(
            kind=Channel.Kind.DIRECT
        )
    ).order_by(
        # store first, then goods/promotion by name
        Coalesce("goods_id", Value(0)),
        "title",
        "pk",
    )


def store_pending_requests(store: Store) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            channel__store=store, channel__deleted_at__isnull=True, state=Membership.State.PENDING
        )
        .select_related("user", "channel", "invited_by")
        .order_by("updated_at", "pk")
    )


def store_direct_chats(store: Store, user) -> QuerySet[Channel]:
    """The store's 1:1 customer chats, latest first, with ``unread`` for ``user`` (messages
    after their read pointer, not their own, not deleted) and ``last_body`` (the newest
    message that is not deleted: the preview)."""
    my_pointer = Membership.objects.filter(channel=OuterRef("pk"), user=user).values(
        "last_read_message_id"
    )[:1]
    channels = Channel.objects.filter(
        store=store, kind=Channel.Kind.DIRECT, deleted_at__isnull=True
    ).annotate(pointer=Coalesce(Subquery(my_pointer), Value(0)))
    unread = (
        Message.objects.filter(channel=OuterRef("pk"), pk__gt=OuterRef("pointer"))
        .exclude(author=user)
        .filter(deleted_at__isnull=True)
    )
    last_body = (
        Message.objects.filter(channel=OuterRef("pk"), deleted_at__isnull=True)
        .order_by("-id")
        .values("body")[:1]
    )
    return (
        channels.annotate(unread=_count(unread), last_body=Subquery(last_body))
        .select_related("buyer")
        .order_by("-last_message_at", "-pk")
    )


def store_open_flags(store: Store) -> list[dict]:
    """Reported messages not yet handled, one entry per message (newest report first):
    ``{"message", "flags": [...], "first": flag}``."""
    flags = (
        MessageFlag.objects.filter(
            message__channel__store=store,
            message__channel__deleted_at__isnull=True,
            resolved_at__isnull=True,
        )
        .select_related("message__author", "message__channel", "reporter")
        .order_by("-created_at", "-pk")
    )
    grouped: dict[int, dict] = {}
    for flag in flags:
        entry = grouped.setdefault(
            flag.message_id, {"message": flag.message, "flags": [], "first": flag}
        )
        entry["flags"].append(flag)
    return list(grouped.values())


def channel_members(channel: Channel) -> QuerySet[Membership]:
    """Active and banned members: staff first, then by join time."""
    return (
        Membership.objects.filter(
            channel=channel, state__in=[Membership.State.ACTIVE, Membership.State.BANNED]
        )
        .select_related("user")
        .annotate(
            role_rank=Case(
                When(role=Membership.Role.OWNER, then=Value(0)),
                When(role=Membership.Role.MANAGER, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("state", "role_rank", "joined_at", "pk")  # active before banned
    )


def channel_recent_messages(channel: Channel, limit: int = 20) -> list[Message]:
    """The newest messages (oldest first) for the seller's channel page."""
    rows = list(
        Message.objects.filter(channel=channel).select_related("author").order_by("-pk")[:limit]
    )
    rows.reverse()
    return rows


def channel_invitations(channel: Channel, user, *, everyone: bool) -> QuerySet[Invitation]:
    """Links of ``channel`` made by ``user`` (managers: by ``everyone``), newest first."""
    invitations = Invitation.objects.filter(channel=channel).select_related("inviter", "invitee")
    if not everyone:
        invitations = invitations.filter(inviter=user)
    return invitations.order_by("-created_at", "-pk")


def channel_active_member_count(channel: Channel) -> int:
    return Membership.objects.filter(channel=channel, state=Membership.State.ACTIVE).count()


def admin_channel_scope(user) -> Q:
    """The channels a user sees in the admin: everything for superusers, else their stores'."""
    if user.is_superuser:
        return Q()
    return Q(store__staff__user=user)
