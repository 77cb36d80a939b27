"""Goods: register, modify, hide, soft delete, images, options, status, advertising."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.exceptions import ShopError
from shop.images import GOODS_BOX, resize_image
from shop.models import Goods, GoodsImage, GoodsOption, Store
from shop.services.stores import require_store_staff

GOODS_FIELDS = (
    "name",
    "category",
    "description",
    "tags",
    "price",
    "list_price",
    "stock",
    "is_preorder",
    "release_date",
    "preorder_cap",
)
MAX_IMAGES = 10


def goods_total_stock(goods: Goods) -> int:
    """Stock of all options, or the goods' own stock when it has no options."""
    options = goods.options.all()
    if options.exists():
        return options.aggregate(total=Sum("stock"))["total"] or 0
    return goods.stock


def goods_refresh_status(*, goods: Goods) -> Goods:
    """On sale ⇄ sold out follows the stock (zero stock = sold out); hidden stays hidden."""
    if goods.status == Goods.Status.HIDDEN:
        return goods
    wanted = Goods.Status.SOLD_OUT if goods_total_stock(goods) == 0 else Goods.Status.ON_SALE
    if goods.status != wanted:
        goods.status = wanted
        goods.save(update_fields=["status", "updated_at"])
    return goods


def _save_options(goods: Goods, options: list[dict]) -> None:
    """Apply option rows: {"id"?, "name", "price_delta", "stock", "delete"?}, in order."""
    keep_names: set[str] = set()
    existing = {o.pk: o for o in goods.options.all()}
    # Deletions first, so a new row may reuse a deleted row's name.
    for row in options:
        if row.get("delete") and row.get("id") in existing:
            existing.pop(row["id"]).delete()
    position = 0
    for row in options:
        if row.get("delete"):
            continue
        name = row["name"].strip()
        if name.casefold() in keep_names:
            raise ShopError(
                _("Two options are called “%(name)s”.") % {"name": name}, field="options"
            )
        keep_names.add(name.casefold())
        option = existing.get(row.get("id")) or GoodsOption(goods=goods)
        option.name = name
        option.price_delta = row.get("price_delta") or 0
        option.stock = row.get("stock") or 0
        option.position = position
        if goods.price + option.price_delta < 1:
            raise ShopError(
                _("The option “%(name)s” would cost less than 1 won.") % {"name": name},
                field="options",
            )
        option.full_clean(exclude=["goods"], validate_unique=False)
        option.save()
        position += 1


def _add_images(goods: Goods, images: list) -> None:
    if not images:
        return
    count = goods.images.count()
    if count + len(images) > MAX_IMAGES:
        raise ShopError(
            _("A goods item has at most %(n)d images.") % {"n": MAX_IMAGES}, field="images"
        )
    start = (goods.images.aggregate(top=Max("position"))["top"] or 0) + 1 if count else 0
    for offset, upload in enumerate(images):
        resized = resize_image(upload, GOODS_BOX, prefix=f"goods{goods.pk}")
        image = GoodsImage(goods=goods, position=start + offset)
        image.image.save(resized.name, resized, save=False)
        image.save()


def _check_fields(fields: dict) -> None:
    if fields.get("is_preorder") and not fields.get("release_date"):
        raise ShopError(_("A pre-order needs a release date."), field="release_date")


@transaction.atomic
def goods_create(
    *,
    store: Store,
    actor,
    fields: dict,
    options: list[dict] | None = None,
    images: list | None = None,
    hidden: bool = False,
) -> Goods:
    """Register goods with options and images, then open its goods talk channel."""
    from chat.services.channels import channel_ensure_for_goods

    require_store_staff(actor, store)
    _check_fields(fields)
    goods = Goods(store=store, **{k: fields[k] for k in GOODS_FIELDS if k in fields})
    goods.status = Goods.Status.HIDDEN if hidden else Goods.Status.ON_SALE
    goods.full_clean()
    goods.save()
    _save_options(goods, options or [])
    _add_images(goods, images or [])
    goods_refresh_status(goods=goods)
    channel_ensure_for_goods(goods=goods)
    return goods


