from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^0\d{1,2}-?\d{3,4}-?\d{4}$",
    _("Enter a Korean phone number such as 010-1234-5678."),
)


class User(AbstractUser):
    """A Talkmall account: buyer, seller or staff (sellers are users who own a store)."""

    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    marketing_opt_in = models.BooleanField(_("marketing messages allowed"), default=False)
    marketing_opt_in_at = models.DateTimeField(
        _("marketing consent given at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def name(self) -> str:
        """What other people see: the display name, or the username."""
        return self.display_name or self.username

    def set_marketing_consent(self, allowed: bool, *, at=None) -> None:
        """Record consent (and its time) or its withdrawal; the time is kept only while given."""
        if allowed and not self.marketing_opt_in:
            self.marketing_opt_in_at = at or timezone.now()
        elif not allowed:
            self.marketing_opt_in_at = None
        self.marketing_opt_in = allowed

    def __str__(self) -> str:
        return self.name
