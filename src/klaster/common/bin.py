"""Kazakhstan's 12-digit business and individual identification numbers (BIN / IIN).

No library covers Kazakhstan; this follows the published algorithm (Law "On national
registers of identification numbers" of 12 January 2007 No. 223; check-digit rule as in the
Ministry of Justice's BIN/IIN instructions):

* Check digit: ``a12 = (Σ_{i=1..11} w_i · a_i) mod 11`` with weights 1, 2, …, 11. If the
  remainder is 10, recompute with weights 3, 4, …, 11, 1, 2; if it is 10 again, the number is
  invalid (such numbers are never issued).
* BIN structure (legal entities and branches): digits 1–2 year and 3–4 month of registration;
  digit 5 the type — 4 resident legal entity, 5 non-resident legal entity, 6 individual
  entrepreneur in the form of a joint business; digit 6 the division — 0 head organisation,
  1 branch, 2 representative office, 3 peasant (farm) enterprise; digits 7–11 serial; 12 check.
* IIN structure (individuals): digits 1–6 date of birth YYMMDD; digit 7 century and sex
  (1/2: 19th c. male/female, 3/4: 20th, 5/6: 21st); 8–11 serial; 12 check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

W1 = tuple(range(1, 12))
W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

ENTITY_TYPES = {
    "4": "resident legal entity",
    "5": "non-resident legal entity",
    "6": "individual entrepreneur (joint business)",
}
LEGAL_ENTITY_TYPES = ("4", "5")
HEAD_ORGANISATION = "0"
DIVISIONS = {
    "0": "head organisation",
    "1": "branch",
    "2": "representative office",
    "3": "peasant (farm) enterprise",
}


class InvalidNumber(ValueError):
    """Base of BIN/IIN errors; ``field`` names the rule broken ("format", "check digit", …)."""

    def __init__(self, value: str, rule: str, message: str):
        super().__init__(f"{value!r}: {message}")
        self.value = value
        self.rule = rule


class InvalidBIN(InvalidNumber):
    """The value is not a valid BIN."""


class InvalidIIN(InvalidNumber):
    """The value is not a valid IIN."""


def check_digit(first11: str) -> int | None:
    """Check digit of the first 11 digits, or None when both weight sequences give 10."""
    digits = [int(c) for c in first11]
    r = sum(w * d for w, d in zip(W1, digits)) % 11
    if r == 10:
        r = sum(w * d for w, d in zip(W2, digits)) % 11
        if r == 10:
            return None
    return r


def _digits(value: str, exc: type[InvalidNumber]) -> str:
    s = str(value).strip().replace(" ", "")
    if len(s) != 12 or not s.isdigit():
        raise exc(str(value), "format", "must be exactly 12 digits")
    c = check_digit(s[:11])
    if c is None:
        raise exc(s, "check digit", "invalid: the check digit is undefined (remainder 10 with both weight sequences)")
    if c != int(s[11]):
        raise exc(s, "check digit", f"check digit is {s[11]}, expected {c}")
    return s


def has_valid_check_digit(value: str) -> bool:
    """True when ``value`` is 12 digits with a correct check digit (BIN or IIN)."""
    try:
        _digits(value, InvalidNumber)
        return True
    except InvalidNumber:
        return False


@dataclass(frozen=True)
class BINInfo:
    """The structure of a valid BIN."""

    bin: str
    registration_year: int
    registration_month: int
    entity_type: str
    entity_type_name: str
    division: str
    division_name: str
    serial: str

    @property
    def is_legal_entity(self) -> bool:
        """True for the head organisation of a resident or non-resident legal entity (5th digit 4
        or 5, 6th digit 0); branches, representative offices and joint-business entrepreneurs are
        not separate legal entities."""
        return self.entity_type in LEGAL_ENTITY_TYPES and self.division == HEAD_ORGANISATION


def validate_bin(value: str, *, today: dt.date | None = None) -> BINInfo:
    """Validate a BIN and return its structure.

    Parameters
    ----------
    value : str
        12 digits (spaces are ignored).
    today : date, optional
        Registration dates after ``today`` are refused (default: today).

    Raises
    ------
    InvalidBIN
        Wrong length or characters, bad check digit, month not 01–12, registration date in the
        future, unknown entity type (5th digit) or division (6th digit). ``.rule`` names the rule.
    """
    s = _digits(value, InvalidBIN)
    month = int(s[2:4])
    if not 1 <= month <= 12:
        raise InvalidBIN(s, "registration month", f"registration month {s[2:4]} is not 01–12")
    today = today or dt.date.today()
    yy = int(s[:2])
    # Registration years run from 1991 (independence): 91–99 → 1990s, 00–90 → 2000s.
    year = 1900 + yy if yy >= 91 else 2000 + yy
    if (year, month) > (today.year, today.month):
        raise InvalidBIN(s, "registration date", f"registration {year}-{month:02d} is in the future")
    if s[4] not in ENTITY_TYPES:
        raise InvalidBIN(s, "entity type", f"5th digit {s[4]} is not a BIN entity type (4, 5 or 6)")
    if s[5] not in DIVISIONS:
        raise InvalidBIN(s, "division", f"6th digit {s[5]} is not a division code (0–3)")
    return BINInfo(s, year, month, s[4], ENTITY_TYPES[s[4]], s[5], DIVISIONS[s[5]], s[6:11])


@dataclass(frozen=True)
class IINInfo:
    """The structure of a valid IIN."""

    iin: str
    birth_date: dt.date
    sex: str


def validate_iin(value: str) -> IINInfo:
    """Validate an IIN and return the date of birth and sex it encodes.

    Raises
    ------
    InvalidIIN
        Wrong length or characters, bad check digit, century digit not 1–6, impossible date.
    """
    s = _digits(value, InvalidIIN)
    c = s[6]
    if c not in "123456":
        raise InvalidIIN(s, "century", f"7th digit {c} is not 1–6")
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[c]
    try:
        born = dt.date(century + int(s[:2]), int(s[2:4]), int(s[4:6]))
    except ValueError as e:
        raise InvalidIIN(s, "date of birth", f"digits 1–6 are not a date ({e})") from e
    return IINInfo(s, born, "male" if int(c) % 2 else "female")


def make_number(first11: str) -> str | None:
    """The full 12-digit number for 11 leading digits, or None when no check digit exists
    (useful for generating test and demo numbers)."""
    c = check_digit(first11)
    return None if c is None else first11 + str(c)
