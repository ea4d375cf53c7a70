"""Kazakhstan's working-day calendar on real dates (holidays package + the legal reading)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaster.common.calendar import CalendarError, WorkingCalendar

D = dt.date
cal = WorkingCalendar()


def test_moved_working_saturday_2024_05_04_is_a_working_day():
    # Government decree moved the day off from Saturday 4 May to Wednesday 8 May 2024.
    assert cal.is_working_day(D(2024, 5, 4))
    assert not cal.is_working_day(D(2024, 5, 8))


def test_weekend_and_plain_weekday():
    assert not cal.is_working_day(D(2024, 5, 5))  # Sunday
    assert cal.is_working_day(D(2024, 5, 6))  # Monday


def test_within_n_working_days_starts_the_day_after_the_event():
    # Monday 2024-04-01, a working day: "within 1 working day" ends on Tuesday, not Monday.
    assert cal.add_working_days(D(2024, 4, 1), 1) == D(2024, 4, 2)
    # 5 working days from Monday 1 April 2024 end on Monday 8 April (weekend skipped).
    assert cal.add_working_days(D(2024, 4, 1), 5) == D(2024, 4, 8)


def test_new_year_2024():
    # Fri 29 Dec 2023; Sat, Sun; 1–2 Jan 2024 are holidays → first working day is Wed 3 Jan.
    assert cal.add_working_days(D(2023, 12, 29), 1) == D(2024, 1, 3)


def test_nauryz_2024():
    # 21, 22 Mar (Thu, Fri), 23 Mar (Sat) Nauryz, 25 Mar the observed day off.
    assert cal.add_working_days(D(2024, 3, 20), 1) == D(2024, 3, 26)
    assert cal.working_days_between(D(2024, 3, 20), D(2024, 3, 26)) == 1


def test_may_holidays_2024_with_the_working_saturday():
    # From Fri 3 May: Sat 4 (working, 1), Mon 6 (2), 7 Defender's Day, 8 moved day off,
    # 9 Victory Day, Fri 10 (3), Mon 13 (4), Tue 14 (5).
    assert cal.add_working_days(D(2024, 5, 3), 1) == D(2024, 5, 4)
    assert cal.add_working_days(D(2024, 5, 3), 5) == D(2024, 5, 14)


def test_independence_day_2024():
    # Mon 16 Dec 2024 is Independence Day: from Fri 13 Dec, one working day ends Tue 17 Dec.
    assert cal.add_working_days(D(2024, 12, 13), 1) == D(2024, 12, 17)


def test_calendar_days_deadline_rolls_to_next_working_day():
    # 30 calendar days from 20 Feb 2024 is Thu 21 Mar (Nauryz) → the next working day, Tue 26 Mar.
    assert cal.add_calendar_days(D(2024, 2, 20), 30) == D(2024, 3, 26)
    assert cal.add_calendar_days(D(2024, 2, 20), 30, roll=False) == D(2024, 3, 21)


def test_bound_at_least_n_days_before_is_not_rolled():
    # Intake closes Fri 10 May 2024: the announcement must be on or before 11 March (60 cd earlier).
    assert cal.latest_date_before(D(2024, 5, 10), 60) == D(2024, 3, 11)


def test_deadline_dispatch_and_errors():
    assert cal.deadline(D(2024, 5, 3), 5, "working") == D(2024, 5, 14)
    with pytest.raises(CalendarError):
        cal.deadline(D(2024, 5, 3), 5, "fortnights")
    with pytest.raises(CalendarError):
        cal.add_working_days(D(2024, 5, 3), 0)
    with pytest.raises(CalendarError):
        cal.is_working_day(D(1980, 1, 1))


def test_recorded_exceptions_override_the_package():
    # A future year the package may not know: record a working Saturday and a moved day off.
    c = WorkingCalendar({D(2031, 1, 4): True, D(2031, 1, 6): False})
    assert c.is_working_day(D(2031, 1, 4))  # Saturday made working
    assert not c.is_working_day(D(2031, 1, 6))  # Monday made a day off
    assert not cal.is_working_day(D(2031, 1, 4))


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=D(2019, 1, 1), max_value=D(2026, 12, 1)), st.integers(min_value=1, max_value=40))
def test_working_days_between_inverts_add_working_days(start, n):
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    assert cal.is_working_day(end)
    assert cal.working_days_between(end, start) == -n
