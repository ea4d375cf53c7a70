"""Input-output pages: Scotland's published multipliers, uploads, impacts, regionalisation."""

import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from klaster import datasets
from klaster.analysis.models import AnalysisRun
from klaster.common.models import AuditEntry


def _client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _row(html: str, sector: str) -> str:
    start = html.index(f'data-sector="{sector}"')
    return html[start:html.index("</tr>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("typ,fname", [("I", "published_TypeI_multipliers_2019.csv"), ("II", "published_TypeII_multipliers_2019.csv")])
def test_scotland_published_output_multiplier_shown(media, users, typ, fname):
    pub = pd.read_csv(datasets.path(f"io/scotland_2019/{fname}"), index_col=0, dtype={0: str})
    want = f"{pub.loc['01', 'Output multiplier']:.6f}"  # Agriculture (01), published by the Scottish Government
    html = _client(users["organizer"]).get(f"/analysis/io/?table=scotland-2019&type={typ}").content.decode()
    row = _row(html, "01")
    assert "Agriculture" in row
    assert row.count(want) == 2  # klaster's value and the published one agree to 6 decimals
    assert 'id="validation"' in html and "differs" not in html


@pytest.mark.django_db
def test_io_export_and_uk_type_ii_notice(media, users):
    c = _client(users["analyst"])
    x = pd.read_excel(io.BytesIO(c.get("/analysis/io/?table=uk-2019&type=I&format=xlsx").content), sheet_name=None, index_col=0)
    assert set(x) == {"Type I", "Validation"} and len(x["Type I"]) == 105
    assert x["Validation"]["pass"].all()
    r = c.get("/analysis/io/?table=uk-2019&type=II")
    assert "Type II needs the total household income" in r.content.decode()


TABLE = b"""sector,a,b,households,exports
a,150,500,200,150
b,200,100,1000,700
output,1000,2000,,
CoE,300,500,,
"""


@pytest.mark.django_db
def test_uploaded_table_and_impact(media, users):
    c = _client(users["analyst"])
    r = c.post("/analysis/io/", {"file": SimpleUploadedFile("mb.csv", TABLE), "household_income": "", "check": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    run = AnalysisRun.objects.get(kind="io_table")
    html = c.get(r["Location"]).content.decode()
    # Miller & Blair ch. 2: L = [[1.2541, 0.3300], [0.2640, 1.1221]] → output multipliers 1.5181, 1.4521
    assert "1.518" in _row(html, "a") and "1.452" in _row(html, "b")
    # another analyst cannot open the uploaded table
    assert _client(users["analyst2"]).get(f"/analysis/io/?table=run-{run.pk}").status_code == 403
    # impact of Δy_a = 100: Δx = L[:, a] · 100
    r = c.post("/analysis/io/impact/", {"table": f"run-{run.pk}", "type": "I", "sector_0": "a", "amount_0": "100"})
    html = r.content.decode()
    assert "151.8" in html  # 125.41 + 26.40 (M&B)
    imp = AnalysisRun.objects.get(kind="io_impact")
    assert imp.summary["output"] == pytest.approx(100 * (1.2541 + 0.2640), abs=0.01)
    assert AuditEntry.objects.filter(action="analysis.io_impact.run", object_id=str(imp.pk)).exists()
    x = c.post("/analysis/io/impact/", {"table": f"run-{run.pk}", "type": "I", "sector_0": "a", "amount_0": "100", "export": "csv"})
    df = pd.read_csv(io.BytesIO(x.content), index_col=0)
    assert df.loc["a", "Output change"] == pytest.approx(125.41, abs=0.01)


@pytest.mark.django_db
def test_malformed_io_table_refused(media, users):
    # the library reads the table in the worker (inline under pytest): the run fails with its message
    bad = TABLE.replace(b"b,200,100", b"b,2x0,100")
    c = _client(users["analyst"])
    r = c.post("/analysis/io/", {"file": SimpleUploadedFile("bad.csv", bad), "check": "on"})
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and run.status == "failed"
    html = c.get(r["Location"]).content.decode().replace("&#x27;", "'")
    assert "data-run-error" in html and "bad.csv: cell at row 'b', column 'a' is not a number" in html
    assert "klaster-analysis-" not in html and str(media) not in html  # no temporary or stored path leaks
    assert 'id="multipliers"' not in html and 'http-equiv="refresh"' not in html


@pytest.mark.django_db
def test_impact_on_scotland_and_form_errors(media, users):
    c = _client(users["analyst"])
    r = c.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "II", "sector_0": "01", "amount_0": "10"})
    pub = pd.read_csv(datasets.path("io/scotland_2019/published_TypeII_multipliers_2019.csv"), index_col=0, dtype={0: str})
    imp = AnalysisRun.objects.get(kind="io_impact")
    # total output change of £10m of final demand for agriculture = 10 × its Type II output multiplier
    assert imp.summary["output"] == pytest.approx(10 * pub.loc["01", "Output multiplier"], rel=1e-6)
    r = c.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "I"})
    assert "Give at least one sector" in r.content.decode()


@pytest.mark.django_db
def test_regionalisation_page(media, users):
    c = _client(users["organizer"])
    html = c.get("/analysis/io/regionalise/?method=flq&delta=0.2").content.decode()
    # docs/io.md: FLQ δ=0.2 gives the lowest MAPE, 3.48 %; SLQ 15.22 %
    assert "MAPE 3.48 %" in html
    assert "15.22" in html
    x = pd.read_csv(io.BytesIO(c.get("/analysis/io/regionalise/?method=slq&format=csv").content), index_col=0)
    assert len(x) == 29
    assert "need" in c.get("/analysis/io/regionalise/?method=aflq&delta=").content.decode()
