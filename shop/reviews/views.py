"""Review pages: the buyer writes one from the order page; the store replies on its
reviews page (/seller/stores/<slug>/reviews/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shop.access import access_store_manage
from shop.exceptions import ShopError
from shop.models import StoreStaff
from shop.orders.access import access_order_buyer
from shop.reviews.forms import ReplyForm, ReviewForm
from shop.reviews.models import Review
from shop.reviews.selectors import rating_of_store, reviews_of_store
from shop.reviews.services import review_create, review_refusal, review_reply


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    order = access_order_buyer(request.user, number)
    line = order.lines.select_related("goods", "order").filter(pk=line_id).first()
    if line is None:
        raise Http404
    refusal = review_refusal(request.user, line)
    if refusal:
        messages.error(request, refusal)
        return redirect("orders:order_detail", order.number)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_create(
                author=request.user,
                order_line=line,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
                photos=form.cleaned_data.get("photos"),
            )
        except ShopError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Thank you! Your review is on the goods page."))
            return redirect("orders:order_detail", order.number)
    return render(request, "reviews/review_new.html", {"order": order, "line": line, "form": form})


@login_required
def seller_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    page = Paginator(reviews_of_store(store), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/seller_reviews.html",
        {
            "store": store,
            "role": role,
            "is_owner": role == StoreStaff.Role.OWNER,
            "section": "reviews",
            "page": page,
            "reviews": page.object_list,
            "rating": rating_of_store(store),
            "reply_form": ReplyForm(),
        },
    )


@login_required
@require_POST
def seller_review_reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    store, role = access_store_manage(request.user, slug)
    review = Review.objects.filter(pk=pk, store=store).first()
    if review is None:
        raise Http404
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply."))
    else:
        try:
            review_reply(review=review, actor=request.user, text=form.cleaned_data["reply"])
        except ShopError as error:
            messages.error(request, error.message)
        except PermissionDenied:
            messages.error(request, _("You may not do that."))
        else:
            messages.success(request, _("Your reply is published under the review."))
    return redirect("reviews:seller_reviews", store.slug)
