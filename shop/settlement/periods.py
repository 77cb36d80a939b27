"""Periods of Asia/Seoul calendar days: months (``2026-11``), ISO weeks (``2026-W48``) and
quarters (``2026-Q4``). ``start`` is inclusive, ``end`` exclusive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

SEOUL = ZoneInfo("Asia/Seoul")


class BadPeriod(ValueError):
    """A period written wrongly; the message is one sentence for the person."""


@dataclass(frozen=True)
class Period:
    key: str
    cycle: str  # "monthly", "weekly" or "quarterly"
    start: date
    end: date  # exclusive

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        return seoul_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return seoul_midnight(self.end)


def seoul_midnight(day: date) -> datetime:
    """00:00 Asia/Seoul of ``day`` as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=SEOUL)


def seoul_today(now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), SEOUL).date()


def month(value: str) -> Period:
    match = re.fullmatch(r"(\d{4})-(\d{2})", (value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadPeriod(
            _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-11.") % {"value": value}
        )
    year, mon = int(match[1]), int(match[2])
    start = date(year, mon, 1)
    end = date(year + mon // 12, mon % 12 + 1, 1)
    return Period(f"{year:04d}-{mon:02d}", "monthly", start, end)


def week(value: str) -> Period:
    match = re.fullmatch(r"(\d{4})-W(\d{2})", (value or "").strip().upper())
    try:
        if not match:
            raise ValueError
        start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise BadPeriod(
            _("“%(value)s” is not an ISO week: write it as YYYY-Www, e.g. 2026-W48.")
            % {"value": value}
        ) from None
    return Period(f"{match[1]}-W{match[2]}", "weekly", start, start + timedelta(days=7))


def quarter(value: str) -> Period:
    match = re.fullmatch(r"(\d{4})-Q([1-4])", (value or "").strip().upper())
    if not match:
        raise BadPeriod(
            _("“%(value)s” is not a quarter: write it as YYYY-Qn, e.g. 2026-Q4.") % {"value": value}
        )
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(f"{year}-Q{q}", "quarterly", start, end)


def month_of(day: date) -> Period:
    return month(f"{day.year:04d}-{day.month:02d}")


def week_of(day: date) -> Period:
    year, number, _weekday = day.isocalendar()
    return week(f"{year:04d}-W{number:02d}")


def quarter_of(day: date) -> Period:
    return quarter(f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def previous(period: Period) -> Period:
    """The period just before ``period`` (same kind)."""
    before = period.start - timedelta(days=1)
    return {"monthly": month_of, "weekly": week_of, "quarterly": quarter_of}[period.cycle](before)
