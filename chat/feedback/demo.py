"""Demo data for ``manage.py seed_demo`` (idempotent): the closed boutique's join form (two
optional questions, so a plain "Request to join" still works), seoyeon's answers to it, and a
rated 1:1 chat at the bakery for its satisfaction page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from chat.feedback.joinform import join_form_set_builtins
from chat.feedback.models import CsatSurvey, JoinAnswer, JoinQuestion, JoinRequest
from chat.models import Channel, Membership, Message
from chat.services.channels import system_text
from chat.services.direct import channel_open_direct
from shop.models import Store


def seed_feedback_demo(
    *, boutique: Store, boutique_owner, bakery: Store, bakery_owner, buyers: dict, created: list
) -> None:
    if not JoinQuestion.objects.filter(store=boutique).exists():
        join_form_set_builtins(
            store=boutique, actor=boutique_owner, modes={"name": "optional", "heard": "optional"}
        )
        created.append(f"join form of {boutique.name}")
    seoyeon = buyers["seoyeon"]
    pending = Membership.objects.filter(
        channel__store=boutique,
        channel__kind=Channel.Kind.STORE,
        user=seoyeon,
        state=Membership.State.PENDING,
    ).first()
    if pending and not JoinRequest.objects.filter(user=seoyeon, store=boutique).exists():
        request = JoinRequest.objects.create(channel=pending.channel, store=boutique, user=seoyeon)
        for question, value in zip(
            JoinQuestion.objects.filter(store=boutique), ["이서연", "인스타그램 광고"], strict=False
        ):
            JoinAnswer.objects.create(
                request=request, question=question, label=question.text, value=value
            )
        created.append(f"join answers of {seoyeon.username}")
    jimin = buyers["jimin"]
    if CsatSurvey.objects.filter(store=bakery, buyer=jimin).exists():
        return
    # Rows written directly (no live frames from a seeding command, like the talk history).
    channel = channel_open_direct(store=bakery, buyer=jimin)
    now = timezone.now()
    lines = [
        (jimin, "소금빵 오늘 몇 시에 나와요?"),
        (bakery_owner, "오전 11시에 나와요. 감사합니다!"),
    ]
    for minutes, (author, body) in zip((30, 25), lines, strict=True):
        message = Message.objects.create(channel=channel, author=author, body=body)
        Message.objects.filter(pk=message.pk).update(created_at=now - timedelta(minutes=minutes))
    survey = CsatSurvey.objects.create(
        channel=channel,
        store=bakery,
        buyer=jimin,
        trigger=CsatSurvey.Trigger.QUIET,
        answered_by=bakery_owner,
        score=5,
        comment="답변이 빨라서 좋아요",
        rated_at=now,
    )
    card = Message.objects.create(
        channel=channel,
        kind=Message.Kind.BOT,
        body=system_text(
            gettext_noop("How was your talk with %(store)s? Rate it from 1 to 5."),
            store=bakery.name,
        ),
        data={
            "card": "csat",
            "survey": survey.pk,
            "buyer": jimin.pk,
            "url": reverse("chatfeedback:csat_rate", args=[survey.pk]),
            "score": 5,
        },
    )
    survey.message = card
    survey.episode_last_message_id = card.pk
    survey.save(update_fields=["message", "episode_last_message_id"])
    Channel.objects.filter(pk=channel.pk).update(last_message_at=card.created_at)
    created.append(f"a rated 1:1 chat of {jimin.username} at {bakery.name}")
