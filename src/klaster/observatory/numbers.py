"""Numbers and years as analysts write them in files — read strictly, never guessed.

One parser for every file the observatory reads (panels, input-output tables, scenario and
vector files). A cell is a number when it is written

- with a point as the decimal separator: ``1234``, ``1234.5``, ``-0.25``, ``1.5e-3``;
- optionally with spaces (also no-break and thin spaces) between groups of three digits:
  ``17 000``, ``1 234 567.5``;
- with a minus sign ``-`` or ``−`` (U+2212);
- or, when the file is declared to use a decimal comma (``decimal=","``), with a comma instead
  of the point: ``17 000,5``.

Everything else is refused, with the reason. In particular a comma in a file read with a
decimal point is refused: ``1,234`` may be one thousand two hundred and thirty-four (a thousands
separator) or one point two three four (a decimal comma), and reading it either way silently
changes the number by a factor of 1,000. The same holds for a point in a file declared to use a
decimal comma (``1.234``). ``inf``, ``nan`` and other words are not numbers.

Years are integers: ``2020`` (or ``2020.0`` as a spreadsheet stores a whole number); ``2020.5``,
``2020-12-31`` or ``FY2020`` are refused rather than truncated.

Machine formats (Parquet columns typed as numbers) are taken as they are; text is parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Spaces accepted between groups of three digits (space, no-break space, narrow no-break, thin).
GROUP_SPACES = " \u00a0\u202f\u2009"
_MINUS = "\u2212"
_NUM_POINT = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+)(?:\.\d*)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+(?:[eE][+-]?\d+)?$")
_NUM_COMMA = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+)(?:,\d*)?(?:[eE][+-]?\d+)?$|^[+-]?,\d+(?:[eE][+-]?\d+)?$")
DECIMALS = (".", ",")


@dataclass(frozen=True)
class Parsed:
    """Result of :func:`parse_numbers`.

    Attributes
    ----------
    values : ndarray of float
        The numbers (NaN where ``blank`` or ``bad``).
    blank : ndarray of bool
        Empty cells (and the explicit missing markers of ``parse_numbers``).
    bad : ndarray of bool
        Cells that are not numbers under the rules above.
    reasons : ndarray of object
        For each bad cell, why (``None`` elsewhere).
    """

    values: np.ndarray
    blank: np.ndarray
    bad: np.ndarray
    reasons: np.ndarray

    def first_bad(self) -> int | None:
        """Position of the first bad cell, or None."""
        i = np.flatnonzero(self.bad)
        return int(i[0]) if i.size else None


def reason_for(text: str, decimal: str = ".") -> str:
    """Why ``text`` is not a number under the rules of this module (for one cell)."""
    t = text.strip()
    if decimal == "." and "," in t:
        return ("ambiguous comma: a thousands separator or a decimal comma? write 1234 or 1.234 "
                "(or declare the file's decimal comma)")
    if decimal == "," and "." in t:
        return ("ambiguous point: a thousands separator or a decimal point? write 1234 or 1,234 "
                "(the file is read with a decimal comma)")
    if re.search(r"\d[ \u00a0\u202f\u2009]\d", t):
        return "digits may be grouped by spaces only in groups of three (17 000)"
    if t.lower().lstrip("+-").strip() in ("inf", "infinity", "nan"):
        return "not a finite number"
    return "not a number"


def parse_numbers(values, *, decimal: str = ".", missing=("",)) -> Parsed:
    """Parse text cells into floats by the rules of the module docstring.

    Parameters
    ----------
    values : sequence of str (or a pandas Series; numbers are taken as they are)
    decimal : {".", ","}
        The file's decimal separator.
    missing : iterable of str
        Cell texts that mean "no value" (after stripping), e.g. ``""``, ``"NA"``.

    Returns
    -------
    Parsed
    """
    if decimal not in DECIMALS:
        raise ValueError(f"decimal separator must be '.' or ','; got {decimal!r}")
    s = pd.Series(values, copy=False)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(v)
        bad = np.isinf(v)
        reasons = np.where(bad, "not a finite number", None).astype(object)
        return Parsed(v, blank, bad, reasons)
    # fast path (vectorised): plain numbers with a point, as the C parser reads them
    t = s.astype("string[pyarrow]").str.strip()
    na = t.isna().to_numpy()
    miss = [str(m).strip() for m in missing]
    blank = na | t.isin(miss).fillna(False).to_numpy(dtype=bool)
    sep_other = "," if decimal == "." else "."
    amb = t.str.contains(sep_other, regex=False).fillna(False).to_numpy(dtype=bool)
    t2 = t if decimal == "." else t.str.replace(",", ".", regex=False)
    plain = ~t2.str.contains(r"[^0-9eE+\-.]", regex=True).fillna(True).to_numpy(dtype=bool)
    num = pd.to_numeric(t2.where(pd.Series(plain, index=t2.index), None), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = ~blank & ~amb & plain & np.isfinite(num)
    v = np.where(ok, num, np.nan)
    bad = np.zeros(len(t), dtype=bool)
    reasons = np.full(len(t), None, dtype=object)
    # slow path, once per distinct remaining text: grouped digits, the minus sign U+2212, reasons
    rest = ~blank & ~ok
    if rest.any():
        pat = _NUM_POINT if decimal == "." else _NUM_COMMA
        idx = np.flatnonzero(rest)
        texts = t.to_numpy(dtype=object)[idx]
        cache: dict[str, tuple[float, str | None]] = {}
        for k, txt in zip(idx, texts):
            if txt not in cache:
                norm = txt.replace(_MINUS, "-")
                if pat.match(norm):
                    for ch in GROUP_SPACES:
                        norm = norm.replace(ch, "")
                    val = float(norm.replace(",", ".")) if decimal == "," else float(norm)
                    cache[txt] = (val, None) if np.isfinite(val) else (np.nan, "not a finite number")
                else:
                    cache[txt] = (np.nan, reason_for(txt, decimal))
            val, why = cache[txt]
            if why is None:
                v[k] = val
            else:
                bad[k] = True
                reasons[k] = why
    return Parsed(v, blank, bad, reasons)


def parse_years(values) -> tuple[np.ndarray, np.ndarray]:
    """Parse years: integers (``2020``; ``2020.0`` as stored by a spreadsheet).

    Returns
    -------
    years : ndarray of int64 (0 where bad)
    bad : ndarray of bool
        Not an integer: ``2020.5``, ``2020-12-31``, ``FY2020``, blank, ``inf``.
    """
    s = pd.Series(values, copy=False)
    if pd.api.types.is_integer_dtype(s.dtype):
        y = s.to_numpy(dtype="int64", na_value=0)
        return y, s.isna().to_numpy()
    p = parse_numbers(s)
    v = p.values
    ok = ~p.bad & ~p.blank & np.isfinite(v) & (np.floor(np.where(np.isfinite(v), v, 0)) == np.where(np.isfinite(v), v, 1))
    return np.where(ok, v, 0).astype("int64"), ~ok
