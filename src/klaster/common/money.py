"""Money: the one money type of klaster.

Tenge amounts are :class:`decimal.Decimal`, never float. :class:`Money` carries its unit
(tenge, thousand tenge, mln tenge, bn tenge; or mln USD for exports), refuses floats, adds and
compares only within a currency (converting scale units exactly), and formats per language:

* kk, ru: ``1 234 567,8`` (space as the thousands separator, comma as the decimal mark);
* en: ``1,234,567.8``.

In HTML the separator is a no-break space (``nbsp=True``) so numbers do not wrap.

Errors
------
MoneyError
    A float given as an amount, an unknown unit, or arithmetic across currencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

UNITS: dict[str, tuple[str, Decimal]] = {
    # unit code: (currency, size in currency units)
    "tenge": ("KZT", Decimal(1)),
    "thousand tenge": ("KZT", Decimal(1_000)),
    "mln tenge": ("KZT", Decimal(1_000_000)),
    "bn tenge": ("KZT", Decimal(1_000_000_000)),
    "USD": ("USD", Decimal(1)),
    "thousand USD": ("USD", Decimal(1_000)),
    "mln USD": ("USD", Decimal(1_000_000)),
}
UNIT_LABELS = {
    "tenge": {"kk": "теңге", "ru": "тенге", "en": "tenge"},
    "thousand tenge": {"kk": "мың теңге", "ru": "тыс. тенге", "en": "thousand tenge"},
    "mln tenge": {"kk": "млн теңге", "ru": "млн тенге", "en": "mln tenge"},
    "bn tenge": {"kk": "млрд теңге", "ru": "млрд тенге", "en": "bn tenge"},
    "USD": {"kk": "АҚШ доллары", "ru": "долл. США", "en": "USD"},
    "thousand USD": {"kk": "мың АҚШ доллары", "ru": "тыс. долл. США", "en": "thousand USD"},
    "mln USD": {"kk": "млн АҚШ доллары", "ru": "млн долл. США", "en": "mln USD"},
}


class MoneyError(ValueError):
    """Bad money input or arithmetic across currencies."""


def to_decimal(value, *, field: str = "amount") -> Decimal:
    """Convert ``value`` (Decimal, int, or a string such as ``"1 234,5"``) to Decimal.

    Raises
    ------
    MoneyError
        ``value`` is a float (binary floats lose cents) or not a number; the message names ``field``.
    """
    if isinstance(value, bool):
        raise MoneyError(f"{field}: {value!r} is not an amount")
    if isinstance(value, float):
        raise MoneyError(f"{field}: money must not be a float ({value!r}); pass a Decimal, an int or a string")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        s = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if "," in s and "." in s:
            s = s.replace(",", "")  # 1,234.5
        else:
            s = s.replace(",", ".")  # 1234,5
        try:
            d = Decimal(s)
        except InvalidOperation as e:
            raise MoneyError(f"{field}: {value!r} is not a number") from e
    else:
        raise MoneyError(f"{field}: {value!r} is not an amount")
    if not d.is_finite():
        raise MoneyError(f"{field}: {value!r} is not a finite number")
    return d


_SPACES = ("\u00a0", "\u202f", "\u2009", " ", "\t")
_MINUS = ("-", "\u2212", "\u2013")


def parse_decimal(text: str, lang: str = "ru") -> Decimal:
    """Parse a number as a user of ``lang`` types it; the one parser of numbers typed by people.

    Accepted: digits with an optional sign (``-`` or the typographic minus ``−``); spaces
    (plain, no-break, narrow) as thousands separators; in kk/ru a comma *or* a point as the
    decimal mark (``17000,5`` and ``17000.5``); in en a point as the decimal mark and commas as
    thousands separators in groups of three (``1,234,567.8``) — a lone comma that cannot be a
    thousands separator (``17000,5``) is read as a decimal mark.

    Refused: exponents (``1e30``), ``NaN``/``Infinity``, two decimal marks, letters, empty text.

    Raises
    ------
    MoneyError
        The text is not a number written as people write numbers.
    """
    import re

    s = str(text).strip()
    for sp in _SPACES:
        s = s.replace(sp, "")
    sign = ""
    if s[:1] in _MINUS:
        sign, s = "-", s[1:]
    elif s[:1] == "+":
        s = s[1:]
    if not s or not re.fullmatch(r"[0-9.,]+", s) or not re.search(r"[0-9]", s):
        raise MoneyError(f"{text!r} is not a number")
    if lang == "en" and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", s):
        s = s.replace(",", "")
    if s.count(",") + s.count(".") > 1:
        raise MoneyError(f"{text!r}: use one decimal mark")
    s = s.replace(",", ".")
    if s.startswith(".") or s.endswith("."):
        raise MoneyError(f"{text!r} is not a number")
    return Decimal(sign + s)


def format_number(value, lang: str = "ru", *, decimals: int | None = None, nbsp: bool = False) -> str:
    """Format a number with the separators of ``lang`` (kk/ru ``1 234 567,8``; en ``1,234,567.8``).

    Parameters
    ----------
    value : Decimal, int or str
    lang : {"kk", "ru", "en"}
    decimals : int, optional
        Round half-up to this many decimals; default keep the value's own digits.
    nbsp : bool
        Use a no-break space as the kk/ru thousands separator (for HTML).
    """
    d = value if isinstance(value, Decimal) else to_decimal(value)
    if decimals is not None:
        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    s = format(abs(d), "f")
    int_part, _, frac = s.partition(".")
    groups = []
    while len(int_part) > 3:
        groups.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    groups.insert(0, int_part)
    if lang == "en":
        out = ",".join(groups) + (f".{frac}" if frac else "")
    else:
        sep = "\u00a0" if nbsp else " "
        out = sep.join(groups) + (f",{frac}" if frac else "")
    return sign + out


@dataclass(frozen=True)
class Money:
    """An amount with its unit, e.g. ``Money("112.1", "mln tenge")``.

    Parameters
    ----------
    amount : Decimal, int or str (never float)
    unit : str
        One of :data:`UNITS` (default ``"tenge"``).

    Raises
    ------
    MoneyError
        Float amount, unknown unit, or (in arithmetic) different currencies.
    """

    amount: Decimal
    unit: str = "tenge"

    def __post_init__(self):
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if self.unit not in UNITS:
            raise MoneyError(f"unknown money unit {self.unit!r}; known: {', '.join(UNITS)}")

    @property
    def currency(self) -> str:
        return UNITS[self.unit][0]

    def to(self, unit: str) -> "Money":
        """The same amount in another unit of the same currency (exact decimal scaling)."""
        if unit not in UNITS:
            raise MoneyError(f"unknown money unit {unit!r}")
        if UNITS[unit][0] != self.currency:
            raise MoneyError(f"cannot convert {self.unit} to {unit}: different currencies")
        return Money(self.amount * UNITS[self.unit][1] / UNITS[unit][1], unit)

    def _same(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        return other.to(self.unit)

    def __add__(self, other: "Money") -> "Money":
        return Money(self.amount + self._same(other).amount, self.unit)

    def __sub__(self, other: "Money") -> "Money":
        return Money(self.amount - self._same(other).amount, self.unit)

    def __mul__(self, factor) -> "Money":
        return Money(self.amount * to_decimal(factor, field="factor"), self.unit)

    __rmul__ = __mul__

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.unit)

    def __lt__(self, other: "Money") -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: "Money") -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: "Money") -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: "Money") -> bool:
        return self.amount >= self._same(other).amount

    def __eq__(self, other) -> bool:
        if not isinstance(other, Money) or other.currency != self.currency:
            return NotImplemented
        return self.amount == other.to(self.unit).amount

    def __hash__(self) -> int:
        return hash((self.currency, self.to(next(u for u, (c, s) in UNITS.items() if c == self.currency and s == 1)).amount.normalize()))

    def min(self, other: "Money") -> "Money":
        """The smaller of two amounts, in this amount's unit (caps: ``cost.min(cap)``)."""
        o = self._same(other)
        return self if self.amount <= o.amount else o

    def round(self, decimals: int = 2) -> "Money":
        """Round half-up to ``decimals`` places of this unit."""
        return Money(self.amount.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), self.unit)

    def format(self, lang: str = "ru", *, decimals: int | None = None, nbsp: bool = False, with_unit: bool = True) -> str:
        """Format per language, e.g. ``Money("1234567.8").format("ru") == "1 234 567,8 тенге"``."""
        s = format_number(self.amount, lang, decimals=decimals, nbsp=nbsp)
        if not with_unit:
            return s
        return f"{s} {UNIT_LABELS[self.unit].get(lang, self.unit)}"

    def __str__(self) -> str:
        return self.format("en")
