"""Business hours in Asia/Seoul: open now? when did the current closed period start?"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

SEOUL = ZoneInfo("Asia/Seoul")


def _intervals(bot, now: datetime) -> list[tuple[datetime, datetime]]:
    """Opening intervals (aware, Seoul) that start from 8 days ago to tomorrow."""
    if bot is None or bot.opens_at is None or bot.closes_at is None:
        return []
    local = now.astimezone(SEOUL)
    result = []
    for back in range(-1, 9):
        day = (local - timedelta(days=back)).date()
        if str(day.weekday()) not in (bot.open_days or ""):
            continue
        start = datetime.combine(day, bot.opens_at, SEOUL)
        end = datetime.combine(day, bot.closes_at, SEOUL)
        if end <= start:  # open past midnight
            end += timedelta(days=1)
        result.append((start, end))
    return sorted(result)


def has_hours(bot) -> bool:
    return bool(bot and bot.opens_at and bot.closes_at and bot.open_days)


def is_open(bot, now: datetime | None = None) -> bool:
    """Inside business hours (always True when the store set no hours)."""
    if not has_hours(bot):
        return True
    now = now or timezone.now()
    return any(start <= now < end for start, end in _intervals(bot, now))


def quiet_since(bot, now: datetime | None = None) -> datetime | None:
    """When the current closed period began (None while open or without hours). A period
    with no opening in the last 8 days counts from 8 days ago."""
    now = now or timezone.now()
    if is_open(bot, now):
        return None
    ends = [end for _start, end in _intervals(bot, now) if end <= now]
    return max(ends) if ends else now - timedelta(days=8)


def _day_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def hours_text(bot, fallback: str = "") -> str:
    """ "Mon–Fri 09:00–18:00"-style text of the structured hours, else ``fallback``."""
    if not has_hours(bot):
        return fallback
    names = _day_names()
    days = sorted({int(d) for d in bot.open_days if d.isdigit() and int(d) < 7})
    groups: list[list[int]] = []
    for d in days:
        if groups and groups[-1][-1] == d - 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    day_text = ", ".join(
        names[g[0]] if len(g) == 1 else f"{names[g[0]]}–{names[g[-1]]}" for g in groups
    )
    return f"{day_text} {_fmt(bot.opens_at)}–{_fmt(bot.closes_at)}"


def _fmt(value: time) -> str:
    return value.strftime("%H:%M")
