"""Access gates for channels. Every view, consumer, API endpoint and command calls these first.

Missing and forbidden look the same (``ChannelNotFound`` → 404 / close 4404), except for a
closed channel that is public anyway (listed on its store's teaser page): ``NotMember`` →
403 / close 4403, so the page can offer "request to join".
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.models import QuerySet

from chat.exceptions import Banned, ChannelNotFound, NotMember
from chat.models import Channel, Membership

# ``archived_at`` of a partly loaded archived channel (``access_socket``): only "set" matters.
ARCHIVED = datetime.min.replace(tzinfo=UTC)


def membership_of(user, channel: Channel) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(channel=channel, user=user).first()


def _visible_channel(channel_id: int) -> Channel:
    try:
        return Channel.objects.select_related("store", "goods").get(
            pk=channel_id, deleted_at__isnull=True
        )
    except (Channel.DoesNotExist, ValueError, TypeError):
        raise ChannelNotFound() from None


def _channel_and_membership(user, channel_id: int) -> tuple[Channel, Membership | None]:
    """The visible channel and the user's membership of it (None if they have none): one
    joined query for a member (every websocket frame re-checks access), two otherwise."""
    if user is not None and user.is_authenticated:
        try:
            membership = (
                Membership.objects.select_related("channel__store", "channel__goods")
                .filter(channel_id=channel_id, user=user, channel__deleted_at__isnull=True)
                .first()
            )
        except (ValueError, TypeError):
            raise ChannelNotFound() from None
        if membership is not None:
            return membership.channel, membership
    return _visible_channel(channel_id), None


def _rules(kind: str, closed: bool, state: str | None, signed_in: bool) -> None:
    """Who may read a channel, on bare facts (raises the reason they may not). Direct
    channels exist only for their buyer and the store's staff; banned users read nothing;
    closed channels need an active membership; anonymous visitors never use the socket/API
    (they see the server-rendered pane on public pages only, views decide)."""
    active = state == Membership.State.ACTIVE
    if kind == Channel.Kind.DIRECT:
        if not active:
            raise ChannelNotFound()
        return
    if state == Membership.State.BANNED:
        raise Banned()
    if closed and not active:
        raise NotMember()
    if not signed_in:
        raise NotMember()


def access_channel_read(user, channel_id: int) -> tuple[Channel, Membership | None]:
    """The channel if ``user`` may read it, with their membership (None for an open
    channel's non-member reader); see ``_rules``."""
    channel, membership = _channel_and_membership(user, channel_id)
    _rules(
        channel.kind,
        channel.is_closed,
        membership.state if membership is not None else None,
        user is not None and user.is_authenticated,
    )
    return channel, membership


# Columns of the partial Channel that ``access_socket`` builds (the rest load on use).
_SOCKET_CHANNEL_FIELDS = ("id", "kind", "store_id", "goods_id", "buyer_id", "visibility")
_SOCKET_SQL = (
    "SELECT c.id, c.kind, c.store_id, c.goods_id, c.buyer_id, c.visibility,"
    " c.archived_at IS NOT NULL, m.state"
    " FROM chat_channel c LEFT JOIN chat_membership m ON m.channel_id = c.id AND m.user_id = %s"
    " WHERE c.id = %s AND c.deleted_at IS NULL"
)


def access_socket(user, channel_id: int) -> tuple[Channel, str | None]:
    """``access_channel_read`` for an open websocket, in one plain query that builds no
    related objects: every frame a socket sends calls it, so a removed, banned or closed-out
    user is refused at the next frame. Returns a partly loaded channel (other columns load on
    use; ``archived_at`` is a stand-in: set when archived) and the user's membership state
    (None: no membership)."""
    if user is None or not user.is_authenticated:
        raise NotMember()
    with connection.cursor() as cursor:
        cursor.execute(_SOCKET_SQL, [user.pk, channel_id])
        row = cursor.fetchone()
    if row is None:
        raise ChannelNotFound()
    *columns, archived, state = row
    channel = Channel.from_db(
        connection.alias,
        _SOCKET_CHANNEL_FIELDS + ("archived_at", "deleted_at"),
        (*columns, ARCHIVED if archived else None, None),
    )
    _rules(channel.kind, channel.is_closed, state, True)
    return channel, state


def access_channel_write(user, channel_id: int) -> tuple[Channel, Membership]:
    """The channel and the user's active membership, or the reason they may not write."""
    channel, membership = access_channel_read(user, channel_id)
    if membership is None or not membership.is_active:
        raise NotMember()
    return channel, membership


def access_channel_manage(user, channel_id: int) -> tuple[Channel, Membership]:
    """For managers' functions: an active owner/manager membership, else ``NotMember``."""
    channel, membership = access_channel_write(user, channel_id)
    if not membership.is_manager:
        raise NotMember("Only the store's owner and managers can do this.")
    return channel, membership


def readable_channels(user) -> QuerySet[Channel]:
    """Every channel the user may read: active memberships, plus open non-direct channels."""
    if user is None or not user.is_authenticated:
        return Channel.objects.none()
    from django.db.models import Q

    banned = Membership.objects.filter(user=user, state=Membership.State.BANNED).values(
        "channel_id"
    )
    active = Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values(
        "channel_id"
    )
    return Channel.objects.filter(deleted_at__isnull=True).filter(
        Q(pk__in=active) | (Q(visibility="open") & ~Q(kind=Channel.Kind.DIRECT) & ~Q(pk__in=banned))
    )
