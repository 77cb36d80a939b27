"""Filters of the back-office pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    """A whole percentage, or a dash when there is nothing to divide."""
    return "–" if value is None else f"{value}%"


@register.filter
def duration(seconds) -> str:
    """Seconds as "1h 5m", "3m 20s" or "45s" (translated units); a dash for None."""
    if seconds is None:
        return "–"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)dm %(s)ds") % {"m": minutes, "s": secs}
    return _("%(s)ds") % {"s": secs}
