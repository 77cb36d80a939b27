"""The orders tests' shop, buyer and order fixtures (English sentences, fast hashing)."""

from tests.orders.conftest import (  # noqa: F401 - fixtures
    buyer,
    orders_in_english,
    other_shop,
    place,
    shop,
)
