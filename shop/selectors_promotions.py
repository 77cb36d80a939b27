"""Promotion reads, scoped by who is asking: members-only promotions only for members."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from shop.access import member_store_ids
from shop.models import Goods, GroupBuyCommitment, Promotion, Store
from shop.selectors import goods_visible


def promotions_visible(user, *, now: datetime | None = None) -> QuerySet[Promotion]:
    """Running and upcoming promotions of active stores the user may see."""
    now = now or timezone.now()
    return (
        Promotion.objects.filter(
            store__status=Store.Status.ACTIVE, ended_at__isnull=True, ends_at__gt=now
        )
        .filter(Q(members_only=False) | Q(store_id__in=member_store_ids(user)))
        .select_related("store")
        .order_by("ends_at", "id")
    )


def promotions_of_store(store: Store, user) -> list[Promotion]:
    return list(promotions_visible(user).filter(store=store)[:20])


def promotions_for_home(user, limit: int = 6) -> list[Promotion]:
    """Running promotions first (ending soonest), then upcoming ones."""
    now = timezone.now()
    visible = promotions_visible(user, now=now)
    running = list(visible.filter(starts_at__lte=now)[:limit])
    if len(running) < limit:
        running += list(
            visible.filter(starts_at__gt=now).order_by("starts_at")[: limit - len(running)]
        )
    return running


def promotion_goods(promotion: Promotion) -> QuerySet[Goods]:
    """The goods a promotion is about (every listed goods item of the store if store-wide)."""
    goods = goods_visible().filter(store=promotion.store)
    if promotion.store_wide:
        return goods
    return goods.filter(promotions=promotion)


def group_buy_committed(promotion: Promotion) -> int:
    return promotion.commitments.filter(
        state__in=[GroupBuyCommitment.State.COMMITTED, GroupBuyCommitment.State.CONFIRMED]
    ).count()


def commitment_of(promotion: Promotion, user) -> GroupBuyCommitment | None:
    if user is None or not user.is_authenticated:
        return None
    return promotion.commitments.filter(user=user).first()


def promotions_for_seller(store: Store) -> QuerySet[Promotion]:
    return Promotion.objects.filter(store=store).order_by("-created_at", "-id")
