"""Reviews: who may write one, once per order line, the store's one reply, hiding, averages."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop.orders.services.orders import order_mark_delivered, order_ship
from shop.orders.services.payments import payment_pay
from shop.reviews.models import Review
from shop.reviews.selectors import rating_of_goods, rating_of_store, ratings_of_stores
from shop.reviews.services import (
    ReviewError,
    review_create,
    review_hide,
    review_reply,
    review_unhide,
)
from shop.reviews.signals import review_created

pytestmark = pytest.mark.django_db
OK_CARD = {"card_number": "4242424242424242"}


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (20, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile("r.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def delivered(place, buyer, shop):
    def run(*lines, user=None):
        user = user or buyer
        order = place(*lines, user=user)
        payment_pay(order=order, actor=user, data=OK_CARD)
        order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
        order_mark_delivered(order=order, actor=shop.owner)
        order.refresh_from_db()
        return order

    return run


def write(order, user, rating=5, text="맛있어요", **kw):
    return review_create(
        author=user, order_line=order.lines.first(), rating=rating, text=text, **kw
    )


# --- who may review --------------------------------------------------------------------------


def test_buyer_of_a_delivered_line_reviews_once(delivered, buyer):
    order = delivered()
    review = write(order, buyer, photos=[png(), png()])
    assert review.photos.count() == 2
    with pytest.raises(ReviewError, match="reviewed this item already"):
        write(order, buyer)
    assert Review.objects.count() == 1


def test_completed_order_may_be_reviewed(delivered, buyer):
    from shop.orders.services.orders import order_confirm_purchase

    order = delivered()
    order_confirm_purchase(order=order, actor=buyer)
    assert write(order, buyer).rating == 5


def test_not_delivered_yet_refused(place, buyer, shop):
    order = place()
    payment_pay(order=order, actor=buyer, data=OK_CARD)
    order_ship(order=order, actor=shop.owner, courier="cj", tracking_number="612345678901")
    with pytest.raises(ReviewError, match="once the order is delivered"):
        write(order, buyer)
    assert not Review.objects.exists()


def test_someone_else_cannot_review_my_line(delivered, make_user):
    order = delivered()
    with pytest.raises(PermissionDenied):
        write(order, make_user("stranger"))
    assert not Review.objects.exists()


def test_bad_stars_empty_text_too_many_photos_refused(delivered, buyer):
    order = delivered()
    for bad in (0, 6):
        with pytest.raises(ReviewError, match="1 to 5 stars"):
            write(order, buyer, rating=bad)
    with pytest.raises(ReviewError, match="a few words"):
        write(order, buyer, text="   ")
    with pytest.raises(ReviewError, match="at most 3"):
        write(order, buyer, photos=[png(), png(), png(), png()])
    fake = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    with pytest.raises(ReviewError, match="not an image"):
        write(order, buyer, photos=[fake])
    assert not Review.objects.exists()


def test_each_order_line_gets_its_own_review(delivered, buyer, shop):
    order = delivered((shop.bread, None, 1), (shop.shirt, shop.small, 1))
    for line in order.lines.all():
        review_create(author=buyer, order_line=line, rating=4, text="좋아요")
    assert Review.objects.count() == 2


# --- reply, hide, signal ---------------------------------------------------------------------


def test_store_replies_once_and_only_its_staff(delivered, buyer, shop, other_shop):
    review = write(delivered(), buyer)
    with pytest.raises(PermissionDenied):
        review_reply(review=review, actor=other_shop.owner, text="감사합니다")
    with pytest.raises(PermissionDenied):
        review_reply(review=review, actor=buyer, text="감사합니다")
    review_reply(review=review, actor=shop.owner, text="감사합니다!")
    with pytest.raises(ReviewError, match="replied to this review already"):
        review_reply(review=review, actor=shop.owner, text="또")
    review.refresh_from_db()
    assert review.reply == "감사합니다!"


def test_hidden_review_is_kept_not_shown_not_counted(client, delivered, buyer, shop, make_user):
    first = write(delivered(), buyer, rating=5, text="최고예요")
    other = make_user("minsu")
    second = write(delivered(user=other), other, rating=1, text="광고 글입니다")
    assert rating_of_goods(shop.bread).count == 2
    assert rating_of_goods(shop.bread).average == 3.0
    with pytest.raises(PermissionDenied):
        review_hide(review=second, actor=shop.owner, reason="seller wants it gone")
    staff = make_user("staff", is_staff=True, is_superuser=True)
    with pytest.raises(ReviewError, match="why"):
        review_hide(review=second, actor=staff, reason="")
    review_hide(review=second, actor=staff, reason="광고")
    assert Review.objects.filter(pk=second.pk).exists()
    assert rating_of_goods(shop.bread).count == 1 and rating_of_goods(shop.bread).average == 5.0
    assert rating_of_store(shop.store).count == 1
    page = client.get(reverse("shop:goods_detail", args=[shop.bread.pk])).content.decode()
    assert "최고예요" in page and "광고 글입니다" not in page
    review_unhide(review=second, actor=staff)
    assert rating_of_goods(shop.bread).count == 2
    assert first.pk != second.pk


def test_review_created_signal_fires_after_commit(
    delivered, buyer, django_capture_on_commit_callbacks
):
    seen = []

    def receiver(sender, review, **kwargs):
        seen.append(review.pk)

    review_created.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            review = write(delivered(), buyer)
    finally:
        review_created.disconnect(receiver)
    assert seen == [review.pk]


# --- averages ----------------------------------------------------------------------------------


def test_averages_per_goods_and_store(delivered, buyer, shop, other_shop, make_user):
    ratings = [5, 4, 4, 2]
    for n, stars in enumerate(ratings):
        user = make_user(f"b{n}")
        lines = [(shop.bread, None, 1)] + ([(shop.shirt, shop.small, 1)] if n == 0 else [])
        order = delivered(*lines, user=user)
        lines = {line.goods_id: line for line in order.lines.all()}
        review_create(author=user, order_line=lines[shop.bread.pk], rating=stars, text="빵")
        if n == 0:
            review_create(author=user, order_line=lines[shop.shirt.pk], rating=1, text="셔츠")
    bread = rating_of_goods(shop.bread)
    assert (bread.average, bread.count) == (3.8, 4)  # 15 / 4 = 3.75 → 3.8
    assert rating_of_goods(shop.shirt).average == 1.0
    store = rating_of_store(shop.store)
    assert (store.average, store.count) == (3.2, 5)  # 16 / 5
    assert rating_of_goods(other_shop.bread).count == 0
    assert ratings_of_stores([shop.store.pk, other_shop.store.pk]) == {shop.store.pk: store}


# --- pages ---------------------------------------------------------------------------------------


def test_buyer_writes_a_review_from_the_order_page(client, delivered, buyer, shop):
    order = delivered()
    client.force_login(buyer)
    page = client.get(reverse("orders:order_detail", args=[order.number])).content.decode()
    line = order.lines.get()
    url = reverse("reviews:review_new", args=[order.number, line.pk])
    assert url in page and 'data-role="write-review"' in page
    response = client.post(url, {"rating": "4", "text": "촉촉해요", "photos": [png()]}, follow=True)
    assert 'data-role="reviewed"' in response.content.decode()
    goods_page = client.get(reverse("shop:goods_detail", args=[shop.bread.pk])).content.decode()
    assert "촉촉해요" in goods_page and 'data-role="rating"' in goods_page
    # A second visit to the form is turned away with a message.
    again = client.get(url, follow=True).content.decode()
    assert "reviewed this item already" in again


def test_review_form_errors_show_and_save_nothing(client, delivered, buyer):
    order = delivered()
    client.force_login(buyer)
    url = reverse("reviews:review_new", args=[order.number, order.lines.get().pk])
    response = client.post(url, {"rating": "9", "text": ""})
    body = response.content.decode()
    assert response.status_code == 200 and "1 to 5 stars" in body and "a few words" in body
    assert not Review.objects.exists()


def test_review_page_of_someone_elses_order_is_404(client, delivered, make_user):
    order = delivered()
    client.force_login(make_user("stranger"))
    url = reverse("reviews:review_new", args=[order.number, order.lines.get().pk])
    assert client.get(url).status_code == 404


def test_goods_page_pages_reviews(client, delivered, shop, make_user):
    for n in range(7):
        user = make_user(f"p{n}")
        write(delivered(user=user), user, text=f"후기{n}번")
    first = client.get(reverse("shop:goods_detail", args=[shop.bread.pk])).content.decode()
    assert "후기6번" in first and "후기0번" not in first and "?reviews=2" in first
    second = client.get(reverse("shop:goods_detail", args=[shop.bread.pk]) + "?reviews=2")
    assert "후기0번" in second.content.decode()


def test_seller_reviews_page_replies_once(client, delivered, buyer, shop, other_shop):
    review = write(delivered(), buyer, text="잘 받았어요")
    client.force_login(other_shop.owner)
    url = reverse("reviews:seller_review_reply", args=[shop.store.slug, review.pk])
    assert client.post(url, {"reply": "x"}).status_code == 404
    client.force_login(shop.owner)
    page = client.get(reverse("reviews:seller_reviews", args=[shop.store.slug])).content.decode()
    assert "잘 받았어요" in page and url in page
    client.post(url, {"reply": "감사합니다"})
    response = client.post(url, {"reply": "두 번째"}, follow=True)
    assert "replied to this review already" in response.content.decode()
    review.refresh_from_db()
    assert review.reply == "감사합니다"


def test_store_pages_show_the_average(client, delivered, buyer, shop):
    write(delivered(), buyer, rating=4)
    store_page = client.get(reverse("shop:store_detail", args=[shop.store.slug])).content.decode()
    assert 'data-role="rating"' in store_page and "4.0" in store_page
    listing = client.get(reverse("shop:store_list")).content.decode()
    assert "★</span> 4.0" in listing


def test_admin_staff_hide_with_reason(client, delivered, buyer, shop, make_user):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    review = write(delivered(), buyer)
    staff = make_user("ops", is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = "/admin/reviews/review/"
    form = client.post(url, {"action": "hide_reviews", ACTION_CHECKBOX_NAME: [review.pk]})
    assert 'name="hidden_reason"' in form.content.decode()
    client.post(
        url,
        {
            "action": "hide_reviews",
            "confirm": "1",
            "hidden_reason": "욕설",
            ACTION_CHECKBOX_NAME: [review.pk],
        },
    )
    review.refresh_from_db()
    assert review.is_hidden and review.hidden_reason == "욕설"


def test_admin_seller_sees_own_reviews_and_cannot_hide(client, delivered, buyer, shop):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    review = write(delivered(), buyer)
    shop.owner.is_staff = True
    shop.owner.save()
    client.force_login(shop.owner)
    url = "/admin/reviews/review/"
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "action": "hide_reviews",
            "confirm": "1",
            "hidden_reason": "싫어요",
            ACTION_CHECKBOX_NAME: [review.pk],
        },
    )
    review.refresh_from_db()
    assert not review.is_hidden
