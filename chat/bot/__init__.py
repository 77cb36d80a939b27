"""Chat automation (label ``chatbot``): FAQ auto-answers, order help and price offers
(haggling) with price-locked buy buttons. See docs/automation.md."""
