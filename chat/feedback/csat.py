"""Satisfaction ratings (CSAT) of 1:1 chats between a buyer and a store.

A **conversation episode** is the run of messages after the previous rating card. A card is
offered (``csat_offer``) when the episode went quiet — the last message is the store's answer
and nobody wrote for ``CSAT_QUIET_MINUTES`` (``manage.py csat send_quiet``, run by a timer) — or
when an order of the buyer at the store is completed. At most one card per channel per
``CSAT_REPEAT_DAYS``; one rating per card (``csat_rate``). The card is a ``bot`` message with
``data = {"card": "csat", "survey", "buyer", "url", "score"}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chat.exceptions import BadMessage, BadState, ChatError, Forbidden
from chat.feedback.models import MAX_COMMENT_CHARS, CsatSurvey
from chat.models import Channel, Message
from chat.services.channels import system_text
from chat.services.messages import message_post
from shop.models import Store, StoreStaff


def quiet_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CSAT_QUIET_MINUTES", 60)))


def repeat_within() -> timedelta:
    return timedelta(days=int(getattr(settings, "CSAT_REPEAT_DAYS", 7)))


def _human_messages(channel: Channel, after_id: int):
    return Message.objects.filter(
        channel=channel, pk__gt=after_id, author__isnull=False, deleted_at__isnull=True
    ).order_by("-pk")


@transaction.atomic
def csat_offer(
    *, channel: Channel, trigger: str, order=None, now=None, quiet: timedelta | None = None
) -> CsatSurvey | None:
    """Post one rating card in the 1:1 chat if this episode deserves one; else None."""
    now = now or timezone.now()
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.kind != Channel.Kind.DIRECT or channel.deleted_at or channel.archived_at:
        return None
    last = CsatSurvey.objects.filter(channel=channel).order_by("-created_at", "-pk").first()
    if last is not None and last.created_at > now - repeat_within():
        return None
    after = last.episode_last_message_id if last else 0
    staff = set(
        StoreStaff.objects.filter(store_id=channel.store_id).values_list("user_id", flat=True)
    )
    human = list(_human_messages(channel, after)[:200])
    staff_answer = next((m for m in human if m.author_id in staff), None)
    if trigger == CsatSurvey.Trigger.QUIET:
        if not human or human[0].author_id not in staff:
            return None  # the buyer spoke last (or nobody did): the store owes an answer
        if human[0].created_at > now - (quiet if quiet is not None else quiet_after()):
            return None  # not quiet yet
        if not any(m.author_id == channel.buyer_id for m in human):
            return None  # the store talked alone: nothing to rate
    last_id = Message.objects.filter(channel=channel).order_by("-pk").values_list("pk", flat=True)
    survey = CsatSurvey.objects.create(
        channel=channel,
        store_id=channel.store_id,
        buyer_id=channel.buyer_id,
        trigger=trigger,
        order=order,
        answered_by_id=staff_answer.author_id if staff_answer else None,
        episode_last_message_id=last_id.first() or 0,
    )
    store = Store.objects.get(pk=channel.store_id)
    message = message_post(
        channel=channel,
        author=None,
        kind=Message.Kind.BOT,
        body=system_text(
            gettext_noop("How was your talk with %(store)s? Rate it from 1 to 5."),
            store=store.name,
        ),
        data={
            "card": "csat",
            "survey": survey.pk,
            "buyer": channel.buyer_id,
            "url": reverse("chatfeedback:csat_rate", args=[survey.pk]),
            "score": None,
        },
    )
    survey.message = message
    survey.episode_last_message_id = message.pk
    survey.save(update_fields=["message", "episode_last_message_id"])
    return survey


def csat_offer_for_order(*, order) -> CsatSurvey | None:
    """An order was completed: the buyer's 1:1 chat with the store gets a card."""
    from chat.services.direct import channel_open_direct

    try:
        with transaction.atomic():
            channel = channel_open_direct(store=order.store, buyer=order.buyer)
            return csat_offer(channel=channel, trigger=CsatSurvey.Trigger.ORDER, order=order)
    except ChatError:  # the buyer runs the store, or the chat is archived: no card
        return None


def csat_send_quiet(*, now=None, quiet: timedelta | None = None, max_age_days: int = 3) -> int:
    """Offer a card in every 1:1 chat that went quiet after the store's answer (the timer
    command). Chats quiet for more than ``max_age_days`` are left alone. Returns how many."""
    now = now or timezone.now()
    quiet = quiet if quiet is not None else quiet_after()
    channels = Channel.objects.filter(
        kind=Channel.Kind.DIRECT,
        deleted_at__isnull=True,
        archived_at__isnull=True,
        last_message_at__lte=now - quiet,
        last_message_at__gte=now - timedelta(days=max_age_days),
    ).order_by("pk")
    sent = 0
    for channel in channels.iterator():
        if csat_offer(channel=channel, trigger=CsatSurvey.Trigger.QUIET, now=now, quiet=quiet):
            sent += 1
    return sent


@transaction.atomic
def csat_rate(*, survey_id: int, user, score, comment: str = "") -> CsatSurvey:
    """The buyer rates their own card once: 1–5 and an optional comment."""
    survey = CsatSurvey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None or user is None or not user.is_authenticated or survey.buyer_id != user.pk:
        raise Forbidden(_("This rating card is not yours."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise BadMessage(_("Choose a score from 1 to 5."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise BadMessage(_("A comment can be at most 1000 characters."))
    if survey.score is not None:
        raise BadState(_("You already rated this talk. Thank you!"))
    survey.score = score
    survey.comment = comment
    survey.rated_at = timezone.now()
    survey.save(update_fields=["score", "comment", "rated_at"])
    if survey.message_id:
        from chat.commerce.services import send_message_updated

        message = Message.objects.select_for_update().get(pk=survey.message_id)
        message.data = {**message.data, "score": score}
        message.save(update_fields=["data"])
        send_message_updated(message)  # open panes redraw the card with the score
    return survey


# --- statistics -------------------------------------------------------------------------------


@dataclass
class CsatStats:
    asked: int
    rated: int
    average: float | None
    weeks: list[dict]
    managers: list[dict]
    comments: list[CsatSurvey]

    @property
    def response_rate(self) -> int:
        return round(100 * self.rated / self.asked) if self.asked else 0


def csat_stats(store: Store, *, days: int = 90, now=None) -> CsatStats:
    """The store's ratings of the last ``days`` days: by week, by manager, with comments."""
    since = (now or timezone.now()) - timedelta(days=days)
    surveys = CsatSurvey.objects.filter(store=store, created_at__gte=since)
    rated = surveys.filter(score__isnull=False)
    totals = rated.aggregate(n=Count("pk"), avg=Avg("score"))
    weeks = list(
        rated.annotate(week=TruncWeek("rated_at"))
        .values("week")
        .annotate(n=Count("pk"), avg=Avg("score"))
        .order_by("-week")
    )
    managers = list(
        rated.values("answered_by__display_name", "answered_by__username")
        .annotate(n=Count("pk"), avg=Avg("score"), low=Count("pk", filter=Q(score__lte=2)))
        .order_by("-n")
    )
    comments = list(
        rated.exclude(comment="").select_related("buyer", "answered_by").order_by("-rated_at")[:30]
    )
    return CsatStats(
        asked=surveys.count(),
        rated=totals["n"] or 0,
        average=round(totals["avg"], 2) if totals["avg"] is not None else None,
        weeks=weeks,
        managers=managers,
        comments=comments,
    )
