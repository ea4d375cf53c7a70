"""Kazakhstan's working-day calendar: the one calendar service of klaster.

Working days come from the ``holidays`` package (``holidays.KZ``: public holidays, days off
moved by Government decrees — e.g. 2024-05-08 "substituted from 05/04/2024" — and working
Saturdays, e.g. 2024-05-04), plus exceptions that an administrator records for years the package
does not know yet (:class:`Exception_` rows given to :class:`WorkingCalendar`; in the web app
they are edited in the admin, model ``common.CalendarException``, and every change is audited).

Legal reading of the deadlines
------------------------------
Civil Code of the Republic of Kazakhstan (General Part), Articles 184–187, applied to the
deadlines of Decree 535 (regulations.md §3):

* A period counted from an event starts on the **next day** after the event (Art. 185).
  "Within N working days of X" ends on the N-th working day after X: X itself never counts,
  even when X is a working day; non-working days in between do not count.
* "Within N calendar days of X" ends on X + N. If that day is not a working day, the deadline
  moves to the next working day (Art. 187) — :func:`WorkingCalendar.add_calendar_days` does this
  by default (``roll=True``).
* An act may be done until 24:00 of the last day (Art. 186); klaster compares dates, so an event
  dated on the deadline day is on time.
* "At least N calendar days before Y" (§4–§5: announcement ≥ 60 cd before intake closes) is a
  bound, not a period, and is never rolled: :func:`WorkingCalendar.latest_date_before`.

Errors
------
CalendarError
    A date outside the years the calendar can answer for (no package data and no recorded
    exceptions is *not* an error — weekends and fixed holidays are still known — but dates before
    1991 are refused).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

import holidays

MIN_YEAR = 1992


class CalendarError(ValueError):
    """A calendar question the service cannot answer (e.g. a year before independence)."""


@dataclass(frozen=True)
class Exception_:
    """An administrator-recorded exception: ``working=True`` makes ``day`` a working day
    (a working Saturday), ``working=False`` a day off (a moved day off or a new holiday)."""

    day: dt.date
    working: bool
    note: str = ""


@lru_cache(maxsize=64)
def _kz_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KZ", years=year)


class WorkingCalendar:
    """Working days of Kazakhstan.

    Parameters
    ----------
    exceptions : iterable of Exception_ or mapping date → bool, optional
        Recorded exceptions; they override the package (True = working day).

    Examples
    --------
    >>> cal = WorkingCalendar()
    >>> cal.is_working_day(dt.date(2024, 5, 4))   # working Saturday (decree moved it)
    True
    >>> cal.add_working_days(dt.date(2024, 3, 20), 1)   # Nauryz 21–25 March 2024
    datetime.date(2024, 3, 26)
    """

    def __init__(self, exceptions: Iterable[Exception_] | Mapping[dt.date, bool] | None = None):
        if exceptions is None:
            self._exc: dict[dt.date, bool] = {}
        elif isinstance(exceptions, Mapping):
            self._exc = dict(exceptions)
        else:
            self._exc = {e.day: e.working for e in exceptions}

    @staticmethod
    def _check(day: dt.date) -> None:
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise CalendarError(f"expected a date, got {day!r}")
        if day.year < MIN_YEAR:
            raise CalendarError(f"{day}: the calendar starts in {MIN_YEAR}")

    def is_working_day(self, day: dt.date) -> bool:
        """True when ``day`` is a working day (Mon–Fri not a holiday/day off, or a working Saturday)."""
        self._check(day)
        if day in self._exc:
            return self._exc[day]
        return _kz_holidays(day.year).is_working_day(day)

    def holiday_name(self, day: dt.date) -> str | None:
        """Name of the holiday or moved day off on ``day`` (English, from ``holidays``), or None."""
        self._check(day)
        return _kz_holidays(day.year).get(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The last day of "within ``n`` working days of ``start``": the n-th working day after ``start``.

        ``start`` itself never counts (Civil Code Art. 185). ``n`` must be ≥ 1.

        Raises
        ------
        CalendarError
            ``n`` < 1 or a bad date.
        """
        self._check(start)
        if n < 1:
            raise CalendarError(f"n must be at least 1, got {n}")
        day = start
        left = n
        while left:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def add_calendar_days(self, start: dt.date, n: int, *, roll: bool = True) -> dt.date:
        """The last day of "within ``n`` calendar days of ``start``": ``start + n``.

        With ``roll`` (default) a last day that is not a working day moves to the next working
        day (Civil Code Art. 187).
        """
        self._check(start)
        if n < 0:
            raise CalendarError(f"n must not be negative, got {n}")
        day = start + dt.timedelta(days=n)
        return self.next_working_day(day) if roll else day

    def latest_date_before(self, end: dt.date, n: int) -> dt.date:
        """Latest date that is "at least ``n`` calendar days before ``end``": ``end − n`` (never rolled)."""
        self._check(end)
        return end - dt.timedelta(days=n)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Number of working days in the half-open interval (start, end].

        So ``working_days_between(x, add_working_days(x, n)) == n``. Negative when end < start.
        """
        self._check(start)
        self._check(end)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def deadline(self, start: dt.date, n: int, unit: str) -> dt.date:
        """Deadline of a period of ``n`` units from ``start``; ``unit`` is ``"working"`` or ``"calendar"``.

        Raises
        ------
        CalendarError
            Unknown unit.
        """
        if unit == "working":
            return self.add_working_days(start, n)
        if unit == "calendar":
            return self.add_calendar_days(start, n)
        raise CalendarError(f"unknown day unit {unit!r}; expected 'working' or 'calendar'")


def default_calendar() -> WorkingCalendar:
    """The calendar with the exceptions recorded in the database, when Django is configured.

    Outside Django (plain-Python use of the engines) the package calendar alone is returned.
    """
    try:
        from django.apps import apps

        if apps.ready:
            from klaster.common.models import CalendarException

            return WorkingCalendar({e.day: e.working for e in CalendarException.objects.all()})
    except ImportError:  # pragma: no cover - Django is a dependency, but engines must not need it
        pass
    return WorkingCalendar()
