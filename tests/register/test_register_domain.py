"""Register: BIN-validated participants, membership history, eligibility (Criteria 1.1, App. 2 §3.1),
inclusion on application, XLSX import refused row by row with nothing written, rankings, pages."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from klaster.accounts.roles import Role
from klaster.common.bin import make_number
from klaster.common.models import AuditEntry
from klaster.register.domain import RegisterError, services
from klaster.register.interfaces import xlsx
from klaster.register.models import Cluster, ClusterStatus, Participant

D = dt.date
pytestmark = pytest.mark.django_db


def _bin(serial):
    while True:
        b = make_number(f"150440{serial:05d}")
        if b:
            return b
        serial += 1000


def _cluster(n_members=11, affiliated=0, assoc=True):
    c = Cluster.objects.create(code="c1", name_kk="К", name_ru="К", name_en="C", oked="23")
    if assoc:
        a = services.save_participant(actor=None, bin=_bin(1), name="Assoc", kind="association", oked_main="9411", kato="350000000")
        c.association = a
        c.save()
        services.join(actor=None, cluster=c, participant=a, joined_on=D(2020, 1, 1))
    for i in range(n_members):
        p = services.save_participant(actor=None, bin=_bin(10 + i), name=f"P{i}", kind="enterprise", oked_main="2361", kato="350000000", affiliation_group="G" if i < affiliated else "")
        services.join(actor=None, cluster=c, participant=p, joined_on=D(2020, 1, 1))
    return c


def test_bin_check_digit_and_oked_limits():
    with pytest.raises(ValidationError) as e:
        services.clean_participant_fields(bin="150440000012", name="x", kind="enterprise", oked_main="99999", oked_additional=["10", "11", "13", "14", "16"], kato="1")
    fields = set(e.value.message_dict)
    assert {"oked_main", "oked_additional", "kato"} <= fields
    ok = services.clean_participant_fields(bin=_bin(5), name="x", kind="enterprise", oked_main="10.51.1", oked_additional=["10.61"], kato="350000000")
    assert ok["oked_main"] == "10511" and ok["oked_additional"] == ["1061"]


def test_criteria_1_1_counts_unaffiliated_entities():
    c = _cluster(n_members=11, affiliated=2)  # 9 alone + 1 group = 10
    f = {x["id"]: x for x in services.eligibility(c, D(2021, 1, 1))}
    assert f["min_unaffiliated_legal_entities"]["actual"] == 10 and f["min_unaffiliated_legal_entities"]["passed"]
    assert f["concept_min_specialised_companies"]["actual"] == 11
    leaver = c.memberships.filter(participant__name="P10").get()
    services.leave(actor=None, membership=leaver, left_on=D(2021, 6, 1), reason="history")
    f = {x["id"]: x for x in services.eligibility(c, D(2021, 6, 1))}
    assert f["min_unaffiliated_legal_entities"]["actual"] == 9 and not f["min_unaffiliated_legal_entities"]["passed"]
    # the register as it stood before the departure
    assert services.members_on(c, D(2021, 5, 31)).count() == 12
    assert services.members_on(c, D(2021, 6, 1)).count() == 11


def test_inclusion_on_application_audited(user_factory):
    org = user_factory("org", Role.ORGANIZER)
    c = _cluster(n_members=9)
    app = services.submit_inclusion(actor=None, cluster=c, on=D(2021, 3, 1), reason="history")
    with pytest.raises(RegisterError, match="Criteria 1.1"):
        services.decide_inclusion(actor=org, application=app, approve=True, on=D(2021, 3, 5), reason="history")
    with pytest.raises(RegisterError, match="reasons"):
        services.decide_inclusion(actor=org, application=app, approve=False, on=D(2021, 3, 5), reason="history")
    services.decide_inclusion(actor=org, application=app, approve=False, on=D(2021, 3, 5), note="fewer than 10 unaffiliated entities", reason="history")
    c.refresh_from_db()
    assert c.status == ClusterStatus.REJECTED
    assert AuditEntry.objects.filter(action="register.inclusion.decide", actor=org).exists()


def test_only_an_association_applies():
    c = _cluster(assoc=False)
    with pytest.raises(RegisterError, match="association"):
        services.submit_inclusion(actor=None, cluster=c, on=D(2021, 3, 1), reason="history")


def _wb(rows, indicators=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.append(xlsx.PARTICIPANT_COLUMNS)
    for r in rows:
        ws.append(r)
    if indicators is not None:
        wi = wb.create_sheet("indicators")
        wi.append(xlsx.INDICATOR_COLUMNS)
        for r in indicators:
            wi.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_malformed_import_is_refused_with_row_errors_and_nothing_written():
    c = Cluster.objects.create(code="c2", name_kk="К", name_ru="К", name_en="C", oked="23")
    good = [_bin(100), "Good LLP", "enterprise", "23.61", "", "350000000", "", "", "yes", "sme", "2020-01-01", None]
    bad_bin = ["150440000019", "Bad BIN", "enterprise", "23.61", "", "350000000", "", "", "", "sme", "2020-01-01", None]
    bad_kind = [_bin(101), "Bad kind", "factory", "23.61", "", "350000000", "", "", "", "sme", "not a date", None]
    data = _wb([good, bad_bin, bad_kind], indicators=[[_bin(100), 2020, "1000", "10", "5", "400", "12.5", "1", "0"]])
    before = (Participant.objects.count(), AuditEntry.objects.count())
    with pytest.raises(xlsx.ImportRejected) as e:
        xlsx.import_workbook(actor=None, cluster=c, data=data)
    where = {(x.row, x.column) for x in e.value.errors}
    assert (3, "bin") in where and (4, "kind") in where and (4, "joined_on") in where
    assert (2, "bin") not in where
    assert str(e.value.errors[0]).startswith("participants, row")
    assert (Participant.objects.count(), AuditEntry.objects.count()) == before


def test_valid_import_writes_all_rows():
    c = Cluster.objects.create(code="c3", name_kk="К", name_ru="К", name_en="C", oked="23")
    data = _wb([[_bin(200), "A", "enterprise", "23.61", "23.51, 23.52", "350000000", "", "", "yes", "large", "2020-01-01", "2022-01-01"]], indicators=[[_bin(200), 2020, "1000.5", "10", "5", "400", 12, "1", "0"]])
    counts = xlsx.import_workbook(actor=None, cluster=c, data=data)
    assert counts == {"participants": 1, "memberships": 1, "indicators": 1}
    p = Participant.objects.get(bin=_bin(200))
    assert p.oked_additional == ["2351", "2352"] and p.indicators.get().employees == 12
    assert services.members_on(c, D(2022, 1, 1)).count() == 0


def test_ranking_saved_with_methodology_and_sensitivity():
    from klaster.engine.programmes.ranking import Indicator, Methodology

    c = _cluster()
    c.status = ClusterStatus.INCLUDED
    c.save()
    c2 = Cluster.objects.create(code="c9", name_kk="К", name_ru="К", name_en="C9", oked="23", status=ClusterStatus.INCLUDED)
    m = services.save_methodology(actor=None, methodology=Methodology("m", (Indicator("participants", 0.5), Indicator("employees", 0.5))))
    import pandas as pd

    r = services.compute_ranking(actor=None, methodology=m, year=2020, data=pd.DataFrame({"participants": [11, 3], "employees": [500, 900]}, index=[c.code, c2.code]))
    assert [x["cluster"] for x in r.result] and r.methodology_snapshot["method"] == "TOPSIS"
    assert len(r.sensitivity) == 4


def test_public_pages_and_api(client):
    c = _cluster()
    c.status = ClusterStatus.INCLUDED
    c.included_on = D(2021, 4, 1)
    c.save()
    r = client.get("/register/api/clusters.json?date=2021-05-01")
    assert r.status_code == 200 and r.json()["clusters"][0]["members"] == 12
    assert client.get("/register/api/clusters.json?date=2021-03-01").json()["clusters"] == []
    assert client.get("/register/").status_code == 200
    assert client.get("/register/c1/").status_code == 200
    assert client.get("/register/applications/").status_code == 302  # login required
