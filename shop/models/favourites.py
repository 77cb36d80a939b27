"""Favourites: stores and goods a buyer keeps an eye on (the "my favourites" page)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.goods import Goods
from shop.models.stores import Store


class FavouriteStore(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_stores"
    )
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="favourited_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favourite store")
        verbose_name_plural = _("favourite stores")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "store"], name="uniq_favourite_store"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.store}"


class FavouriteGoods(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_goods"
    )
    goods = models.ForeignKey(Goods, on_delete=models.CASCADE, related_name="favourited_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favourite goods")
        verbose_name_plural = _("favourite goods")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "goods"], name="uniq_favourite_goods"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.goods}"
