"""Demo data of the programmes: a ЦКП per pilot cluster with its key project (cost and cluster
share as printed in seed 003), the effect tables of seed 003 (the new-products table identified by
its sum, 24), counter-obligations whose base and 2024 target are seed 003's (new products,
exports; with their source line), and — marked ``is_demo`` / illustrative — a financing schedule,
counter-obligations with quarterly targets (production, labour productivity, a participant's new
markets), quarterly reports (one of them submitted late) and payments. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from klaster.programmes import pilots

ILLUSTRATIVE_YEARS = (2022, 2023, 2024)
#: The reason the audit trail keeps for the demo's back-dated quarterly reports.
BACKDATED = "demo data: illustrative quarterly reports of 2022"
EFFECT_CODES = {"production": "production", "exports": "exports", "taxes": "taxes", "new_products": "new-products"}
EFFECT_UNITS = {"production": "mln tenge", "exports": "mln USD", "taxes": "mln tenge", "new_products": "products"}


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
        if cluster is not None and Programme.objects.filter(cluster=cluster).exists():
            _update(Programme.objects.get(cluster=cluster), c, data, organizer)
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
        for ind in ("production", "exports", "taxes", "new_products"):
            row = c.get(ind)
            if not row:
                continue
            domain.save_effect(
                actor=organizer, programme=prog, indicator=EFFECT_CODES[ind], unit=EFFECT_UNITS[ind], base_year=data["base_year"], base_value=row["base"],
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
            kind="production", is_demo=True, source=f"base 2020 and target 2024: seed 003, line {p['line']}; quarterly targets invented",
        )
        _real_obligations(domain, organizer, prog, c)
        quarterly = _demo_obligations(domain, organizer, prog, cluster)
        # the association's user reports for its own cluster (construction); the organizer enters the others
        assoc_bin = cluster.association.bin if cluster.association else None
        reporter = applicant if applicant is not None and assoc_bin and getattr(getattr(applicant, "profile", None), "organisation_bin", "") == assoc_bin else organizer
        for q, factor, on in ((1, Decimal("1.02"), dt.date(2022, 4, 12)), (2, Decimal("0.97"), dt.date(2022, 7, 12)), (3, Decimal("1.01"), dt.date(2023, 2, 10))):
            actual = (targets[(2022, q)] * factor).quantize(Decimal("0.1"))
            values = {ob: actual, **{o: v[q] for o, v in quarterly.items() if q in v}}
            rep = domain.submit_report(actor=reporter, programme=prog, year=2022, quarter=q, actuals=values, on=on,
                                       comment="условные демонстрационные данные" + (" (сдан с опозданием)" if q == 3 else ""), reason=BACKDATED)
            type(rep).objects.filter(pk=rep.pk).update(is_demo=True)
        proj = prog.projects.first()
        for year in (2022, 2023):
            fin = proj.financing.filter(year=year, source=FundingSource.REPUBLICAN).first()
            if fin is not None:
                domain.record_payment(actor=organizer, project=proj, paid_on=dt.date(year, 11, 20), source=FundingSource.REPUBLICAN, amount=fin.amount,
                                      note="условный демонстрационный платёж", reason=BACKDATED.replace("quarterly reports", "payments"), is_demo=True)
        made += 1
    console.print(f"programmes: {Programme.objects.count()} programmes ({made} new)")


def _real_obligations(domain, organizer, prog, c) -> None:
    """Counter-obligations whose base (2020) and 2024 target are seed 003's figures: new products
    (the table identified by its sum) and exports of the cluster's sector."""
    np_ = c.get("new_products")
    if np_:
        domain.add_obligation(
            actor=organizer, programme=prog, indicator_ru="Новые продукты участников кластера", indicator_en="New products of the cluster's participants",
            indicator_kk="Кластер қатысушыларының жаңа өнімдері", unit="products", base_year=2020, base_value=np_["base"], targets={(2024, None): np_["forecast"]},
            kind="new-products", source=f"seed 003, line {np_['line']} (the new-products table: its increments add up to the slide's 24)",
        )
    ex = c.get("exports")
    if ex:
        domain.add_obligation(
            actor=organizer, programme=prog, indicator_ru="Экспорт продукции отрасли кластера в регионе", indicator_en="Exports of the cluster's sector in the region",
            indicator_kk="Өңірдегі кластер саласы өнімінің экспорты", unit="mln USD", base_year=2020, base_value=ex["base"], targets={(2024, None): ex["forecast"]},
            kind="exports", source=f"seed 003, line {ex['line']}",
        )


def _demo_obligations(domain, organizer, prog, cluster) -> dict:
    """Invented obligations with quarterly targets of 2022: labour productivity growth (%) of the
    participants together and new markets of one participant. Returns ``{obligation: {quarter:
    actual}}`` for the demo reports."""
    prod = domain.add_obligation(
        actor=organizer, programme=prog, indicator_ru="Рост производительности труда участников", indicator_en="Growth of the participants' labour productivity",
        indicator_kk="Қатысушылардың еңбек өнімділігінің өсуі", unit="%", base_year=2020, base_value=Decimal("0"),
        targets={(2022, 1): Decimal("1.0"), (2022, 2): Decimal("2.0"), (2022, 3): Decimal("3.0"), (2022, 4): Decimal("4.0")},
        kind="productivity", is_demo=True, source="invented for the demonstration",
    )
    member = cluster.memberships.filter(participant__kind="enterprise").order_by("participant__bin").first()
    out = {prod: {1: Decimal("1.2"), 2: Decimal("1.8"), 3: Decimal("3.1")}}
    if member is not None:
        markets = domain.add_obligation(
            actor=organizer, programme=prog, indicator_ru="Новые рынки сбыта", indicator_en="New markets", indicator_kk="Жаңа өткізу нарықтары",
            unit="markets", base_year=2020, base_value=Decimal("0"), targets={(2022, 2): Decimal("1"), (2022, 4): Decimal("2")},
            kind="new-markets", participant=member.participant, is_demo=True, source="invented for the demonstration",
        )
        out[markets] = {2: Decimal("1")}
    return {ob: {q: v for q, v in vals.items()} for ob, vals in out.items()}


def _update(prog, c, data, organizer) -> None:
    """Bring a programme of an earlier demo up to date: the new-products table identified (it was
    kept as 'unlabelled')."""
    from klaster.programmes import domain

    old = prog.effects.filter(indicator="unlabelled").first()
    row = c.get("new_products")
    if old is not None and row:
        domain.save_effect(actor=organizer, programme=prog, indicator="new-products", unit="products", base_year=old.base_year, base_value=old.base_value,
                           forecast_year=old.forecast_year, forecast_value=old.forecast_value, source=f"seed 003, line {row['line']}")
        old.delete()
