"""Recorded dates as the law and common sense allow: the one check of every date a user records.

A user records that something happened on a day: a protocol was signed, a package was checked,
a refund was received. Such a day

* is never in the future (the act has not happened yet);
* is never before the events it follows (a protocol ≥ the intake closing, a re-run ≥ the failure,
  a refund ≥ the breach, a completeness check ≥ the registration …) — each domain names what an
  event follows, with the clause that orders them;
* lies within the years the working-day calendar answers for;
* may be a day off — then the page shows a warning (:func:`day_warnings`), the act is not refused
  (officials do sign on Saturdays; the law counts periods, it does not forbid acts);
* when it is earlier than today, recording it is an explicit act: the user gives the reason, and
  the audit trail keeps it (:class:`RecordedDay`).

Errors
------
DayRefused
    A :class:`~klaster.common.refusals.Refusal` naming the field, the day and the rule broken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

from django.utils.translation import gettext_noop as _

from klaster.common.calendar import MIN_YEAR
from klaster.common.refusals import Refusal

#: Latest year a recorded or planned date may have: far dates are typing mistakes, and date
#: arithmetic (deadlines after a date) must stay inside what :mod:`datetime` represents.
MAX_YEAR = 2100

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class DayRefused(Refusal):
    """A recorded date breaks a rule (future, before the event it follows, outside the calendar,
    back-dated without a reason)."""


def day_text(value: dt.date | dt.datetime | None, language: str | None = None) -> str:
    """A date as users in Kazakhstan write it: kk and ru ``22.12.2026``, en ``22 Dec 2026``;
    a datetime shows its local time too (``22.12.2026 14:05``). ``None`` → ``""``."""
    from django.utils.translation import get_language

    if value is None:
        return ""
    language = (language or get_language() or "ru")[:2]
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{day_text(value.date(), language)} {value:%H:%M}"
    if language == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value:%d.%m.%Y}"


def today() -> dt.date:
    """Today in the site's time zone (Asia/Almaty)."""
    from django.utils import timezone

    return timezone.localdate()


@dataclass(frozen=True)
class Follows:
    """An event a recorded day may not precede: its day (None when it has not happened, which
    is itself a refusal when ``required``), a label (a lazy translation or text) and the clause."""

    day: dt.date | None
    label: object
    clause: str = ""
    required: bool = True


def check_in_range(day: dt.date, *, field: str = "date") -> None:
    """Refuse a date outside the years klaster computes with (:data:`MIN_YEAR`–:data:`MAX_YEAR`).

    Raises
    ------
    DayRefused
    """
    if not (MIN_YEAR <= day.year <= MAX_YEAR):
        raise DayRefused(_("%(field)s: %(day)s is outside the years %(min)s–%(max)s"), field=field, day=day, min=MIN_YEAR, max=MAX_YEAR)


def check_recorded_day(day: dt.date, *, follows: Iterable[Follows] = (), reason: str = "", field: str = "date",
                       on: dt.date | None = None, allow_future: bool = False, require_reason: bool = True) -> dt.date:
    """Check the day an act is recorded for; return it.

    Parameters
    ----------
    day : date
        The day the act happened.
    follows : iterable of Follows
        The events it follows; the day may equal theirs, not precede it.
    reason : str
        Why an act of an earlier day is recorded only now; required when ``day`` < today.
    field : str
        The name of the date in messages (a label).
    on : date, optional
        Today (default :func:`today`; tests pass a day).
    allow_future : bool
        For planned dates (a closing date): skip the future and back-dating rules.
    require_reason : bool
        False for a date that is a fact stated in the act being recorded (the meeting a protocol
        records): it may be earlier than today without a reason of its own.

    Raises
    ------
    DayRefused
        In the future; before an event it follows (or that event has not happened); outside the
        calendar years; earlier than today without a reason.
    """
    now = on or today()
    check_in_range(day, field=field)
    if not allow_future and day > now:
        raise DayRefused(_("%(field)s: %(day)s is in the future; record an act on or after the day it happens"), field=field, day=day)
    for f in follows:
        if f.day is None:
            if f.required:
                raise DayRefused(_("%(field)s: %(event)s has not been recorded yet (%(clause)s)"), field=field, event=f.label, clause=f.clause or "—")
            continue
        if day < f.day:
            raise DayRefused(_("%(field)s: %(day)s is before %(event)s on %(event_day)s (%(clause)s)"), field=field, day=day,
                             event=f.label, event_day=f.day, clause=f.clause or "—")
    if not allow_future and require_reason and day < now and not (reason or "").strip():
        raise DayRefused(_("%(field)s: %(day)s is earlier than today; give the reason why this act is recorded only now"), field=field, day=day)
    return day


def backdating_note(day: dt.date, reason: str, *, on: dt.date | None = None) -> str:
    """The audit note of a back-dated record (``""`` for an act recorded on its day)."""
    now = on or today()
    if day >= now or not (reason or "").strip():
        return ""
    return f"recorded on {now.isoformat()} for {day.isoformat()}: {reason.strip()}"


def day_warnings(day: dt.date | None, calendar=None) -> list[Refusal]:
    """Warnings (not refusals) about a recorded day: a weekend or public holiday.

    Returns
    -------
    list of Refusal
        Translatable texts (``.text()``); empty for a working day or no day.
    """
    if day is None:
        return []
    from klaster.common.calendar import CalendarError, default_calendar

    cal = calendar or default_calendar()
    try:
        if cal.is_working_day(day):
            return []
        name = cal.holiday_name(day)
    except CalendarError:
        return []
    if name:
        return [Refusal(_("%(day)s is not a working day (%(holiday)s); check the date"), day=day, holiday=name)]
    return [Refusal(_("%(day)s is not a working day (weekend); check the date"), day=day)]


def latest(days: Sequence[dt.date | None]) -> dt.date | None:
    """The latest of the given days that exist (None when none does)."""
    known = [d for d in days if d is not None]
    return max(known) if known else None
