"""Priority sectors of "Productivity 2020" (regulations.md §8): prefix rule on OKED codes."""

import pytest

from klaster import regulations
from klaster.reference.priority import is_priority_oked, priority_group


@pytest.mark.parametrize("code, expected", [
    ("10", True), ("10.51.1", True), ("10511", True),   # agro: 10 covers 10.51.1
    ("11.07", True), ("11.07.1", True), ("11.01", False),  # only 11.07 of division 11
    ("09.10", True), ("09.90", True), ("08.11", False),
    ("19.20", True), ("19.10", False),
    ("35.11", True), ("35.12", False),
    ("33.12", True), ("62.01", True), ("63.11", False),
    ("50", True), ("49.10", False),
])
def test_prefix_rule(code, expected):
    assert is_priority_oked(code) is expected


def test_group_and_source_are_reported():
    g = priority_group("20.13")
    assert g["id"] == "chemistry-pharma" and g["matched_code"] == "20"
    assert "440" in g["clause"]
    assert priority_group("11.07.2")["matched_code"] == "11.07"


def test_bad_code_is_refused():
    with pytest.raises(ValueError):
        is_priority_oked("C")
    with pytest.raises(ValueError):
        is_priority_oked("1")


def test_list_is_versioned_regulation_data():
    doc = regulations.load("productivity2020-priority-sectors")
    assert doc.version == "decree-440-2015" and doc.act["number"] == "440"
    assert len(doc.pin["sha256"]) == 64
    with pytest.raises(regulations.RegulationError):
        regulations.load("productivity2020-priority-sectors", sha256="0" * 64)
