"""Channel lifecycle: the channels that stores and goods own, and managers' channel functions.

Managers' functions check access first (``channel_require_manager``): an active owner/manager
membership of the channel, or a platform superuser (Django admin, staff commands). Every change
is announced after commit to the channel's group as ``chat.channel`` so open panes update;
renames and archiving also leave a system message in the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chat.access import access_channel_manage, membership_of
from chat.exceptions import Archived, BadMessage, BadState, ChannelNotFound, Forbidden
from chat.groups import channel_group, inbox_group
from chat.models import Channel, Membership, Message
from chat.services.messages import message_post, send_after_commit
from shop.models import Goods, Store, StoreStaff

MAX_TITLE_CHARS = 100
MAX_DESCRIPTION_CHARS = 1000


# --- helpers shared by the chat services -------------------------------------------------


def is_platform_staff(user) -> bool:
    """Talkmall's own staff (superusers) may moderate every channel (admin, commands)."""
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def channel_require_manager(*, actor, channel: Channel) -> Membership | None:
    """Access gate of the managers' functions: the actor's owner/manager membership (or
    None for platform staff). Raises the access errors of ``chat.access`` otherwise."""
    if is_platform_staff(actor):
        if channel.deleted_at is not None:
            raise ChannelNotFound()
        return membership_of(actor, channel)
    _, membership = access_channel_manage(actor, channel.pk)
    return membership


def post_system(*, channel: Channel, event: str, text: str, **data) -> Message | None:
    """Leave a system line in the history (skipped in an archived channel: it is read-only).

    ``text`` is stored in the site's language (see ``system_text``) so every reader sees the
    same line; ``data`` keeps the facts (``event`` and who) for clients that render their own."""
    channel.refresh_from_db(fields=["archived_at"])
    if channel.is_archived:
        return None
    return message_post(
        channel=channel,
        author=None,
        kind=Message.Kind.SYSTEM,
        body=text,
        data={"event": event, **data},
    )


def system_text(source: str, **params) -> str:
    """``source`` translated into the site's default language, then formatted."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(source) % params


def send_inbox(user_id: int, frame: dict) -> None:
    """After commit: push ``frame`` to every ``/ws/inbox/`` socket of the user."""
    send_after_commit(inbox_group(user_id), {"type": "inbox.event", "frame": frame})


def send_channel_state(channel: Channel) -> None:
    """After commit: tell open panes the channel's title/description/archived/deleted state."""
    send_after_commit(
        channel_group(channel.pk),
        {
            "type": "chat.channel",
            "channel": channel.pk,
            "title": channel.title,
            "description": channel.description,
            "archived": channel.archived_at is not None,
            "deleted": channel.deleted_at is not None,
        },
    )


def _locked(channel: Channel) -> Channel:
    return Channel.objects.select_for_update().get(pk=channel.pk)


# --- creation -----------------------------------------------------------------------------


@transaction.atomic
def channel_ensure_for_store(*, store: Store) -> Channel:
    """The store's own channel ("store talk"); its staff become owner/manager members."""
    channel, _ = Channel.objects.get_or_create(
        key=f"store:{store.pk}",
        defaults={
            "kind": Channel.Kind.STORE,
            "store": store,
            "title": store.name,
            "visibility": store.visibility,
            "description": store.description,
        },
    )
    _sync_staff_memberships(channel)
    return channel


@transaction.atomic
def channel_ensure_for_goods(*, goods: Goods) -> Channel:
    """The goods item's channel ("goods talk"), as open or closed as its store.

    A closed store's members are members of its goods talks: a new goods channel of a
    closed store starts with the active members of the store channel."""
    channel, created = Channel.objects.get_or_create(
        key=f"goods:{goods.pk}",
        defaults={
            "kind": Channel.Kind.GOODS,
            "goods": goods,
            "store": goods.store,
            "title": goods.name,
            "visibility": goods.store.visibility,
        },
    )
    _sync_staff_memberships(channel)
    if created and channel.is_closed:
        _copy_store_members(channel)
    return channel


def _copy_store_members(channel: Channel) -> None:
    store_members = Membership.objects.filter(
        channel__key=f"store:{channel.store_id}",
        state__in=[Membership.State.ACTIVE, Membership.State.BANNED],
        role=Membership.Role.MEMBER,
    )
    existing = set(Membership.objects.filter(channel=channel).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(
                channel=channel,
                user_id=m.user_id,
                role=Membership.Role.MEMBER,
                state=m.state,
                joined_at=m.joined_at,
            )
            for m in store_members
            if m.user_id not in existing
        ]
    )


