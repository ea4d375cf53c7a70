"""The six pilot clusters of seed 003 as real data, and the reconciliation of its printed figures.

The data file ``data/pilot_clusters_seed003.yaml`` is typed from the seed with the line of each
figure. :func:`totals` recomputes the seed's totals (3,896.5 mln tenge of project cost; production
264.9 → 441.2 bn tenge; exports 281.5 → 423.5 mln USD; taxes +4.8 bn tenge) and
:func:`reconcile` lists every printed figure next to the value recomputed from the seed's own
numbers, flagging the ones that differ (furniture production 87.4% printed 88%; construction
exports 42.5% printed 43%; flour exports 51.2% printed 52%) instead of hiding either.

Plain Python (no Django): the demo loader and the tests both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from klaster.common.money import Money, to_decimal
from klaster.engine.programmes.cofinancing import split_cost
from klaster.engine.programmes.effects import check_printed

DATA_FILE = Path(__file__).with_name("data") / "pilot_clusters_seed003.yaml"
TABLES = ("production", "exports", "taxes")
TABLE_UNITS = {"production": "mln tenge", "exports": "mln USD", "taxes": "mln tenge"}


@dataclass(frozen=True)
class Check:
    """One printed figure against the value recomputed from the seed's numbers."""

    what: str
    cluster: str | None
    printed: Decimal
    computed: Decimal
    computed_exact: Decimal
    unit: str
    matches: bool
    line: int | str | None

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}


@lru_cache(maxsize=1)
def load() -> dict:
    """The pilot-cluster data as a dict (numbers as Decimal)."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    for c in raw["clusters"]:
        c["project"]["cost"] = to_decimal(c["project"]["cost"])
        c["project"]["cluster_share"] = to_decimal(c["project"]["cluster_share"])
        for t in TABLES + ("new_products",):
            if c.get(t):
                c[t] = {k: (to_decimal(v) if k in ("base", "forecast", "effect_pct", "cluster_share_pct", "increment") else v) for k, v in c[t].items()}
    for k, v in raw["printed_totals"].items():
        v["value"] = to_decimal(str(v["value"]))
    return raw


def clusters() -> list[dict]:
    return load()["clusters"]


def reported_results(cluster_id: str) -> dict | None:
    """The results of a pilot's ЦКП that seed 000 prints (the Karaganda construction cluster:
    new products +5 %, production +19 %, exports +11 %, tax revenue +18 %), with the source line
    and how they agree with seed 003; None for the other pilots."""
    for c in clusters():
        if c["id"] == cluster_id and c.get("results_seed000"):
            r = c["results_seed000"]
            return {**r, "changes_pct": {k: to_decimal(str(v)) for k, v in r["changes_pct"].items()}, "source": f"seed 000, lines {r['line']}"}
    return None


def _q(d: Decimal, places: str) -> Decimal:
    return d.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def totals() -> dict[str, Money]:
    """The seed's totals recomputed from its rows.

    Returns
    -------
    dict
        ``project_cost`` (mln tenge), ``production_2020`` / ``production_2024`` (bn tenge),
        ``exports_2020`` / ``exports_2024`` (mln USD), ``taxes_2020`` / ``taxes_2024`` /
        ``taxes_increase`` (bn tenge) — exact sums, not rounded.
    """
    cs = clusters()
    cost = sum((c["project"]["cost"] for c in cs), Decimal(0))

    def tot(table, key):
        return sum((c[table][key] for c in cs if c.get(table)), Decimal(0))

    return {
        "project_cost": Money(cost, "mln tenge"),
        "cluster_share": Money(sum((c["project"]["cluster_share"] for c in cs), Decimal(0)), "mln tenge"),
        "production_2020": Money(tot("production", "base"), "mln tenge").to("bn tenge"),
        "production_2024": Money(tot("production", "forecast"), "mln tenge").to("bn tenge"),
        "exports_2020": Money(tot("exports", "base"), "mln USD"),
        "exports_2024": Money(tot("exports", "forecast"), "mln USD"),
        "taxes_2020": Money(tot("taxes", "base"), "mln tenge").to("bn tenge"),
        "taxes_2024": Money(tot("taxes", "forecast"), "mln tenge").to("bn tenge"),
        "taxes_increase": Money(tot("taxes", "forecast") - tot("taxes", "base"), "mln tenge").to("bn tenge"),
    }


def reconcile() -> list[Check]:
    """Every printed figure of seed 003 against its recomputation.

    Covers the printed totals (to the printed precision), each effect % (whole percent), and each
    cluster share against the 70/30 co-financing rule (0.1 mln tenge).
    """
    data = load()
    t = totals()
    pt = data["printed_totals"]
    out: list[Check] = []
    total_keys = {
        "project_cost": ("0.1", t["project_cost"]),
        "production_2020": ("0.1", t["production_2020"]),
        "production_2024": ("0.1", t["production_2024"]),
        "exports_2020": ("0.1", t["exports_2020"]),
        "exports_2024": ("0.1", t["exports_2024"]),
        "taxes_increase": ("0.1", t["taxes_increase"]),
    }
    products = sum((c["new_products"]["increment"] for c in data["clusters"] if c.get("new_products")), Decimal(0))
    out.append(Check("total:new_products", None, to_decimal(str(pt["new_products"]["value"])), products, products, "products", products == to_decimal(str(pt["new_products"]["value"])), pt["new_products"]["line"]))
    for key, (places, money) in total_keys.items():
        printed = pt[key]["value"]
        comp = _q(money.amount, places)
        out.append(Check(f"total:{key}", None, printed, comp, money.amount, money.unit, comp == printed, pt[key]["line"]))
    for c in data["clusters"]:
        for table in ("production", "exports"):
            row = c.get(table)
            if not row:
                continue
            chk = check_printed(row["base"], row["forecast"], row["effect_pct"])
            out.append(Check(f"effect:{table}", c["id"], chk.printed, chk.computed, chk.computed, "%", chk.matches, row["line"]))
        split = split_cost(Money(c["project"]["cost"], "mln tenge"), "priority-direction")
        out.append(
            Check("cluster-share-70-30", c["id"], c["project"]["cluster_share"], split.participants.amount, c["project"]["cost"] * split.participants_share, "mln tenge", split.participants.amount == c["project"]["cluster_share"], c["project"]["line"])
        )
    return out


def mismatches() -> list[Check]:
    """The printed figures that differ from the ratios of their own numbers."""
    return [c for c in reconcile() if not c.matches]
