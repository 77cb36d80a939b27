"""Validators for shop input: business numbers, money, uploaded images."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import phone_validator

__all__ = ["phone_validator", "validate_business_number", "business_number_is_valid"]

BUSINESS_NUMBER_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def business_number_digits(value: str) -> str:
    """The ten digits of a 사업자등록번호 written with or without dashes/spaces."""
    return re.sub(r"[\s-]", "", value or "")


def business_number_is_valid(value: str) -> bool:
    """The National Tax Service checksum: weights 1,3,7,1,3,7,1,3,5, plus the carry of the
    ninth digit × 5, and the tenth digit is (10 − sum mod 10) mod 10."""
    digits = business_number_digits(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    numbers = [int(c) for c in digits]
    total = sum(d * w for d, w in zip(numbers, BUSINESS_NUMBER_WEIGHTS, strict=False))
    total += numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def validate_business_number(value: str) -> None:
    digits = business_number_digits(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(
            _("A business registration number has 10 digits, e.g. 123-45-67890."),
            code="business_number_length",
        )
    if not business_number_is_valid(digits):
        raise ValidationError(
            _("This business registration number is not valid (its check digit does not match)."),
            code="business_number_checksum",
        )


def format_business_number(value: str) -> str:
    digits = business_number_digits(value)
    if len(digits) != 10:
        return value
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
