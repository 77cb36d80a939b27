"""Access gates for channels. Every view, consumer, API endpoint and command calls these first.

Missing and forbidden look the same (``ChannelNotFound`` → 404 / close 4404), except for a
closed channel that is public anyway (listed on its store's teaser page): ``NotMember`` →
403 / close 4403, so the page can offer "request to join".
"""

from __future__ import annotations

from django.db.models import QuerySet

from chat.exceptions import Banned, ChannelNotFound, NotMember
from chat.models import Channel, Membership


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


def access_channel_read(user, channel_id: int) -> tuple[Channel, Membership | None]:
    """The channel if ``user`` may read it, with their membership (None for an open
    channel's non-member reader). Direct channels exist only for their buyer and the store's
    staff; banned users read nothing; closed channels need an active membership."""
    channel, membership = _channel_and_membership(user, channel_id)
    if channel.kind == Channel.Kind.DIRECT:
        if membership is None or not membership.is_active:
            raise ChannelNotFound()
        return channel, membership
    if membership is not None and membership.state == Membership.State.BANNED:
        raise Banned()
    if channel.is_closed and (membership is None or not membership.is_active):
        raise NotMember()
    if user is None or not user.is_authenticated:
        # Open channels are readable by anyone signed in; anonymous visitors see the
        # server-rendered pane on public pages only (views decide), never the socket/API.
        raise NotMember()
    return channel, membership


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
