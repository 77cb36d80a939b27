"""Writing, replying to and hiding reviews. Who may review: the buyer of a delivered (or
purchase-confirmed) order line, once per line."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.db import lock_own_rows
from shop.exceptions import ShopError
from shop.images import GOODS_BOX, clean_photo_uploads, resize_image
from shop.orders.models import OrderLine, OrderStatus
from shop.orders.services.orders import is_operator, is_store_staff
from shop.reviews.models import MAX_REPLY, MAX_TEXT, Review, ReviewPhoto
from shop.reviews.signals import review_created

REVIEWABLE_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETED})


class ReviewError(ShopError):
    code = "review"


def review_refusal(user, line: OrderLine) -> str:
    """Why ``user`` may not review ``line`` ("" when they may)."""
    order = line.order
    if user is None or not user.is_authenticated or order.buyer_id != user.pk:
        return _("Only the buyer of this order can review it.")
    if order.status not in REVIEWABLE_STATUSES:
        return _("You can review the goods once the order is delivered.")
    if line.goods_id is None or line.goods.deleted_at is not None:
        return _("These goods are no longer sold: they cannot be reviewed.")
    if Review.objects.filter(order_line=line).exists():
        return _("You reviewed this item already.")
    return ""


def review_created_hook(review: Review) -> None:
    """The one point where a new review is announced (after commit): sends
    ``shop.reviews.signals.review_created`` (loyalty awards mileage there)."""
    transaction.on_commit(lambda: review_created.send(sender=Review, review=review))


@transaction.atomic
def review_create(*, author, order_line: OrderLine, rating: int, text: str, photos=None) -> Review:
    line = lock_own_rows(OrderLine.objects.select_related("order", "goods")).get(pk=order_line.pk)
    refusal = review_refusal(author, line)
    if refusal:
        if line.order.buyer_id != getattr(author, "pk", None):
            raise PermissionDenied
        raise ReviewError(refusal)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ReviewError(_("Choose 1 to 5 stars."), field="rating")
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("Write a few words about the goods."), field="text")
    if len(text) > MAX_TEXT:
        raise ReviewError(
            _("A review is at most %(n)d characters.") % {"n": MAX_TEXT}, field="text"
        )
    photos = clean_photo_uploads(photos, error=ReviewError)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                order_line=line,
                goods_id=line.goods_id,
                store_id=line.order.store_id,
                author=author,
                rating=rating,
                text=text,
            )
    except IntegrityError:
        raise ReviewError(_("You reviewed this item already.")) from None
    for position, upload in enumerate(photos):
        resized = resize_image(upload, GOODS_BOX, prefix=f"review{review.pk}")
        photo = ReviewPhoto(review=review, position=position)
        photo.image.save(resized.name, resized, save=False)
        photo.save()
    review_created_hook(review)
    return review


@transaction.atomic
def review_reply(*, review: Review, actor, text: str) -> Review:
    """The store answers a review, once."""
    review = (
        Review.objects.select_for_update().select_related("order_line__order").get(pk=review.pk)
    )
    if not is_store_staff(actor, review.order_line.order):
        raise PermissionDenied
    if review.reply:
        raise ReviewError(_("The store replied to this review already."))
    text = (text or "").strip()
    if not text:
        raise ReviewError(_("Write a reply."), field="reply")
    if len(text) > MAX_REPLY:
        raise ReviewError(
            _("A reply is at most %(n)d characters.") % {"n": MAX_REPLY}, field="reply"
        )
    review.reply = text
    review.replied_by = actor
    review.replied_at = timezone.now()
    review.save(update_fields=["reply", "replied_by", "replied_at"])
    return review


@transaction.atomic
def review_hide(*, review: Review, actor, reason: str) -> Review:
    """Staff hide a review: not shown, not counted, not deleted."""
    if not is_operator(actor):
        raise PermissionDenied
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ReviewError(_("Write why the review is hidden."), field="hidden_reason")
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.hidden_at = timezone.now()
    review.hidden_reason = reason
    review.hidden_by = actor
    review.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    return review


@transaction.atomic
def review_unhide(*, review: Review, actor) -> Review:
    if not is_operator(actor):
        raise PermissionDenied
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.hidden_at = None
    review.hidden_by = None
    review.save(update_fields=["hidden_at", "hidden_by"])
    return review
