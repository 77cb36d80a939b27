"""Goods: items a store sells, with ordered images and options that carry their own stock."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.stores import MAX_PRICE_WON, Store, StoreCategory

MAX_STOCK = 1_000_000


class Goods(models.Model):
    class Status(models.TextChoices):
        ON_SALE = "on_sale", _("On sale")
        SOLD_OUT = "sold_out", _("Sold out")
        HIDDEN = "hidden", _("Hidden")

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="goods")
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=20, choices=StoreCategory.choices, default=StoreCategory.OTHER
    )
    description = models.TextField(_("description"), blank=True)
    tags = models.CharField(
        _("tags"), max_length=200, blank=True, help_text=_("Comma separated, e.g. 니트, 겨울, 선물")
    )
    price = models.PositiveIntegerField(
        _("price (won, VAT included)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PRICE_WON - 1)],
    )
    list_price = models.PositiveIntegerField(
        _("list price (won)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PRICE_WON - 1)],
        help_text=_("Shown struck through when higher than the price."),
    )
    stock = models.PositiveIntegerField(
        _("stock"),
        default=0,
        validators=[MaxValueValidator(MAX_STOCK)],
        help_text=_("Used when the goods have no options; each option has its own stock."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ON_SALE
    )
    featured = models.BooleanField(_("featured on the store front"), default=False)
    is_preorder = models.BooleanField(_("pre-order (예약 판매)"), default=False)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    preorder_cap = models.PositiveIntegerField(
        _("pre-order cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STOCK)],
        help_text=_("The most pieces taken before the release date. Empty: no cap."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("shop:goods_detail", args=[self.pk])

    @property
    def discount_percent(self) -> int:
        if self.list_price and self.list_price > self.price:
            return (self.list_price - self.price) * 100 // self.list_price
        return 0

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def first_image(self):
        """The first image (uses a prefetched ``images`` list when there is one)."""
        images = list(self.images.all())
        return images[0] if images else None


class GoodsOption(models.Model):
    """One choice of a goods item (e.g. "M / 블랙") with its own stock and price difference."""

    goods = models.ForeignKey(Goods, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("option"), max_length=60, help_text=_("e.g. M / Black"))
    price_delta = models.IntegerField(
        _("price difference (won)"),
        default=0,
        validators=[
            MinValueValidator(-(MAX_PRICE_WON - 1)),
            MaxValueValidator(MAX_PRICE_WON - 1),
        ],
    )
    stock = models.PositiveIntegerField(
        _("stock"), default=0, validators=[MaxValueValidator(MAX_STOCK)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("goods option")
        verbose_name_plural = _("goods options")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["goods", "name"], name="uniq_goods_option_name"),
        ]

    def __str__(self) -> str:
        return f"{self.goods} · {self.name}"

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class GoodsImage(models.Model):
    goods = models.ForeignKey(Goods, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="goods/%Y/%m/")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goods image")
        verbose_name_plural = _("goods images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.goods} #{self.position}"
