from tests.orders.conftest import (  # noqa: F401  (fixtures)
    buyer,
    fast_passwords_in_english,
    other_shop,
    place,
    shop,
)
