"""Promotions: create, modify and end them; group-buy commitments and settlement.

Each promotion owns a promotion talk (``chat.Channel(kind="promotion")``) linked by
``Promotion.channel``: closed when the promotion is members-only, otherwise as open as the
store; the store's staff are its owners/managers (same sync as the store and goods talks).

Group buys (공동구매) are settled once, when the deadline passes (``promotions close_expired``)
or when the seller ends one early: with at least ``group_min_buyers`` committed buyers every
commitment is confirmed and records the group price; otherwise every commitment is released.
Either way each buyer gets an inbox frame ``{"type": "group_buy", ...}`` and the promotion
talk gets a system line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shop.access import is_store_member
from shop.exceptions import NotAllowed, ShopError
from shop.models import Goods, GroupBuyCommitment, Promotion, Store, Visibility
from shop.models.promotions import MAX_PERCENT
from shop.services.stores import require_store_staff

PROMOTION_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "members_only",
    "grade",
    "discount_type",
    "discount_value",
    "store_wide",
    "group_price",
    "group_min_buyers",
)
# What may change once a group buy has commitments (the deal people committed to stays).
GROUP_BUY_LOCKED = ("group_price", "group_min_buyers", "starts_at")


# --- validation ---------------------------------------------------------------------------


def promotion_check(*, store: Store, fields: dict, goods: list[Goods]) -> None:
    """Refuse an inconsistent promotion with a ShopError naming the field."""
    kind = fields.get("kind")
    grade = fields.get("grade")
    if grade is not None and grade.store_id != store.pk:
        raise ShopError(_("Choose a grade of this store."), field="grade")
    if kind not in Promotion.Kind.values:
        raise ShopError(_("Choose the kind of promotion."), field="kind")
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    if not starts_at:
        raise ShopError(_("Enter when the promotion starts."), field="starts_at")
    if not ends_at:
        raise ShopError(_("Enter when the promotion ends."), field="ends_at")
    if ends_at <= starts_at:
        raise ShopError(_("The end must be after the start."), field="ends_at")
    for item in goods:
        if item.store_id != store.pk or item.is_deleted:
            raise ShopError(_("Choose goods of this store."), field="goods")
    if kind == Promotion.Kind.DISCOUNT:
        _check_discount(fields, goods)
    elif kind == Promotion.Kind.GROUP_BUY:
        _check_group_buy(fields, goods)


def _check_discount(fields: dict, goods: list[Goods]) -> None:
    kind, value = fields.get("discount_type"), fields.get("discount_value")
    if kind not in Promotion.DiscountType.values:
        raise ShopError(_("Choose percent or won off."), field="discount_type")
    if not value:
        raise ShopError(_("Enter the discount."), field="discount_value")
    if kind == Promotion.DiscountType.PERCENT and not 1 <= value <= MAX_PERCENT:
        raise ShopError(
            _("A percent discount must be between 1 and %(max)d.") % {"max": MAX_PERCENT},
            field="discount_value",
        )
    if not fields.get("store_wide") and not goods:
        raise ShopError(_("Choose the goods on discount, or make it store-wide."), field="goods")
    if kind == Promotion.DiscountType.FIXED:
        for item in goods:
            if value >= item.price:
                raise ShopError(
                    _("The discount must be less than the price of “%(name)s” (%(price)s won).")
                    % {"name": item.name, "price": f"{item.price:,}"},
                    field="discount_value",
                )


def _check_group_buy(fields: dict, goods: list[Goods]) -> None:
    if len(goods) != 1:
        raise ShopError(_("A group buy is for exactly one goods item."), field="goods")
    price, buyers = fields.get("group_price"), fields.get("group_min_buyers")
    if not price:
        raise ShopError(_("Enter the group price."), field="group_price")
    if price >= goods[0].price:
        raise ShopError(
            _("The group price must be lower than the usual price (%(price)s won).")
            % {"price": f"{goods[0].price:,}"},
            field="group_price",
        )
    if not buyers or buyers < 2:
        raise ShopError(_("A group buy needs at least 2 buyers."), field="group_min_buyers")


def _clean_fields(fields: dict) -> dict:
    """Fields that do not belong to the kind are cleared, so nothing stale stays behind."""
    data = {k: fields.get(k) for k in PROMOTION_FIELDS if k in fields}
    kind = data.get("kind")
    if kind != Promotion.Kind.DISCOUNT:
        data.update(discount_type="", discount_value=None, store_wide=False)
    if kind != Promotion.Kind.GROUP_BUY:
        data.update(group_price=None, group_min_buyers=None)
    data["description"] = (data.get("description") or "").strip()
    data["title"] = (data.get("title") or "").strip()
    data["members_only"] = bool(data.get("members_only"))
    data["store_wide"] = bool(data.get("store_wide"))
    data["discount_type"] = data.get("discount_type") or ""
    return data


def _full_clean(promotion: Promotion) -> None:
    try:
        promotion.full_clean(exclude=["store", "channel", "created_by"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ShopError(messages[0], field=field) from None


# --- the promotion talk -------------------------------------------------------------------


def _channel_visibility(promotion: Promotion) -> str:
    return Visibility.CLOSED if promotion.members_only else promotion.store.visibility


def promotion_channel_ensure(*, promotion: Promotion):
    """The promotion's talk channel (created once), its title and visibility kept in step,
    the store's staff as owner/managers and, when closed, the store's members as members."""
    from chat.models import Channel
    from chat.services.channels import _copy_store_members, _sync_staff_memberships

    visibility = _channel_visibility(promotion)
    channel, created = Channel.objects.get_or_create(
        key=f"promotion:{promotion.pk}",
        defaults={
            "kind": Channel.Kind.PROMOTION,
            "store": promotion.store,
            "title": promotion.title,
            "description": promotion.description[:1000],
            "visibility": visibility,
        },
    )
    changed = []
    if channel.title != promotion.title:
        channel.title = promotion.title
        changed.append("title")
    if channel.visibility != visibility:
        channel.visibility = visibility
        changed.append("visibility")
    if changed:
        channel.save(update_fields=changed)
    _sync_staff_memberships(channel)
    if (created or "visibility" in changed) and channel.is_closed:
        _copy_store_members(channel)
    if promotion.channel_id != channel.pk:
        promotion.channel = channel
        Promotion.objects.filter(pk=promotion.pk).update(channel=channel)
    return channel


# --- seller actions -----------------------------------------------------------------------


@transaction.atomic
def promotion_create(
    *, store: Store, actor, fields: dict, goods: list[Goods] | None = None
) -> Promotion:
    """Create a promotion and its promotion talk. Nothing is saved when anything is refused."""
    require_store_staff(actor, store)
    goods = list(goods or [])
    data = _clean_fields(fields)
    if data.get("store_wide"):
        goods = []
    promotion_check(store=store, fields=data, goods=goods)
    if data["ends_at"] <= timezone.now():
        raise ShopError(_("The end has already passed."), field="ends_at")
    promotion = Promotion(store=store, created_by=actor, **data)
    _full_clean(promotion)
    promotion.save()
    promotion.goods.set(goods)
    promotion_channel_ensure(promotion=promotion)
    return promotion


@transaction.atomic
def promotion_update(
    *, promotion: Promotion, actor, fields: dict, goods: list[Goods] | None = None
) -> Promotion:
    """Change a promotion that has not ended. The kind stays; a group buy with commitments
    keeps its goods, price, buyers needed and start."""
    require_store_staff(actor, promotion.store)
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if promotion.is_ended:
        raise NotAllowed(_("This promotion has ended; it cannot be changed."))
    goods = list(goods or [])
    data = _clean_fields({**fields, "kind": promotion.kind})
    if data.get("store_wide"):
        goods = []
    promotion_check(store=promotion.store, fields=data, goods=goods)
    if promotion.is_group_buy and promotion.commitments.exists():
        current_goods = list(promotion.goods.values_list("pk", flat=True))
        if [g.pk for g in goods] != current_goods or any(
            data.get(k) != getattr(promotion, k) for k in GROUP_BUY_LOCKED
        ):
            raise NotAllowed(
                _(
                    "Buyers have committed to this group buy: only the title, description, "
                    "deadline and members-only setting can change."
                ),
                field="group_price",
            )
    for key, value in data.items():
        setattr(promotion, key, value)
    _full_clean(promotion)
    promotion.save()
    promotion.goods.set(goods)
    promotion_channel_ensure(promotion=promotion)
    return promotion


@transaction.atomic
def promotion_end(*, promotion: Promotion, actor, now: datetime | None = None) -> Promotion:
    """End a promotion now (its prices stop at once); a group buy is settled right away."""
    require_store_staff(actor, promotion.store)
    now = now or timezone.now()
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if promotion.is_ended:
        raise NotAllowed(_("This promotion has already ended."))
    if promotion.is_group_buy:
        group_buy_settle(promotion=promotion, now=now)
    else:
        promotion.ended_at = now
        promotion.save(update_fields=["ended_at"])
        _post_system(
            promotion,
            "promotion_ended",
            gettext_noop("The promotion “%(title)s” has ended."),
        )
    promotion.refresh_from_db()
    return promotion


# --- buyers: group-buy commitments --------------------------------------------------------


def promotion_visible_to(promotion: Promotion, user) -> bool:
    """Members-only promotions are invisible to non-members (and so are suspended stores)."""
    if not promotion.store.is_active:
        return False
    return not promotion.members_only or is_store_member(user, promotion.store)


@transaction.atomic
def group_buy_commit(
    *, promotion: Promotion, user, now: datetime | None = None
) -> GroupBuyCommitment:
    """Commit to a running group buy (once per buyer; committing again changes nothing)."""
    from shop.access import can_see_member_content

    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in to join the group buy."))
    now = now or timezone.now()
    promotion = Promotion.objects.select_for_update().select_related("store").get(pk=promotion.pk)
    if not promotion.is_group_buy:
        raise NotAllowed(_("This promotion is not a group buy."))
    if not promotion_visible_to(promotion, user) or not can_see_member_content(
        user, promotion.store
    ):
        raise NotAllowed(_("Only members of the store can join this group buy."))
    if promotion.grade_id:
        from shop.loyalty.services.grades import grade_rank_of

        if grade_rank_of(user, promotion.store_id) < promotion.grade.rank:
            raise NotAllowed(
                _("Only %(grade)s customers and above can join this group buy.")
                % {"grade": promotion.grade.name}
            )
    if not promotion.is_running(now):
        if now < promotion.starts_at:
            raise NotAllowed(_("This group buy has not started yet."))
        raise NotAllowed(_("This group buy is closed."))
    item = promotion.goods.first()
    if item is None or item.is_deleted or item.status == Goods.Status.HIDDEN:
        raise NotAllowed(_("The goods of this group buy are no longer on sale."))
    commitment, created = GroupBuyCommitment.objects.get_or_create(promotion=promotion, user=user)
    if not created and commitment.state != GroupBuyCommitment.State.COMMITTED:
        commitment.state = GroupBuyCommitment.State.COMMITTED
        commitment.save(update_fields=["state", "updated_at"])
    return commitment


@transaction.atomic
def group_buy_withdraw(
    *, promotion: Promotion, user, now: datetime | None = None
) -> GroupBuyCommitment:
    """Take back a commitment before the deadline."""
    if user is None or not user.is_authenticated:
        raise NotAllowed(_("Sign in to join the group buy."))
    now = now or timezone.now()
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    commitment = GroupBuyCommitment.objects.filter(
        promotion=promotion, user=user, state=GroupBuyCommitment.State.COMMITTED
    ).first()
    if commitment is None:
        raise NotAllowed(_("You have not committed to this group buy."))
    if not promotion.is_running(now):
        raise NotAllowed(_("This group buy is closed."))
    commitment.state = GroupBuyCommitment.State.WITHDRAWN
    commitment.save(update_fields=["state", "updated_at"])
    return commitment


# --- settlement ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Closed:
    """What ``promotions_close_expired`` did to one promotion."""

    promotion: Promotion
    outcome: str  # "ended", "succeeded" or "failed"
    buyers: int


def _post_system(promotion: Promotion, event: str, source: str, **params) -> None:
    if promotion.channel_id is None:
        return
    from chat.services.channels import post_system, system_text

    post_system(
        channel=promotion.channel,
        event=event,
        text=system_text(source, title=promotion.title, **params),
        promotion=promotion.pk,
    )


@transaction.atomic
def group_buy_settle(*, promotion: Promotion, now: datetime | None = None) -> Closed | None:
    """Settle a group buy once: confirm at the group price, or release. None if settled."""
    from chat.services.channels import send_inbox

    now = now or timezone.now()
    promotion = Promotion.objects.select_for_update().select_related("store").get(pk=promotion.pk)
    if not promotion.is_group_buy or promotion.outcome:
        return None
    committed = list(
        GroupBuyCommitment.objects.select_for_update().filter(
            promotion=promotion, state=GroupBuyCommitment.State.COMMITTED
        )
    )
    succeeded = len(committed) >= (promotion.group_min_buyers or 0)
    outcome = Promotion.Outcome.SUCCEEDED if succeeded else Promotion.Outcome.FAILED
    ids = [c.pk for c in committed]
    if succeeded:
        GroupBuyCommitment.objects.filter(pk__in=ids).update(
            state=GroupBuyCommitment.State.CONFIRMED, price=promotion.group_price, updated_at=now
        )
    else:
        GroupBuyCommitment.objects.filter(pk__in=ids).update(
            state=GroupBuyCommitment.State.RELEASED, updated_at=now
        )
    promotion.outcome = outcome
    if promotion.ended_at is None:
        promotion.ended_at = now
    promotion.save(update_fields=["outcome", "ended_at"])
    for commitment in committed:
        send_inbox(
            commitment.user_id,
            {
                "type": "group_buy",
                "promotion": promotion.pk,
                "title": promotion.title,
                "store": promotion.store.name,
                "outcome": outcome,
                "price": promotion.group_price if succeeded else None,
                "buyers": len(committed),
                "needed": promotion.group_min_buyers,
                "url": promotion.get_absolute_url(),
            },
        )
    if succeeded:
        _post_system(
            promotion,
            "group_buy_succeeded",
            gettext_noop(
                "The group buy “%(title)s” succeeded with %(buyers)d buyers: "
                "the group price of %(price)s won is confirmed."
            ),
            buyers=len(committed),
            price=f"{promotion.group_price:,}",
        )
    else:
        _post_system(
            promotion,
            "group_buy_failed",
            gettext_noop(
                "The group buy “%(title)s” closed with %(buyers)d of %(needed)d buyers: "
                "every commitment is released."
            ),
            buyers=len(committed),
            needed=promotion.group_min_buyers or 0,
        )
    return Closed(promotion=promotion, outcome=outcome, buyers=len(committed))


def promotions_close_expired(*, now: datetime | None = None) -> list[Closed]:
    """End every promotion whose end has passed and settle its group buy. Idempotent: a
    second run finds nothing to do and returns an empty list."""
    now = now or timezone.now()
    done: list[Closed] = []
    expired = Promotion.objects.filter(ended_at__isnull=True, ends_at__lte=now)
    unsettled = Promotion.objects.filter(
        kind=Promotion.Kind.GROUP_BUY, outcome="", ended_at__isnull=False
    )
    for promotion_id in (
        (expired | unsettled).order_by("ends_at", "id").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            promotion = Promotion.objects.select_for_update().get(pk=promotion_id)
            if promotion.is_group_buy:
                result = group_buy_settle(promotion=promotion, now=now)
                if result is not None:
                    done.append(result)
            elif promotion.ended_at is None:
                promotion.ended_at = now
                promotion.save(update_fields=["ended_at"])
                _post_system(
                    promotion,
                    "promotion_ended",
                    gettext_noop("The promotion “%(title)s” has ended."),
                )
                done.append(Closed(promotion=promotion, outcome="ended", buyers=0))
    return done
