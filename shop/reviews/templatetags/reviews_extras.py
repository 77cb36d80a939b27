"""``{% rating_badge obj %}`` (goods or store: stars, average, count) and
``{% goods_reviews goods %}`` (the goods page's review list, paged by ``?reviews=N``)."""

from __future__ import annotations

from django import template
from django.core.paginator import Paginator

from shop.models import Goods
from shop.reviews.selectors import rating_of_goods, rating_of_store, reviews_of_goods

register = template.Library()
PAGE_SIZE = 5


@register.inclusion_tag("reviews/_rating.html")
def rating_badge(obj, rating=None):
    if rating is None:
        rating = rating_of_goods(obj) if isinstance(obj, Goods) else rating_of_store(obj)
    return {"rating": rating}


@register.inclusion_tag("reviews/_goods_reviews.html", takes_context=True)
def goods_reviews(context, goods):
    request = context.get("request")
    number = request.GET.get("reviews") if request is not None else None
    page = Paginator(reviews_of_goods(goods), PAGE_SIZE).get_page(number)
    return {
        "goods": goods,
        "page": page,
        "reviews": page.object_list,
        "rating": rating_of_goods(goods),
    }