@transaction.atomic
def goods_update(
    *,
    goods: Goods,
    actor,
    fields: dict,
    options: list[dict] | None = None,
    images: list | None = None,
    hidden: bool | None = None,
) -> Goods:
    require_store_staff(actor, goods.store)
    goods = Goods.objects.select_for_update().get(pk=goods.pk)
    if goods.is_deleted:
        raise ShopError(_("These goods were deleted."))
    _check_fields(fields)
    for name in GOODS_FIELDS:
        if name in fields:
            setattr(goods, name, fields[name])
    if hidden is True:
        goods.status = Goods.Status.HIDDEN
    elif hidden is False and goods.status == Goods.Status.HIDDEN:
        goods.status = Goods.Status.ON_SALE
    goods.full_clean()
    goods.save()
    if options is not None:
        _save_options(goods, options)
    _add_images(goods, images or [])
    goods_refresh_status(goods=goods)
    from chat.models import Channel

    Channel.objects.filter(goods=goods, kind=Channel.Kind.GOODS).update(title=goods.name)
    return goods


@transaction.atomic
def goods_set_hidden(*, goods: Goods, actor, hidden: bool) -> Goods:
    require_store_staff(actor, goods.store)
    goods.status = Goods.Status.HIDDEN if hidden else Goods.Status.ON_SALE
    goods.save(update_fields=["status", "updated_at"])
    return goods_refresh_status(goods=goods)


@transaction.atomic
def goods_set_featured(*, goods: Goods, actor, featured: bool) -> Goods:
    require_store_staff(actor, goods.store)
    goods.featured = featured
    goods.save(update_fields=["featured", "updated_at"])
    return goods


@transaction.atomic
def goods_delete(*, goods: Goods, actor) -> Goods:
    """Soft delete: gone from every list and page; rows stay for orders and chat history."""
    require_store_staff(actor, goods.store)
    if goods.deleted_at is None:
        goods.deleted_at = timezone.now()
        goods.featured = False
        goods.save(update_fields=["deleted_at", "featured", "updated_at"])
    return goods


@transaction.atomic
def goods_image_move(*, image: GoodsImage, actor, up: bool) -> None:
    """Swap an image with its neighbour (the first image is the cover)."""
    require_store_staff(actor, image.goods.store)
    images = list(image.goods.images.all())
    index = next(i for i, img in enumerate(images) if img.pk == image.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(images):
        images[index], images[other] = images[other], images[index]
    for position, img in enumerate(images):
        if img.position != position:
            GoodsImage.objects.filter(pk=img.pk).update(position=position)


@transaction.atomic
def goods_image_remove(*, image: GoodsImage, actor) -> None:
    require_store_staff(actor, image.goods.store)
    storage, name = image.image.storage, image.image.name
    image.delete()
    transaction.on_commit(lambda: storage.delete(name))


def goods_card_data(goods: Goods, *, with_price: bool, viewer=None, book=None) -> dict:
    """What a product card in chat carries (chat/commerce/cards.py renders it). No price and
    no options for a closed store's goods unless ``with_price`` (the viewer may see them)."""
    from django.urls import reverse

    from shop.pricing import price_for

    first = goods.images.first()
    data = {
        "goods_id": goods.pk,
        "store_id": goods.store_id,
        "name": goods.name,
        "image_url": first.image.url if first else "",
        "url": goods.get_absolute_url(),
        "buy_url": reverse("orders:cart_add", args=[goods.pk]),
        "status": goods.status,
        "members_only": not with_price,
    }
    if with_price:
        data["price"] = price_for(goods, user=viewer, book=book)
        if goods.discount_percent:
            data["list_price"] = goods.list_price
        data["options"] = [
            {
                "id": option.pk,
                "name": option.name,
                "price": price_for(goods, option, user=viewer, book=book),
                "sold_out": not option.in_stock,
            }
            for option in goods.options.all()
        ]
        data["sold_out"] = goods.status == Goods.Status.SOLD_OUT
    return data


@transaction.atomic
def goods_post_card(*, goods: Goods, actor):
    """Advertise: post a product card into the store channel (the pane's "share goods",
    chat.commerce.services.goods_share, with the store talk chosen for the seller)."""
    from chat.commerce.services import goods_share
    from chat.services.channels import channel_ensure_for_store

    require_store_staff(actor, goods.store)
    if goods.is_deleted or goods.status == Goods.Status.HIDDEN:
        raise ShopError(_("Hidden or deleted goods cannot be advertised."))
    channel = channel_ensure_for_store(store=goods.store)
    return goods_share(channel=channel, goods_id=goods.pk, actor=actor)
