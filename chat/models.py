"""Channels, memberships and messages. History is never deleted; see docs/architecture.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from shop.models import Visibility

MAX_BODY_CHARS = 2000


class Channel(models.Model):
    class Kind(models.TextChoices):
        STORE = "store", _("Store talk")
        GOODS = "goods", _("Goods talk")
        PROMOTION = "promotion", _("Promotion talk")
        DIRECT = "direct", _("1:1 chat")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    store = models.ForeignKey("shop.Store", on_delete=models.PROTECT, related_name="channels")
    goods = models.ForeignKey(
        "shop.Goods", on_delete=models.PROTECT, null=True, blank=True, related_name="channels"
    )
    # For a direct channel: the buyer who talks with the store (all store staff share it).
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="direct_channels",
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # "store:<id>", "goods:<id>", "direct:<store>:<buyer>": one channel per owner, on every
    # database (MySQL ignores conditional unique constraints, a unique nullable key works).
    key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Denormalised for the inbox sort; the messages table stays the truth.
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The ``seq`` of the channel's newest message = how many messages it has (every kind,
    # tombstones included; messages are never removed). Moved by ``Message.save`` and
    # ``Message.objects.bulk_create`` in the transaction that inserts; unread counts are
    # ``last_seq - Membership.last_read_seq`` (chat.selectors.unread_counts).
    last_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.visibility == Visibility.CLOSED

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")
        BANNED = "banned", _("Banned")

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    # The read pointer (a message id: the pane's "new messages" divider) and the ``seq`` of the
    # channel's newest message at or before it; both move together (chat.services.reads).
    last_read_message_id = models.BigIntegerField(default=0)
    last_read_seq = models.BigIntegerField(default=0)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    joined_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    hidden = models.BooleanField(default=False, help_text=_("Withdrawn: removed from my list."))
    invitation = models.ForeignKey(
        "Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="uniq_membership"),
        ]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.channel} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_manager(self) -> bool:
        return self.is_active and self.role in (self.Role.OWNER, self.Role.MANAGER)


def take_seqs(channel_id: int, count: int) -> int:
    """Reserve ``count`` consecutive message numbers in a channel; returns the last one. The
    channel row stays locked until the caller's transaction ends, so a channel's messages are
    numbered 1, 2, 3, … in id order (inserts into one channel queue behind each other)."""
    Channel.objects.filter(pk=channel_id).update(last_seq=F("last_seq") + count)
    return Channel.objects.filter(pk=channel_id).values_list("last_seq", flat=True).get()


class MessageQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Number the messages per channel (``seq``), in the given order, then insert."""
        objs = list(objs)
        by_channel: dict[int, list] = {}
        for message in objs:
            by_channel.setdefault(message.channel_id, []).append(message)
        with transaction.atomic(using=self.db):
            for channel_id, group in sorted(by_channel.items()):
                first = take_seqs(channel_id, len(group)) - len(group) + 1
                for offset, message in enumerate(group):
                    message.seq = first + offset
            return super().bulk_create(objs, *args, **kwargs)


class Message(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        SYSTEM = "system", _("System")
        PRODUCT_CARD = "product_card", _("Product card")
        ORDER_CARD = "order_card", _("Order card")
        OFFER = "offer", _("Price offer")
        BOT = "bot", _("Automatic answer")

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    client_id = models.CharField(max_length=64, null=True, blank=True)
    topic = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # 1, 2, 3, … per channel in id order (see take_seqs); set on insert, never changed.
    seq = models.BigIntegerField(default=0, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "author", "client_id"], name="uniq_message_client_id"
            ),
        ]
        indexes = [
            models.Index(fields=["channel", "id"], name="msg_channel_id"),
            models.Index(fields=["channel", "topic", "id"], name="msg_channel_topic_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.channel_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            self.seq = take_seqs(self.channel_id, 1)
            return super().save(*args, **kwargs)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Invitation(models.Model):
    """An invitation link to a channel. Joining through it records who invited whom."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="invitations")
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    token = models.CharField(max_length=64, unique=True)
    # Invitation by username: only this user may use it (null = anyone with the link).
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations_received",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.channel} by {self.inviter}"


class Referral(models.Model):
    """Who invited whom into which store (the loyalty work pays the reward once per invitee)."""

    store = models.ForeignKey("shop.Store", on_delete=models.CASCADE, related_name="referrals")
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals_made"
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals_received"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="referrals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(fields=["store", "invitee"], name="one_referral_per_invitee"),
        ]

    def __str__(self) -> str:
        return f"{self.inviter} → {self.invitee} @ {self.store}"


class Pin(models.Model):
    """A notice pinned at the top of a channel's pane (at most 3 per channel)."""

    MAX_PER_CHANNEL = 3

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="pins")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="pins")
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pinned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pinned notice")
        verbose_name_plural = _("pinned notices")
        constraints = [
            models.UniqueConstraint(fields=["channel", "message"], name="uniq_pin"),
        ]

    def __str__(self) -> str:
        return f"pin {self.message_id} in {self.channel_id}"


class MessageFlag(models.Model):
    """A member reports a message; managers see the list and act on it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reported message")
        verbose_name_plural = _("reported messages")
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="one_flag_per_reporter"),
        ]

    def __str__(self) -> str:
        return f"flag on {self.message_id} by {self.reporter_id}"
