"""Demo data of the programmes: a ЦКП per pilot cluster with its key project (cost and cluster
share as printed in seed 003), the effect tables of seed 003, and — marked illustrative — a
financing schedule and counter-obligations with quarterly targets and reports. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from klaster.programmes import pilots

ILLUSTRATIVE_YEARS = (2022, 2023, 2024)
#: The reason the audit trail keeps for the demo's back-dated quarterly reports.
BACKDATED = "demo data: illustrative quarterly reports of 2022"


def load_demo(console) -> None:
    from django.contrib.auth import get_user_model

    from klaster.programmes import domain
    from klaster.programmes.models import FundingSource, Programme
    from klaster.register.models import Cluster

    organizer = get_user_model().objects.filter(username="organizer").first()
    applicant = get_user_model().objects.filter(username="applicant").first()
    data = pilots.load()
    made = 0
    for c in data["clusters"]:
        cluster = Cluster.objects.filter(code=c["id"]).first()
        if cluster is None or Programme.objects.filter(cluster=cluster).exists():
            continue
        prog = domain.create_programme(
            actor=organizer, cluster=cluster, title_ru=f"ЦКП: {c['name']['ru']}", title_kk=f"МКБ: {c['name']['kk']}", title_en=f"Targeted programme: {c['name']['en']}",
            start_year=2021, end_year=2025, source="seed 003", is_demo=True,
        )
        pr = c["project"]
        proj = domain.add_project(
            actor=organizer, programme=prog, name_ru=pr["name"]["ru"], name_kk=pr["name"]["kk"], name_en=pr["name"]["en"],
            cost=pr["cost"], direction="priority-direction", printed_participants_amount=pr["cluster_share"], source=f"seed 003, line {pr['line']}",
        )
        # illustrative schedule: the state and participants' shares spread evenly over 2022–2024
        n = len(ILLUSTRATIVE_YEARS)
        for i, year in enumerate(ILLUSTRATIVE_YEARS):
            for src, total in ((FundingSource.REPUBLICAN, proj.state_amount), (FundingSource.PARTICIPANTS, proj.participants_amount)):
                part = (total / n).quantize(Decimal("0.1"))
                if i == n - 1:
                    part = total - (total / n).quantize(Decimal("0.1")) * (n - 1)
                domain.set_financing(actor=organizer, project=proj, year=year, source=src, amount=part, illustrative=True)
        for ind in ("production", "exports", "taxes", "unlabelled"):
            row = c.get(ind)
            if not row:
                continue
            unit = {"production": "mln tenge", "exports": "mln USD", "taxes": "mln tenge", "unlabelled": "—"}[ind]
            domain.save_effect(
                actor=organizer, programme=prog, indicator=ind, unit=unit, base_year=data["base_year"], base_value=row["base"],
                forecast_year=data["forecast_year"], forecast_value=row["forecast"], printed_effect_pct=row.get("effect_pct"),
                cluster_share_pct=row.get("cluster_share_pct"), source=f"seed 003, line {row['line']}",
            )
        # counter-obligation: the sector's production, base 2020 and 2024 forecast from seed 003;
        # the 2022 quarterly targets and the reported actuals are illustrative
        p = c["production"]
        step = (p["forecast"] - p["base"]) / 16
        targets = {(2024, None): p["forecast"]}
        for q in (1, 2, 3, 4):
            targets[(2022, q)] = ((p["base"] + step * (4 + q)) / 4).quantize(Decimal("0.1"))
        ob = domain.add_obligation(
            actor=organizer, programme=prog, indicator_ru="Объём производства отрасли кластера в регионе (квартал)", indicator_en="Production of the cluster's sector in the region (quarter)",
            indicator_kk="Өңірдегі кластер саласының өндіріс көлемі (тоқсан)", unit="mln tenge", base_year=2020, base_value=p["base"], targets=targets,
        )
        # the association's user reports for its own cluster (construction); the organizer enters the others
        assoc_bin = cluster.association.bin if cluster.association else None
        reporter = applicant if applicant is not None and assoc_bin and getattr(getattr(applicant, "profile", None), "organisation_bin", "") == assoc_bin else organizer
        for q, factor in ((1, Decimal("1.02")), (2, Decimal("0.97"))):
            actual = (targets[(2022, q)] * factor).quantize(Decimal("0.1"))
            domain.submit_report(actor=reporter, programme=prog, year=2022, quarter=q, actuals={ob: actual}, on=dt.date(2022, 3 * q + 1, 12), comment="illustrative demo figures", reason=BACKDATED)
        made += 1
    console.print(f"programmes: {Programme.objects.count()} programmes ({made} new)")
