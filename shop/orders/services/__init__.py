"""Order services (writes), split by domain noun: cart, addresses, checkout, orders, payments."""
