"""Ranking territorial clusters by development level (methods.md §6; seed 003, "ranking by a methodology").

A :class:`Methodology` names the indicators (each a benefit or a cost criterion, with a weight),
the normalisation and the multi-criteria method — TOPSIS by default, VIKOR and PROMETHEE II as
options, all from ``pymcdm``. :meth:`Methodology.rank` takes a table of clusters × indicators and
returns scores and ranks; :func:`sensitivity` moves each weight by ±10% (renormalising the
weights to sum to 1) and reports how many rank positions move and which pairs of clusters swap.

References
----------
Hwang, C.-L., Yoon, K. (1981). Multiple Attribute Decision Making. Springer (TOPSIS).
Opricovic, S., Tzeng, G.-H. (2004). Compromise solution by MCDM methods. EJOR 156(2) (VIKOR).
Brans, J.-P., Vincke, Ph. (1985). A preference ranking organisation method. Management Science 31(6) (PROMETHEE).
Kizielewicz, B., Shekhovtsov, A., Sałabun, W. (2023). pymcdm — The universal library for solving
multi-criteria decision-making problems. SoftwareX 22.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from pymcdm import methods as _methods
from pymcdm import normalizations as _norm

METHODS = ("TOPSIS", "VIKOR", "PROMETHEE_II")
NORMALISATIONS = {
    "minmax": _norm.minmax_normalization,
    "max": _norm.max_normalization,
    "sum": _norm.sum_normalization,
    "vector": _norm.vector_normalization,
    "linear": _norm.linear_normalization,
}


class RankingError(ValueError):
    """Invalid methodology or data; the message names the parameter and the allowed values."""


@dataclass(frozen=True)
class Indicator:
    """One criterion: ``code`` (column of the data), names, ``benefit`` (True: more is better),
    ``weight`` (> 0), and its unit."""

    code: str
    weight: float
    benefit: bool = True
    unit: str = ""
    name: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Methodology:
    """A named ranking methodology.

    Parameters
    ----------
    name : str
    indicators : tuple of Indicator
        Weights must be positive and sum to 1 (±1e-9).
    method : {"TOPSIS", "VIKOR", "PROMETHEE_II"}
    normalisation : {"minmax", "max", "sum", "vector", "linear"}
        Used by TOPSIS and VIKOR; PROMETHEE II compares differences with the "usual" preference
        function and needs none.
    """

    name: str
    indicators: tuple[Indicator, ...]
    method: str = "TOPSIS"
    normalisation: str = "minmax"

    def validate(self) -> None:
        if self.method not in METHODS:
            raise RankingError(f"method {self.method!r} is not one of {', '.join(METHODS)}")
        if self.normalisation not in NORMALISATIONS:
            raise RankingError(f"normalisation {self.normalisation!r} is not one of {', '.join(NORMALISATIONS)}")
        if len(self.indicators) < 2:
            raise RankingError("indicators: at least two are needed")
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise RankingError(f"indicators: duplicate codes in {codes}")
        w = np.array([i.weight for i in self.indicators], dtype=float)
        if (w <= 0).any():
            raise RankingError("indicators: every weight must be positive")
        if abs(w.sum() - 1) > 1e-9:
            raise RankingError(f"indicators: weights must sum to 1, they sum to {w.sum():.6f}")

    @property
    def weights(self) -> np.ndarray:
        return np.array([i.weight for i in self.indicators], dtype=float)

    @property
    def types(self) -> np.ndarray:
        return np.array([1 if i.benefit else -1 for i in self.indicators])

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "method": self.method,
            "normalisation": self.normalisation,
            "indicators": [{"code": i.code, "weight": i.weight, "benefit": i.benefit, "unit": i.unit, "name": i.name} for i in self.indicators],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Methodology":
        return cls(
            name=d["name"],
            method=d.get("method", "TOPSIS"),
            normalisation=d.get("normalisation", "minmax"),
            indicators=tuple(Indicator(code=i["code"], weight=float(i["weight"]), benefit=bool(i.get("benefit", True)), unit=i.get("unit", ""), name=i.get("name") or {}) for i in d["indicators"]),
        )

    def _matrix(self, data: pd.DataFrame) -> np.ndarray:
        missing = [i.code for i in self.indicators if i.code not in data.columns]
        if missing:
            raise RankingError(f"data: indicator column(s) missing: {', '.join(missing)}")
        if len(data) < 2:
            raise RankingError("data: at least two clusters are needed to rank")
        m = data[[i.code for i in self.indicators]].astype(float).to_numpy()
        if not np.isfinite(m).all():
            bad = data.index[~np.isfinite(m).all(axis=1)].tolist()
            raise RankingError(f"data: missing or non-finite values for {bad}")
        return m

    def _method(self):
        if self.method == "TOPSIS":
            return _methods.TOPSIS(normalization_function=NORMALISATIONS[self.normalisation])
        if self.method == "VIKOR":
            return _methods.VIKOR(normalization_function=NORMALISATIONS[self.normalisation])
        return _methods.PROMETHEE_II("usual")

    def scores(self, data: pd.DataFrame, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        self.validate()
        m = self._matrix(data)
        w = self.weights if weights is None else weights
        meth = self._method()
        # A criterion constant across clusters carries no information (and breaks min-max
        # normalisation); it is dropped with its weight renormalised away.
        keep = np.ptp(m, axis=0) > 0
        if not keep.any():
            pref = np.zeros(len(m))
            return pref, np.ones(len(m))
        w2 = w[keep] / w[keep].sum()
        with warnings.catch_warnings():
            # pymcdm warns when one cluster dominates another; in a register that is a finding,
            # not an error, and every method used here handles it.
            warnings.filterwarnings("ignore", message="Alternatives with indices", category=UserWarning)
            pref = meth(m[:, keep], w2, self.types[keep])
        return pref, meth.rank(pref)

    def rank(self, data: pd.DataFrame) -> pd.DataFrame:
        """Score and rank the clusters (rows of ``data``; columns = indicator codes).

        Returns
        -------
        DataFrame
            Index as ``data``; columns ``score`` (TOPSIS closeness and PROMETHEE II net flow:
            higher is better; VIKOR Q: lower is better) and ``rank`` (1 = most developed; ties
            share the mean rank), sorted by rank.
        """
        pref, ranks = self.scores(data)
        out = pd.DataFrame({"score": pref, "rank": ranks}, index=data.index)
        return out.sort_values(["rank"], kind="stable")


def perturbed_weights(weights: np.ndarray, j: int, delta: float) -> np.ndarray:
    """Weights with weight ``j`` multiplied by ``1 + delta`` and all renormalised to sum to 1."""
    w = weights.astype(float).copy()
    w[j] *= 1 + delta
    return w / w.sum()


def sensitivity(methodology: Methodology, data: pd.DataFrame, delta: float = 0.10) -> pd.DataFrame:
    """How ranks react when each weight moves by ±``delta``.

    Returns
    -------
    DataFrame
        One row per indicator and direction: ``indicator``, ``change`` ("+10%" / "-10%"),
        ``weights`` (the perturbed weight of that indicator), ``positions_moved`` (sum over
        clusters of |new rank − base rank|), ``clusters_moved`` and ``swaps`` (list of
        ``(a, b)`` pairs whose order reversed).
    """
    base_pref, base_rank = methodology.scores(data)
    names = list(data.index)
    rows = []
    for j, ind in enumerate(methodology.indicators):
        for sign in (+1, -1):
            w = perturbed_weights(methodology.weights, j, sign * delta)
            _, r = methodology.scores(data, w)
            moved = np.abs(r - base_rank)
            swaps = [
                (names[a], names[b])
                for a, b in combinations(range(len(names)), 2)
                if (base_rank[a] - base_rank[b]) * (r[a] - r[b]) < 0
            ]
            rows.append(
                {
                    "indicator": ind.code,
                    "change": f"{'+' if sign > 0 else '-'}{round(delta * 100)}%",
                    "weight": float(w[j]),
                    "positions_moved": float(moved.sum()),
                    "clusters_moved": int((moved > 0).sum()),
                    "swaps": swaps,
                }
            )
    return pd.DataFrame(rows)
