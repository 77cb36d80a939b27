from tests.orders.conftest import (  # noqa: F401  (fixtures)
    buyer,
    orders_in_english,
    other_shop,
    place,
    shop,
)
