"""Shop models, split by domain noun. Import them from here: ``from shop.models import Store``."""

from shop.models.applications import StoreApplication
from shop.models.goods import Goods, GoodsImage, GoodsOption
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
    "Goods",
    "GoodsImage",
    "GoodsOption",
    "Store",
    "StoreApplication",
    "StoreCategory",
    "StoreStaff",
    "Visibility",
]
