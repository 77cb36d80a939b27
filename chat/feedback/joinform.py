"""Join-request forms of closed stores: the questions (configured by the store's owner), the
buyer's answers when asking to join, and who may read them.

Answers are personal data: only the store's owner and managers and Talkmall staff read them
(``answers_by_user``); they are deleted when the request is declined or the buyer leaves
(``chat.feedback.records``), and kept while the buyer is an active member.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chat.exceptions import ChatError, Forbidden
from chat.feedback.models import MAX_ANSWER_CHARS, JoinAnswer, JoinQuestion, JoinRequest
from chat.models import Channel, Membership
from shop.access import store_role
from shop.models import Store, StoreStaff
from shop.validators import phone_validator

BUILTIN_KINDS = [k for k in JoinQuestion.Kind.values if k != JoinQuestion.Kind.CUSTOM]
MODES = ("off", "optional", "required")
MAX_QUESTIONS = 10


class JoinFormInvalid(ChatError):
    """Check the answers to the store's questions."""

    code = "bad_request"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Check the answers to the store's questions."))
        self.errors = errors


def field_name(question: JoinQuestion) -> str:
    return f"q{question.pk}"


def questions_of(store: Store) -> list[JoinQuestion]:
    return list(JoinQuestion.objects.filter(store=store))


def _require_owner(actor, store: Store) -> None:
    if store_role(actor, store) != StoreStaff.Role.OWNER:
        raise Forbidden(_("Only the store's owner can change the join form."))


# --- the owner configures ----------------------------------------------------------------


@transaction.atomic
def join_form_set_builtins(*, store: Store, actor, modes: Mapping[str, str]) -> None:
    """``modes``: built-in kind → ``off``, ``optional`` or ``required``."""
    _require_owner(actor, store)
    Store.objects.select_for_update().get(pk=store.pk)
    for kind in BUILTIN_KINDS:
        mode = modes.get(kind, "off")
        if mode not in MODES:
            raise ChatError(_("Choose off, optional or required."))
        existing = JoinQuestion.objects.filter(store=store, kind=kind).first()
        if mode == "off":
            if existing:
                existing.delete()
            continue
        if existing is None:
            JoinQuestion.objects.create(
                store=store,
                kind=kind,
                required=mode == "required",
                position=BUILTIN_KINDS.index(kind),
            )
        elif existing.required != (mode == "required"):
            existing.required = mode == "required"
            existing.save(update_fields=["required"])


@transaction.atomic
def join_question_add(*, store: Store, actor, label: str, required: bool) -> JoinQuestion:
    _require_owner(actor, store)
    Store.objects.select_for_update().get(pk=store.pk)
    label = " ".join((label or "").split())
    if not label:
        raise ChatError(_("Write the question."))
    if len(label) > 100:
        raise ChatError(_("A question can be at most 100 characters."))
    if JoinQuestion.objects.filter(store=store).count() >= MAX_QUESTIONS:
        raise ChatError(_("A join form can have at most 10 questions."))
    return JoinQuestion.objects.create(
        store=store,
        kind=JoinQuestion.Kind.CUSTOM,
        label=label,
        required=required,
        position=100 + JoinQuestion.objects.filter(store=store).count(),
    )


@transaction.atomic
def join_question_delete(*, question: JoinQuestion, actor) -> None:
    _require_owner(actor, question.store)
    question.delete()


# --- the buyer asks -----------------------------------------------------------------------


def clean_answers(questions: list[JoinQuestion], data: Mapping[str, str]) -> dict[int, str]:
    """question id → trimmed answer; raises JoinFormInvalid (field name → sentence)."""
    errors: dict[str, str] = {}
    answers: dict[int, str] = {}
    for question in questions:
        name = field_name(question)
        value = (data.get(name) or "").strip()
        if not value:
            if question.required:
                errors[name] = _("Please answer this question.")
            continue
        if len(value) > MAX_ANSWER_CHARS:
            errors[name] = _("An answer can be at most 500 characters.")
            continue
        if question.kind == JoinQuestion.Kind.PHONE:
            try:
                phone_validator(value)
            except ValidationError:
                errors[name] = _("Enter a phone number such as 010-1234-5678.")
                continue
        answers[question.pk] = value
    if errors:
        raise JoinFormInvalid(errors)
    return answers


def form_applies(channel: Channel, *, needs_approval: bool) -> list[JoinQuestion]:
    """The questions a join of ``channel`` must answer: the store's join form when the join
    waits for approval on the store's own channel; else none."""
    if channel.kind != Channel.Kind.STORE or not needs_approval:
        return []
    return questions_of(channel.store)


@transaction.atomic
def join_request_submit(*, channel: Channel, user, data: Mapping[str, str]) -> Membership:
    """Ask to join a store's channel with the answers to its join form. A missing required
    answer raises JoinFormInvalid and stores nothing (no request, no answer)."""
    from chat.services.memberships import membership_join

    questions = form_applies(channel, needs_approval=channel.is_closed)
    answers = clean_answers(questions, data)
    membership = membership_join(channel=channel, user=user)
    join_answers_keep(membership=membership, questions=questions, answers=answers)
    return membership


def join_answers_keep(
    *, membership: Membership, questions: list[JoinQuestion], answers: dict[int, str]
) -> None:
    """Record the pending request with its answers (inside the join's transaction); nothing
    for a membership that is not pending (an open store, or already a member)."""
    if membership.state != Membership.State.PENDING:
        return
    channel = membership.channel
    request = (
        JoinRequest.objects.select_for_update()
        .filter(channel=channel, user_id=membership.user_id, status=JoinRequest.Status.PENDING)
        .first()
    )
    if request is None:
        request = JoinRequest.objects.create(
            channel=channel, store_id=channel.store_id, user_id=membership.user_id
        )
    else:
        request.answers.all().delete()  # asked again: the new answers replace the old
    by_id = {q.pk: q for q in questions}
    JoinAnswer.objects.bulk_create(
        [
            JoinAnswer(request=request, question=by_id[qid], label=by_id[qid].text[:100], value=v)
            for qid, v in answers.items()
        ]
    )


# --- who reads the answers ------------------------------------------------------------------


def may_read_answers(viewer, store: Store) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.is_staff and viewer.is_superuser:
        return True
    return store_role(viewer, store) is not None


def answers_by_user(viewer, store: Store, user_ids) -> dict[int, list[JoinAnswer]]:
    """The answers of the latest request of each user (store channel), for the store's
    owner/managers and Talkmall staff; anyone else gets nothing."""
    if not may_read_answers(viewer, store):
        return {}
    result: dict[int, list[JoinAnswer]] = {}
    answers = (
        JoinAnswer.objects.filter(
            request__store=store,
            request__user_id__in=list(user_ids),
            request__channel__kind=Channel.Kind.STORE,
        )
        .select_related("request")
        .order_by("-request__created_at", "request_id", "id")
    )
    latest: dict[int, int] = {}
    for answer in answers:
        uid = answer.request.user_id
        latest.setdefault(uid, answer.request_id)
        if latest[uid] == answer.request_id:
            result.setdefault(uid, []).append(answer)
    return result


def recent_decisions(user, *, days: int = 14) -> list[JoinRequest]:
    """The buyer's join requests the seller decided recently (for My talks)."""
    from datetime import timedelta

    from django.utils import timezone

    if user is None or not user.is_authenticated:
        return []
    return list(
        JoinRequest.objects.filter(
            user=user,
            status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.REJECTED],
            decided_at__gte=timezone.now() - timedelta(days=days),
        )
        .select_related("store", "channel")
        .order_by("-decided_at")[:10]
    )
