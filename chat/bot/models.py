"""Chat automation: the store's bot settings, FAQ entries, the questions log, per-channel
switches, price offers and the price locks an accepted offer (or a haggle reward) gives."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OFFER_TTL = timedelta(hours=24)  # an unanswered offer or counter expires after this
LOCK_TTL = timedelta(hours=24)  # an agreed price can be bought this long, once

WEEKDAYS = "0123456"  # Monday = 0, as datetime.weekday()


class StoreBot(models.Model):
    """One store's automation settings. Missing row = the defaults below."""

    store = models.OneToOneField(
        "shop.Store", on_delete=models.CASCADE, related_name="bot", verbose_name=_("store")
    )
    # Business hours used to decide "outside hours" (Asia/Seoul). Empty times: always open.
    open_days = models.CharField(
        _("open days"),
        max_length=7,
        default="01234",
        blank=True,
        help_text=_("Weekdays the store answers, Monday = 0 … Sunday = 6, e.g. 01234."),
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    quiet_reply = models.BooleanField(
        _("answer 1:1 chats outside business hours"),
        default=True,
        help_text=_("Once per closed period: the hours and the topics the bot can answer."),
    )
    # Price offers ("깎아줘")
    offers_enabled = models.BooleanField(_("buyers may make price offers"), default=False)
    max_discount_percent = models.PositiveSmallIntegerField(
        _("largest discount you ever accept (%)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("The floor price. Never shown to buyers."),
    )
    auto_accept_percent = models.PositiveSmallIntegerField(
        _("accept automatically up to this discount (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Empty: you decide every offer."),
    )
    auto_decline = models.BooleanField(
        _("decline offers below the floor automatically"), default=True
    )
    auto_counter_percent = models.PositiveSmallIntegerField(
        _("instead of declining, counter at this discount (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Offers below the floor get this counter-offer. Empty: no automatic counter."),
    )
    reward_percent = models.PositiveSmallIntegerField(
        _("consolation coupon on a declined offer (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("A one-time price for that buyer, valid 24 hours. Empty: none."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("store bot")
        verbose_name_plural = _("store bots")

    def __str__(self) -> str:
        return str(self.store)


class BotChannel(models.Model):
    """The bot's switch and quiet-hours memory for one channel. Missing row = on."""

    channel = models.OneToOneField(
        "chat.Channel", on_delete=models.CASCADE, related_name="bot_state"
    )
    enabled = models.BooleanField(_("auto-answers on"), default=True)
    quiet_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bot channel switch")
        verbose_name_plural = _("bot channel switches")

    def __str__(self) -> str:
        return f"{self.channel_id}: {'on' if self.enabled else 'off'}"


class FaqEntry(models.Model):
    """A question the bot answers. ``source`` set = filled from the store's settings: its
    answer is written from the current settings every time, so it never goes stale."""

    class Source(models.TextChoices):
        SHIPPING_FEE = "shipping_fee", _("Shipping fee")
        FREE_SHIPPING = "free_shipping", _("Free shipping")
        DISPATCH = "dispatch", _("Delivery time")
        RETURNS = "returns", _("Returns and exchanges")
        HOURS = "hours", _("Business hours")

    store = models.ForeignKey("shop.Store", on_delete=models.CASCADE, related_name="faq_entries")
    source = models.CharField(
        _("filled from settings"), max_length=20, choices=Source.choices, null=True, blank=True
    )
    question = models.CharField(_("question"), max_length=200, blank=True)
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        help_text=_("Comma separated words or phrases, Korean or English, e.g. 사이즈, 치수, size"),
    )
    enabled = models.BooleanField(_("on"), default=True)
    position = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        ordering = ["position", "id"]
        constraints = [
            # NULL source (the seller's own entries) repeats freely on every database.
            models.UniqueConstraint(fields=["store", "source"], name="uniq_faq_store_source"),
        ]

    def __str__(self) -> str:
        return self.question or self.get_source_display() or self.keywords

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class BotQuestion(models.Model):
    """A buyer's question the bot saw: answered (entry or intent set) or not."""

    store = models.ForeignKey("shop.Store", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="+")
    message = models.OneToOneField("chat.Message", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    entry = models.ForeignKey(FaqEntry, on_delete=models.SET_NULL, null=True, blank=True)
    intent = models.CharField(max_length=20, blank=True)  # "faq", "orders" or ""
    answered = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bot question")
        verbose_name_plural = _("bot questions")
        ordering = ["-id"]
        indexes = [models.Index(fields=["store", "answered", "id"])]

    def __str__(self) -> str:
        return self.text


class Offer(models.Model):
    """A buyer's price offer on one goods item (one option, a quantity), negotiated in the
    buyer's 1:1 chat with the store."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the seller")
        COUNTERED = "countered", _("Waiting for the buyer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    store = models.ForeignKey("shop.Store", on_delete=models.CASCADE, related_name="offers")
    goods = models.ForeignKey("shop.Goods", on_delete=models.CASCADE, related_name="offers")
    option = models.ForeignKey(
        "shop.GoodsOption", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    asked_price = models.PositiveIntegerField(_("unit price when offered"))
    price = models.PositiveIntegerField(_("offered unit price"))
    counter_price = models.PositiveIntegerField(_("counter unit price"), null=True, blank=True)
    agreed_price = models.PositiveIntegerField(_("agreed unit price"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("offered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_message_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("price offer")
        verbose_name_plural = _("price offers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["store", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.goods} × {self.quantity} @ {self.price}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.COUNTERED)

    @property
    def is_due(self) -> bool:
        return self.is_live and self.expires_at <= timezone.now()


class PriceLock(models.Model):
    """A price for one buyer on one goods line: bought once, within ``expires_at``.
    Given by an accepted offer (``offer`` set) or as a haggle reward coupon."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Agreed price")
        REWARD = "reward", _("Haggle coupon")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OFFER)
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="locks"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="price_locks"
    )
    goods = models.ForeignKey("shop.Goods", on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(
        "shop.GoodsOption", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.PositiveIntegerField(_("unit price"))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("price lock")
        verbose_name_plural = _("price locks")
        ordering = ["-id"]
        indexes = [models.Index(fields=["buyer", "goods", "used_at"])]

    def __str__(self) -> str:
        return f"{self.goods} × {self.quantity} @ {self.unit_price} for {self.buyer}"

    @property
    def is_valid(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
