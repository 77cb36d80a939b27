"""Broadcasts (광고 메시지) into each recipient's 1:1 channel with the store, lawfully:

- only recipients with ``marketing_opt_in`` receive it (the others are counted as skipped);
- the text starts with "(광고)" and the store's name, and ends with how to refuse more;
- nothing is delivered from 20:00 to 08:00 Asia/Seoul: a send in that window is scheduled for
  the next 08:00 and delivered by ``manage.py broadcasts deliver_due`` (consent is checked
  again at delivery).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.db import lock_own_rows
from shop.loyalty.exceptions import LoyaltyError
from shop.loyalty.models import Broadcast, BroadcastRecipient, UserCoupon
from shop.loyalty.services.coupons import require_staff
from shop.loyalty.services.segments import segment_user_ids

SEOUL = ZoneInfo("Asia/Seoul")
QUIET_START = time(20, 0)
QUIET_END = time(8, 0)
AD_PREFIX = "(광고)"


def in_quiet_hours(now: datetime) -> bool:
    """20:00 (inclusive) to 08:00 (exclusive), Asia/Seoul."""
    local = now.astimezone(SEOUL).time()
    return local >= QUIET_START or local < QUIET_END


def next_allowed(now: datetime) -> datetime:
    """``now`` if sending is allowed, else the next 08:00 Asia/Seoul."""
    if not in_quiet_hours(now):
        return now
    local = now.astimezone(SEOUL)
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=SEOUL)


def compose(broadcast: Broadcast) -> str:
    """The text as the law wants it (in Korean, whatever the seller's language)."""
    with translation.override("ko"):
        lines = [f"{AD_PREFIX} {broadcast.store.name}", "", broadcast.body.strip()]
        if broadcast.coupon_id:
            lines += [
                "",
                _("Coupon “%(name)s” is in your wallet: %(url)s")
                % {"name": broadcast.coupon.name, "url": reverse("loyalty:my_coupons")},
            ]
        lines += [
            "",
            _("Free opt-out: turn off “marketing messages” on My page %(url)s")
            % {"url": reverse("accounts:my_page")},
        ]
    return "\n".join(lines)


@transaction.atomic
def broadcast_create(
    *,
    store,
    actor,
    segment: str,
    body: str,
    grade=None,
    channel=None,
    goods=None,
    coupon=None,
    now: datetime | None = None,
) -> Broadcast:
    """Record the broadcast and its recipients; deliver now, or schedule for 08:00."""
    require_staff(actor, store)
    body = (body or "").strip()
    if not body:
        raise LoyaltyError(_("Write the message."), field="body")
    for thing in (grade, channel, goods, coupon):
        if thing is not None and thing.store_id != store.pk:
            raise LoyaltyError(_("Choose something of this store."), field="segment")
    now = now or timezone.now()
    broadcast = Broadcast.objects.create(
        store=store,
        author=actor,
        segment=segment,
        grade=grade,
        channel=channel,
        body=body,
        goods=goods,
        coupon=coupon,
        created_at=now,
    )
    ids = segment_user_ids(store=store, segment=segment, grade=grade, channel=channel)
    consenting = set(
        get_user_model()
        .objects.filter(pk__in=ids, marketing_opt_in=True)
        .values_list("pk", flat=True)
    )
    quiet = in_quiet_hours(now)
    if quiet:
        broadcast.scheduled_for = next_allowed(now)
    rows = []
    for user_id in ids:
        if user_id not in consenting:
            state = BroadcastRecipient.State.SKIPPED
        else:  # delivered just below, or at 08:00 by deliver_due
            state = BroadcastRecipient.State.SCHEDULED
        rows.append(BroadcastRecipient(broadcast=broadcast, user_id=user_id, state=state))
    BroadcastRecipient.objects.bulk_create(rows)
    broadcast.skipped_count = len(ids) - len(consenting)
    broadcast.scheduled_count = len(consenting)
    broadcast.save()
    if not quiet:
        _deliver(broadcast, now=now)
    return broadcast


def _deliver(broadcast: Broadcast, *, now: datetime) -> int:
    """Deliver the scheduled recipients of ``broadcast`` (consent checked again)."""
    from chat.services.direct import OwnStore, channel_open_direct
    from chat.services.messages import message_post
    from shop.access import can_see_member_content, store_role
    from shop.services.goods import goods_card_data

    text = compose(broadcast)
    author = broadcast.author if store_role(broadcast.author, broadcast.store) else None
    sent = 0
    pending = (
        BroadcastRecipient.objects.select_for_update()
        .filter(broadcast=broadcast, state=BroadcastRecipient.State.SCHEDULED)
        .select_related("user")
        .order_by("id")
    )
    for recipient in pending:
        user = recipient.user
        if not user.marketing_opt_in or not user.is_active:
            recipient.state = BroadcastRecipient.State.SKIPPED
            recipient.save(update_fields=["state"])
            broadcast.skipped_count += 1
            broadcast.scheduled_count -= 1
            continue
        try:
            channel = channel_open_direct(store=broadcast.store, buyer=user)
        except OwnStore:
            continue
        if broadcast.coupon_id:
            UserCoupon.objects.get_or_create(
                coupon=broadcast.coupon, user=user, defaults={"via": UserCoupon.Via.BROADCAST}
            )
        message = message_post(
            channel=channel, author=author, body=text, data={"broadcast": broadcast.pk}
        )
        if broadcast.goods_id and not broadcast.goods.is_deleted:
            message_post(
                channel=channel,
                author=author,
                kind="product_card",
                body=broadcast.goods.name,
                data=goods_card_data(
                    broadcast.goods, with_price=can_see_member_content(user, broadcast.store)
                ),
            )
        recipient.state = BroadcastRecipient.State.SENT
        recipient.message = message
        recipient.delivered_at = now
        recipient.save(update_fields=["state", "message", "delivered_at"])
        broadcast.sent_count += 1
        broadcast.scheduled_count -= 1
        sent += 1
    broadcast.save(update_fields=["sent_count", "skipped_count", "scheduled_count"])
    return sent


def broadcasts_deliver_due(*, now: datetime | None = None) -> tuple[int, int]:
    """Deliver every scheduled broadcast whose time has come (never in the quiet hours).
    Returns (broadcasts, messages). Idempotent."""
    now = now or timezone.now()
    if in_quiet_hours(now):
        return 0, 0
    due = (
        Broadcast.objects.filter(
            scheduled_for__lte=now, recipients__state=BroadcastRecipient.State.SCHEDULED
        )
        .distinct()
        .order_by("id")
    )
    done = messages = 0
    for broadcast in due:
        with transaction.atomic():
            locked = lock_own_rows(
                Broadcast.objects.select_related("store", "coupon", "goods")
            ).get(pk=broadcast.pk)
            messages += _deliver(locked, now=now)
            done += 1
    return done, messages
