"""Fixtures of the competition tests: the Decree 535 rules, the calendar, sample participants."""

from __future__ import annotations

import pytest

from klaster.common.bin import make_number
from klaster.common.calendar import WorkingCalendar
from klaster.engine.competition.package import Participant
from klaster.engine.competition.rules import load_rules


def bins(n: int, *, prefix: str = "150440", start: int = 0) -> list[str]:
    """``n`` distinct valid BINs of resident head-organisation legal entities registered 2015-04."""
    out, serial = [], start
    while len(out) < n:
        b = make_number(f"{prefix}{serial:05d}")
        serial += 1
        if b is not None:
            out.append(b)
    return out


def participants(n: int, *, start: int = 0, groups: dict[int, str] | None = None) -> list[Participant]:
    groups = groups or {}
    return [Participant(f"Company {i + 1}", b, "23610", "351010000", groups.get(i, ""))
            for i, b in enumerate(bins(n, start=start))]


@pytest.fixture(scope="session")
def rules():
    return load_rules("competition-decree-535", "decree-535-2015")


@pytest.fixture(scope="session")
def cal():
    return WorkingCalendar()


@pytest.fixture(autouse=True)
def english_interface(settings):
    """Messages are asserted in English (the msgids); tests of kk/ru set the language themselves."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
