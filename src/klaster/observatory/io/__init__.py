"""Input-output analysis (Miller & Blair 2009). Plain Python (no Django import).

- :mod:`.core` — the mathematics as pure functions (A, LU-based Leontief solves, multipliers,
  Type II closure, Ghosh, Rasmussen–Hirschman linkages, hypothetical extraction, impacts);
- :class:`IOTable` — a labelled table that orchestrates them;
- :mod:`.regional` — SLQ, CILQ, FLQ and AFLQ regionalisation;
- :mod:`.templates` — cluster templates from linkages (Feser–Bergman, Czamanski, Hill–Brennan);
- :mod:`.interop` — to and from :class:`pymrio.IOSystem`;
- :mod:`.official` — the official and textbook tables used for validation.

The names below are imported on first use (``klaster io --help`` does not load numpy, scipy and
pandas).
"""

from __future__ import annotations

import importlib

__all__ = ["IOTable", "IOTableError", "LeontiefLU", "Regionalised", "regionalise"]
_WHERE = {"IOTable": ".system", "IOTableError": ".core", "LeontiefLU": ".core", "Regionalised": ".regional",
          "regionalise": ".regional"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
