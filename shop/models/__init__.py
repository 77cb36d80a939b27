"""Shop models, split by domain noun. Import them from here: ``from shop.models import Store``."""

from shop.models.applications import StoreApplication
from shop.models.favourites import FavouriteGoods, FavouriteStore
from shop.models.goods import Goods, GoodsImage, GoodsOption
from shop.models.promotions import GroupBuyCommitment, Promotion
from shop.models.stores import (
    MAX_PRICE_WON,
    Courier,
    Store,
    StoreCategory,
    StoreStaff,
    Visibility,
)

__all__ = [
    "MAX_PRICE_WON",
    "Courier",
    "FavouriteGoods",
    "FavouriteStore",
    "Goods",
    "GoodsImage",
    "GoodsOption",
    "GroupBuyCommitment",
    "Promotion",
    "Store",
    "StoreApplication",
    "StoreCategory",
    "StoreStaff",
    "Visibility",
]
