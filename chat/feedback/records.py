"""What the membership services tell the join-form records (no import of them back, so
``chat.services.memberships`` can call these without a cycle).

- ``join_request_decided``: the seller approved or declined; a decline deletes the answers.
- ``join_answers_forget``: the buyer left, withdrew, was removed or banned: answers deleted.
"""

from __future__ import annotations

from django.utils import timezone

from chat.feedback.models import JoinAnswer, JoinRequest


def join_request_decided(*, membership, approved: bool, message: str, actor) -> None:
    request = (
        JoinRequest.objects.select_for_update()
        .filter(
            channel_id=membership.channel_id,
            user_id=membership.user_id,
            status=JoinRequest.Status.PENDING,
        )
        .first()
    )
    if request is None:  # asked before join forms existed, or through an invitation
        request = JoinRequest(
            channel_id=membership.channel_id,
            store_id=membership.channel.store_id,
            user_id=membership.user_id,
        )
    request.status = JoinRequest.Status.APPROVED if approved else JoinRequest.Status.REJECTED
    request.message = (message or "")[:500]
    request.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    request.decided_at = timezone.now()
    request.save()
    if not approved:
        JoinAnswer.objects.filter(request=request).delete()


def join_answers_forget(*, channel_id: int, user_id: int) -> None:
    """Delete the person's answers for this channel; open requests become ``closed``."""
    requests = JoinRequest.objects.filter(channel_id=channel_id, user_id=user_id)
    JoinAnswer.objects.filter(request__in=requests).delete()
    requests.filter(status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.CLOSED, decided_at=timezone.now()
    )