def _sync_staff_memberships(channel: Channel) -> None:
    now = timezone.now()
    for staff in StoreStaff.objects.filter(store=channel.store):
        role = (
            Membership.Role.OWNER
            if staff.role == StoreStaff.Role.OWNER
            else Membership.Role.MANAGER
        )
        membership, created = Membership.objects.get_or_create(
            channel=channel,
            user_id=staff.user_id,
            defaults={"role": role, "state": Membership.State.ACTIVE, "joined_at": now},
        )
        if not created and (membership.role != role or membership.state != Membership.State.ACTIVE):
            membership.role = role
            membership.state = Membership.State.ACTIVE
            membership.save(update_fields=["role", "state", "updated_at"])


# --- managers' functions ------------------------------------------------------------------


@transaction.atomic
def channel_rename(*, channel: Channel, actor, title: str) -> Channel:
    """Rename the channel (1..100 characters); a system line records it."""
    channel_require_manager(actor=actor, channel=channel)
    title = (title or "").strip()
    if not title:
        raise BadMessage(_("The channel name cannot be empty."))
    if len(title) > MAX_TITLE_CHARS:
        raise BadMessage(_("The channel name can be at most 100 characters."))
    channel = _locked(channel)
    if channel.is_archived:
        raise Archived(_("This channel is archived: unarchive it first."))
    if title == channel.title:
        return channel
    channel.title = title
    channel.save(update_fields=["title"])
    post_system(
        channel=channel,
        event="renamed",
        text=system_text(
            gettext_noop("%(name)s renamed the channel to “%(title)s”."),
            name=actor.name,
            title=title,
        ),
        user={"id": actor.pk, "name": actor.name},
        title=title,
    )
    send_channel_state(channel)
    return channel


@transaction.atomic
def channel_describe(*, channel: Channel, actor, description: str) -> Channel:
    """Change the channel's description (at most 1000 characters, may be empty)."""
    channel_require_manager(actor=actor, channel=channel)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise BadMessage(_("The description can be at most 1000 characters."))
    channel = _locked(channel)
    if channel.is_archived:
        raise Archived(_("This channel is archived: unarchive it first."))
    channel.description = description
    channel.save(update_fields=["description"])
    send_channel_state(channel)
    return channel


@transaction.atomic
def channel_archive(*, channel: Channel, actor) -> Channel:
    """Make the channel read-only: history stays readable and searchable, sending is refused."""
    channel_require_manager(actor=actor, channel=channel)
    channel = _locked(channel)
    if channel.is_archived:
        raise BadState(_("This channel is already archived."))
    # The line goes in first: once archived the channel takes no messages.
    post_system(
        channel=channel,
        event="archived",
        text=system_text(
            gettext_noop("%(name)s archived the channel. It is read-only now."), name=actor.name
        ),
        user={"id": actor.pk, "name": actor.name},
    )
    channel.archived_at = timezone.now()
    channel.save(update_fields=["archived_at"])
    send_channel_state(channel)
    return channel


@transaction.atomic
def channel_unarchive(*, channel: Channel, actor) -> Channel:
    """Open an archived channel for messages again."""
    channel_require_manager(actor=actor, channel=channel)
    channel = _locked(channel)
    if not channel.is_archived:
        raise BadState(_("This channel is not archived."))
    channel.archived_at = None
    channel.save(update_fields=["archived_at"])
    post_system(
        channel=channel,
        event="unarchived",
        text=system_text(gettext_noop("%(name)s reopened the channel."), name=actor.name),
        user={"id": actor.pk, "name": actor.name},
    )
    send_channel_state(channel)
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel, actor) -> Channel:
    """Hide the channel from every listing (owner only). History is kept for staff.

    The store's own channel cannot be deleted (the store page needs it): archive it instead."""
    membership = channel_require_manager(actor=actor, channel=channel)
    if not is_platform_staff(actor) and (
        membership is None or membership.role != Membership.Role.OWNER
    ):
        raise Forbidden(_("Only the store's owner can delete a channel."))
    if channel.kind == Channel.Kind.STORE:
        raise Forbidden(_("The store's own talk cannot be deleted; archive it instead."))
    channel = _locked(channel)
    channel.deleted_at = timezone.now()
    channel.save(update_fields=["deleted_at"])
    send_channel_state(channel)
    return channel
