"""The register's ranking of clusters by development level (seed 003, line 280: step 3 of the
scaling of cluster policy, "ranking of clusters by development level, on a methodology").

The methodology is data (``klaster/programmes/data/development_level.yaml``): the register's own
indicators — unaffiliated participants (Criteria 1.1), employees, output, exports, the R&D share of
staff and the growth of actual output (App. 2 §7 of Decree 535) —, the method (TOPSIS), the
normalisation and the weights with the rule that set them (equal: no seed gives weights). Each
ranking stores the methodology as used, the input table and, per cluster, the score and the rank;
ties are ties (:func:`positions`). Forecasts (seed 003's 2024 figures) are not a development level
and are not used.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from klaster.engine.programmes.ranking import Indicator, Methodology

DATA = Path(__file__).resolve().parents[2] / "programmes" / "data" / "development_level.yaml"


@lru_cache(maxsize=1)
def definition() -> dict:
    """The methodology as the data file states it (with its source, weights rule and clauses)."""
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def methodology() -> Methodology:
    """The development-level methodology as a :class:`~klaster.engine.programmes.ranking.Methodology`
    (named in English; the page shows the names in the page's language)."""
    d = definition()
    return Methodology(
        name=d["name"]["en"], method=d["method"], normalisation=d["normalisation"],
        indicators=tuple(Indicator(i["code"], float(i["weight"]), bool(i.get("benefit", True)), i.get("unit", ""), i.get("name") or {}) for i in d["indicators"]),
    )


def meta() -> dict:
    """What the saved methodology keeps beside the engine's definition: it is a development level,
    its source, weights rule, version and the clause of each indicator."""
    d = definition()
    return {"development_level": True, "source": d["source"], "weights_rule": d["weights_rule"], "version": d["version"], "title": d["name"],
            "clauses": {i["code"]: i.get("clause", "") for i in d["indicators"]}}


def positions(result: list[dict]) -> list[dict]:
    """Rank positions with ties as ties: clusters with equal scores share the positions they
    cover (two clusters tied for first are "1–2", both), instead of the mean rank (1.5).

    Parameters
    ----------
    result : list of dict
        ``[{"cluster", "score", "rank"}]`` as stored with a ranking (rank: 1 = most developed;
        ties carry the mean rank).

    Returns
    -------
    list of dict
        The rows in rank order with ``first`` and ``last`` (the positions covered) and ``tie``.
    """
    rows = sorted(result, key=lambda x: (float(x["rank"]), x["cluster"]))
    groups: dict[float, list[dict]] = {}
    for r in rows:
        groups.setdefault(float(r["rank"]), []).append(r)
    out = []
    for rank, members in groups.items():
        k = len(members)
        first = int(round(rank - (k - 1) / 2))
        for r in members:
            out.append({**r, "first": first, "last": first + k - 1, "tie": k > 1})
    return out
