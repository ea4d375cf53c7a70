"""Input-output analysis (Miller & Blair 2009). Plain Python (no Django import).

- :mod:`.core` — the mathematics as pure functions (A, LU-based Leontief solves, multipliers,
  Type II closure, Ghosh, Rasmussen–Hirschman linkages, hypothetical extraction, impacts);
- :class:`IOTable` — a labelled table that orchestrates them;
- :mod:`.regional` — SLQ, CILQ, FLQ and AFLQ regionalisation;
- :mod:`.templates` — cluster templates from linkages (Feser–Bergman, Czamanski, Hill–Brennan);
- :mod:`.interop` — to and from :class:`pymrio.IOSystem`;
- :mod:`.official` — the official and textbook tables used for validation.
"""

from .core import IOTableError, LeontiefLU
from .regional import Regionalised, regionalise
from .system import IOTable

__all__ = ["IOTable", "IOTableError", "LeontiefLU", "Regionalised", "regionalise"]
