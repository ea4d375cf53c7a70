"""Ranking by development level from the register's own indicators (methodology and weights stored
and shown, ties as ties), and real data told apart from invented data in the register's pages,
JSON, XLSX and DOCX."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from klaster.register.domain import ranking, services
from klaster.register.models import Cluster, ParticipantIndicator, RankingMethodology
from tests.register.winners import bin_

D = dt.date
pytestmark = pytest.mark.django_db


def _cluster(code, serial, *, n=10, turnover=(Decimal("1000"), Decimal("1100")), demo=False):
    c = Cluster.objects.create(code=code, name_kk=code, name_ru=f"Кластер {code}", name_en=code, oked="23", status="included", included_on=D(2015, 1, 1), is_demo=demo)
    for i in range(n):
        p = services.save_participant(actor=None, bin=bin_(serial + i), name=f"{code} {i}", kind="enterprise", oked_main="2361", kato="350000000", is_demo=demo)
        services.join(actor=None, cluster=c, participant=p, joined_on=D(2015, 1, 1))
        for year, t in zip((2019, 2020), turnover):
            ParticipantIndicator.objects.create(participant=p, year=year, turnover=t, export=Decimal("100"), employees=50, rd_staff_pct=Decimal("2"), is_demo=demo)
    return c


def _client(lang="en"):
    c = Client()
    c.cookies["django_language"] = lang
    return c


def test_the_methodology_and_its_weights_are_data_with_their_rule():
    d = ranking.definition()
    m = ranking.methodology()
    m.validate()
    codes = [i.code for i in m.indicators]
    assert codes == ["participants", "employees", "turnover", "export", "rd_staff_pct", "turnover_growth"]
    assert len({round(i.weight, 9) for i in m.indicators}) == 1  # equal weights …
    assert "No seed gives weights" in d["weights_rule"]["en"]    # … and why
    assert not any("forecast" in c or "2024" in c for c in codes)  # a forecast is not a development level
    assert "line 280" in d["source"]["en"] and "стр. 280" in d["source"]["ru"] and "280-жол" in d["source"]["kk"]


def test_growth_of_actual_output_is_read_from_the_indicators():
    c = _cluster("grow", 100, turnover=(Decimal("1000"), Decimal("1250")))
    table = services.indicator_table(2020, [c])
    assert table.loc["grow", "turnover_growth"] == pytest.approx(25.0) and table.loc["grow", "participants"] == 10


def test_ties_are_shown_as_ties_not_as_half_positions():
    """Reproduction: two clusters tied for first were shown as "1,5"."""
    rows = ranking.positions([{"cluster": "a", "score": 0.5, "rank": 1.5}, {"cluster": "b", "score": 0.5, "rank": 1.5}, {"cluster": "c", "score": 0.1, "rank": 3.0}])
    assert [(r["cluster"], r["first"], r["last"], r["tie"]) for r in rows] == [("a", 1, 2, True), ("b", 1, 2, True), ("c", 3, 3, False)]
    a, b = _cluster("twin-a", 200), _cluster("twin-b", 300)
    _cluster("small", 400, n=10, turnover=(Decimal("10"), Decimal("10")))
    mo = services.save_methodology(actor=None, methodology=ranking.methodology(), meta=ranking.meta())
    r = services.compute_ranking(actor=None, methodology=mo, year=2020)
    assert {x["cluster"]: x["rank"] for x in r.result}["twin-a"] == 1.5
    page = _client("ru").get("/register/rankings/").content.decode()
    assert "1–2 (равный балл)" in page and "Кластеры с равными баллами делят" in page
    # no rank anywhere on the page is a fraction — the sensitivity table summed mean ranks ("1,5")
    assert "1,5" not in page and "0,5" not in page and "1.5" not in page
    for row in r.sensitivity:
        assert isinstance(row["clusters_moved"], int)
    kk = _client("kk").get("/register/rankings/").content.decode()
    assert "1–2 (тең балл)" in kk and "1,5" not in kk
    # indicator clauses and the source in the page's language (they were English in kk/ru)
    for text in (page, kk):
        for english in ("unaffiliated legal entities", "% of employees in R&amp;D", "turnover (output)", "line 280", "average number of employees"):
            assert english not in text
    assert "прил. 2 п. 7: % работников, занятых в НИОКР" in page and "стр. 280" in page
    assert "1.1-өлшемшарт: үлестес емес заңды тұлғалар" in kk and "280-жол" in kk
    assert "Равные веса" in page and "критерий 1.1" in page


def test_sensitivity_counts_clusters_not_fractions_of_mean_ranks():
    """Reproduction: with tied (averaged) ranks, the sensitivity table summed mean ranks moved and
    showed "1,5" as a number of positions."""
    _cluster("s-a", 800), _cluster("s-b", 900), _cluster("s-c", 1000, turnover=(Decimal("10"), Decimal("10")))
    mo = services.save_methodology(actor=None, methodology=ranking.methodology(), meta=ranking.meta())
    r = services.compute_ranking(actor=None, methodology=mo, year=2020)
    r.sensitivity = [{**row, "positions_moved": 1.5, "clusters_moved": 2} for row in r.sensitivity]
    r.save(update_fields=["sensitivity"])
    for lang, header in (("ru", "Кластеры, сменившие место"), ("kk", "Орны өзгеретін кластерлер")):
        page = _client(lang).get("/register/rankings/").content.decode()
        table = page.split(header)[1].split("</table>")[0]
        assert "1,5" not in table and "<td>2</td>" in table


def test_a_ranking_of_invented_indicators_is_marked_demo():
    _cluster("d1", 500, demo=True)
    _cluster("d2", 600, turnover=(Decimal("500"), Decimal("900")), demo=True)
    mo = services.save_methodology(actor=None, methodology=ranking.methodology(), meta=ranking.meta())
    r = services.compute_ranking(actor=None, methodology=mo, year=2020)
    assert r.is_demo and RankingMethodology.objects.get().definition["development_level"]
    assert "demo-marker" in _client().get("/register/rankings/").content.decode()


def test_invented_entries_are_marked_in_the_list_json_xlsx_and_docx():
    real = _cluster("real", 700)
    demo = _cluster("invented", 800, demo=True)
    page = _client().get("/register/").content.decode()
    row = {code: page.split(f'href="/register/{code}/')[1].split("</tr>")[0] for code in ("real", "invented")}
    assert "demo-marker" in row["invented"] and "demo-marker" not in row["real"]
    data = json.loads(_client().get("/register/api/clusters.json").content)
    flags = {c["code"]: (c["demo"], c["invented"]) for c in data["clusters"]}
    assert flags["real"] == (False, []) and flags["invented"][0] and "included_on" in flags["invented"][1]
    one = json.loads(_client().get("/register/api/clusters/invented.json").content)
    assert one["demo"] and all(m["demo"] for m in one["members"])
    wb = load_workbook(io.BytesIO(_client().get("/register/export.xlsx").content))
    head = [c.value for c in wb["clusters"][1]]
    demo_col = head.index("demo")
    assert {r[0].value: r[demo_col].value for r in wb["clusters"].iter_rows(min_row=2)} == {"invented": "yes", "real": "no"}
    assert "demo" in [c.value for c in wb["participants"][1]] and "demo" in [c.value for c in wb["indicators"][1]]
    from docx import Document

    docx = Document(io.BytesIO(_client("ru").get("/register/extract.docx").content))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "ДЕМО" in text and "не официальная выписка" in text
    cells = [[c.text for c in r.cells] for r in docx.tables[0].rows]
    assert {r[0]: r[-1] for r in cells[1:]} == {"invented": "ДЕМО", "real": "реальные"}
    assert real and demo
