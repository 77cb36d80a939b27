"""``{% load shop_extras %}``: favourite buttons, share boxes and promotion lists.

- ``{% favourite_button store_or_goods %}``: a POST form (works without JavaScript) that adds
  or removes the store/goods from the signed-in user's favourites and comes back here.
- ``{% share_box store_or_goods_or_promotion %}``: the share link (a preview page for people
  who are not members), a ready Korean share text and a copy button (static/js/share.js).
- ``{% store_promotions store %}``: the store's running and upcoming promotions for the user.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from shop.models import FavouriteGoods, FavouriteStore, Goods, Promotion, Store
from shop.selectors_promotions import promotions_for_home, promotions_of_store

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None), request


@register.inclusion_tag("shop/_favourite_button.html", takes_context=True)
def favourite_button(context, obj, compact: bool = False) -> dict:
    user, request = _user(context)
    signed_in = bool(user and user.is_authenticated)
    if isinstance(obj, Store):
        action = reverse("shop:favourite_store", args=[obj.slug])
        on = signed_in and FavouriteStore.objects.filter(user=user, store=obj).exists()
    else:
        action = reverse("shop:favourite_goods", args=[obj.pk])
        on = context.get("card", {}).get("favourite") if compact else None
        if on is None:
            on = signed_in and FavouriteGoods.objects.filter(user=user, goods=obj).exists()
    return {
        "action": action,
        "on": bool(on),
        "compact": compact,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


def share_target(obj) -> tuple[str, str]:
    """The share path and the ready Korean (site language) share text for ``obj``."""
    if isinstance(obj, Store):
        path = reverse("shop:share_store", args=[obj.slug])
        text = _("Take a look at the store “%(name)s” on Talkmall!") % {"name": obj.name}
    elif isinstance(obj, Goods):
        path = reverse("shop:share_goods", args=[obj.pk])
        text = _("“%(name)s” from %(store)s on Talkmall. Have a look!") % {
            "name": obj.name,
            "store": obj.store.name,
        }
    elif isinstance(obj, Promotion):
        path = reverse("shop:share_promotion", args=[obj.pk])
        text = _("%(store)s is running “%(title)s” on Talkmall. Join in!") % {
            "store": obj.store.name,
            "title": obj.title,
        }
    else:  # pragma: no cover - a template bug, not user input
        raise TypeError(f"Cannot share {type(obj).__name__}")
    return path, text


@register.inclusion_tag("shop/_share_box.html", takes_context=True)
def share_box(context, obj) -> dict:
    _user_obj, request = _user(context)
    path, text = share_target(obj)
    url = request.build_absolute_uri(path) if request else path
    return {
        "share_url": url,
        "share_text": f"{text}\n{url}",
        "share_id": f"share-{path.strip('/').replace('/', '-')}",
    }


@register.inclusion_tag("shop/_promotion_list.html", takes_context=True)
def store_promotions(context, store: Store) -> dict:
    user, _request = _user(context)
    return {"promotions": promotions_of_store(store, user), "show_store": False}


@register.inclusion_tag("shop/_promotion_list.html", takes_context=True)
def home_promotions(context) -> dict:
    user, _request = _user(context)
    return {"promotions": promotions_for_home(user), "show_store": True}
