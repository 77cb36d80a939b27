"""Join-request forms (questions a closed store asks, and the answers: personal data) and
satisfaction ratings (CSAT) of 1:1 conversations. See docs/convenience.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ANSWER_CHARS = 500
MAX_COMMENT_CHARS = 1000


class JoinQuestion(models.Model):
    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone")
        NOTE = "note", _("A short note")
        HEARD = "heard", _("How did you hear about us?")
        CUSTOM = "custom", _("Your own question")

    store = models.ForeignKey(
        "shop.Store",
        on_delete=models.CASCADE,
        related_name="join_questions",
        verbose_name=_("store"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=100, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("join question")
        verbose_name_plural = _("join questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The question as the buyer reads it (built-in kinds have a translated label)."""
        if self.kind == self.Kind.CUSTOM:
            return self.label
        return str(self.Kind(self.kind).label)


class JoinRequest(models.Model):
    """One request to join a closed store's channel, and what the seller decided."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Declined")
        CLOSED = "closed", _("Withdrawn or left")

    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    store = models.ForeignKey(
        "shop.Store", on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    message = models.CharField(_("message to the buyer"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.store}"


class JoinAnswer(models.Model):
    """An answer to a join question. Personal data: deleted on rejection and when the
    buyer leaves; kept while they are an active member."""

    request = models.ForeignKey(JoinRequest, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        JoinQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("question"), max_length=100)
    value = models.TextField(_("answer"), max_length=MAX_ANSWER_CHARS, blank=True)

    class Meta:
        verbose_name = _("join answer")
        verbose_name_plural = _("join answers")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label


class CsatSurvey(models.Model):
    """One rating card in a 1:1 chat: one per conversation episode."""

    class Trigger(models.TextChoices):
        QUIET = "quiet", _("Conversation went quiet")
        ORDER = "order", _("Order completed")

    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("channel")
    )
    store = models.ForeignKey(
        "shop.Store", on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="csat_surveys",
        verbose_name=_("buyer"),
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    message = models.ForeignKey(
        "chat.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    episode_last_message_id = models.BigIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=MAX_COMMENT_CHARS, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "created_at"]),
            models.Index(fields=["store", "rated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.store} · {self.buyer} · {self.score or '-'}"
