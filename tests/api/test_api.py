"""The REST API (issue 10, part 5): the schema validates, the register read with a token equals the
register page, the roles and objects are those of the pages, paging and filters are bounded,
demo records are marked, the register's old JSON addresses still answer, and a user gets and
rotates a token (audited)."""

from __future__ import annotations

import copy
import json

import pytest
from django.test import Client, TestCase

from tests.api.world import DEMO_USER, demo_user, load_world

pytestmark = [pytest.mark.slow]

DAYS = ["2021-03-01", "2021-06-30", "2024-01-15"]


def token_client(user) -> Client:
    """A client that authenticates only by ``Authorization: Token …`` (no session)."""
    from rest_framework.authtoken.models import Token

    key = Token.objects.get_or_create(user=user)[0].key
    return Client(HTTP_AUTHORIZATION=f"Token {key}", raise_request_exception=False)


def all_pages(client: Client, url: str, **params) -> list[dict]:
    """Every item of a paged API list (following ``next``)."""
    out, r = [], client.get(url, {**params, "page_size": 500})
    while True:
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
        body = r.json()
        out.extend(body["results"])
        if not body["next"]:
            return out
        r = client.get(body["next"])


# ------------------------------------------------------------------------------------------ schema


def openapi_validate(schema: dict) -> None:
    """Validate ``schema`` against the OpenAPI 3.0 JSON schema (the official JSON schema of OpenAPI
    3.0 as drf-spectacular bundles it, run by jsonschema; openapi-spec-validator is not installed).
    Raises ``jsonschema.ValidationError``."""
    from pathlib import Path

    import drf_spectacular.validation
    import jsonschema

    spec = json.loads((Path(drf_spectacular.validation.__file__).parent / "openapi_3_0_schema.json").read_text())
    jsonschema.validate(instance=schema, schema=spec)


def generated_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))  # as served: plain JSON types


@pytest.mark.django_db
def test_the_schema_validates_without_warnings(capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    schema = generated_schema()
    openapi_validate(schema)
    assert not GENERATOR_STATS, f"drf-spectacular warned or erred: {GENERATOR_STATS}"
    assert schema["openapi"].startswith("3.0")
    paths = set(schema["paths"])
    for p in ["/api/v1/register/clusters/", "/api/v1/register/clusters/{code}/", "/api/v1/competitions/", "/api/v1/competitions/{id}/",
              "/api/v1/results/", "/api/v1/my/applications/", "/api/v1/my/applications/{id}/", "/api/v1/programmes/",
              "/api/v1/programmes/{code}/", "/api/v1/programmes/{code}/indicators/", "/api/v1/support/applications/",
              "/api/v1/support/applications/{id}/"]:
        assert p in paths, p
    # public operations need no credentials; the others name their roles and need a token or a session
    reg = schema["paths"]["/api/v1/register/clusters/"]["get"]
    assert {} in reg["security"] and "Public" in reg["description"]
    mine = schema["paths"]["/api/v1/my/applications/"]["get"]
    assert {} not in mine["security"] and {"tokenAuth": []} in mine["security"] and "applicant" in mine["description"]
    # filters are documented with their bounds
    params = {p["name"]: p for p in schema["paths"]["/api/v1/competitions/"]["get"]["parameters"]}
    assert "stage1_intake" in params["state"]["schema"]["enum"] and {"page", "page_size", "year"} <= set(params)
    assert "is_demo" in schema["components"]["schemas"]["Cluster"]["required"]


@pytest.mark.django_db
def test_the_validator_refuses_a_broken_schema():
    """The check above can fail: a schema with an operation lacking its responses is refused."""
    import jsonschema

    schema = generated_schema()
    broken = copy.deepcopy(schema)
    del broken["paths"]["/api/v1/results/"]["get"]["responses"]
    with pytest.raises(jsonschema.ValidationError):
        openapi_validate(broken)
    broken = copy.deepcopy(schema)
    broken["openapi"] = "2.0"
    with pytest.raises(jsonschema.ValidationError):
        openapi_validate(broken)


@pytest.mark.django_db
def test_the_served_schema_and_its_documentation_page():
    from django.conf import settings

    c = Client()
    r = c.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    served = json.loads(r.content)
    openapi_validate(served)
    assert set(served["paths"]) == set(generated_schema()["paths"])
    assert c.get("/api/schema/").status_code == 200  # YAML
    # a machine format: English whatever the visitor's language, unless ?lang= asks
    ru = Client(HTTP_ACCEPT_LANGUAGE="ru")
    assert "Состояние" not in ru.get("/api/schema/", {"format": "json"}).content.decode()
    assert ru.get("/api/schema/", {"format": "json", "lang": "ru"}).status_code == 200
    for bad in ("xx", "ru\x00", "9" * 30):
        assert c.get("/api/schema/", {"lang": bad}).status_code == 400, bad
    docs = c.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    static = settings.STATIC_URL
    assert f"{static}drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html  # vendored, no CDN
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    script = c.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and b"/api/schema/" in script.content


# ------------------------------------------------------------------------------------------ the demo world


class ApiOnTheDemoWorld(TestCase):
    """Every check that needs the demo world of every module (loaded once)."""

    @classmethod
    def setUpTestData(cls):
        load_world()

    # -------------------------------------------------------------- the register with a token

    def test_the_register_through_the_api_with_a_token_equals_the_register_page(self):
        from klaster.register.models import Membership

        api = token_client(demo_user("analyst"))
        page = Client()
        # a member that left in between, so that the days asked for show different registers
        left = Membership.objects.filter(left_on=None, joined_on__lte="2021-06-30").order_by("id").first()
        Membership.objects.filter(pk=left.pk).update(left_on="2022-01-01")
        seen_members = set()
        for day in DAYS:
            rows = page.get("/register/", {"date": day}).context["rows"]
            want = {r["c"].code: (r["members"], [(f["id"], f["clause"], f["required"], f["actual"], f["passed"]) for f in r["eligibility"]])
                    for r in rows}
            body = api.get("/api/v1/register/clusters/", {"date": day, "page_size": 500}).json()
            assert body["date"] == day and body["count"] == len(want)
            got = {x["code"]: (x["members"], [(f["id"], f["clause"], f["required"], f["actual"], f["passed"]) for f in x["eligibility"]])
                   for x in body["results"]}
            assert got == want, day
            seen_members |= {v[0] for v in got.values()}
            for code, (members, _) in want.items():
                detail = api.get(f"/api/v1/register/clusters/{code}/", {"date": day}).json()
                page_members = page.get(f"/register/{code}/", {"date": day}).context["members"]
                assert sorted(m["bin"] for m in detail["members_on_date"]) == sorted(p.bin for p in page_members)
                assert detail["members"] == members == len(page_members)
        assert len(seen_members) > 1, "the days chosen do not tell the register's dates apart"
        on = {d: {x["code"]: x["members"] for x in api.get("/api/v1/register/clusters/", {"date": d}).json()["results"]} for d in DAYS[1:]}
        assert on[DAYS[1]][left.cluster.code] == on[DAYS[2]][left.cluster.code] + 1
        assert Client().get("/api/v1/register/clusters/", {"date": "2021-03-01"}).json()["count"] == 0  # before the inclusions

    def test_a_token_is_the_only_credential_needed_and_a_wrong_one_is_refused(self):
        applicant = demo_user("applicant")
        r = token_client(applicant).get("/api/v1/my/applications/")
        assert r.status_code == 200 and r.json()["count"] > 0
        bad = Client(HTTP_AUTHORIZATION="Token " + "0" * 40)
        assert bad.get("/api/v1/my/applications/").status_code in (401, 403)
        assert bad.get("/api/v1/register/clusters/").status_code in (401, 403)  # a wrong credential is never anonymous
        assert Client().get("/api/v1/my/applications/").status_code == 403

    # -------------------------------------------------------------- roles and objects as on the pages

    def test_anonymous_gets_the_public_endpoints_only(self):
        c = Client()
        for url in ["/api/", "/api/v1/register/clusters/", "/api/v1/competitions/", "/api/v1/results/", "/api/v1/register/clusters/milk/",
                    "/api/schema/", "/api/docs/"]:
            assert c.get(url).status_code == 200, url
        for url in ["/api/v1/my/applications/", "/api/v1/my/applications/1/", "/api/v1/programmes/", "/api/v1/programmes/milk/",
                    "/api/v1/programmes/milk/indicators/", "/api/v1/support/applications/", "/api/v1/support/applications/1/"]:
            assert c.get(url).status_code == 403, url
        assert c.get("/api/token/").status_code == 302  # to the log-in page

    def test_an_applicant_sees_only_its_own_applications(self):
        from klaster.competition.models import Application

        applicant = demo_user("applicant")
        c = token_client(applicant)
        own = set(Application.objects.filter(applicant=applicant).values_list("pk", flat=True))
        others = set(Application.objects.exclude(applicant=applicant).values_list("pk", flat=True))
        assert own and others
        assert {a["id"] for a in all_pages(c, "/api/v1/my/applications/")} == own
        page = Client()
        page.force_login(applicant)
        assert {a.pk for a in page.get("/competition/my/").context["apps"]} == own
        for pk in own:
            assert c.get(f"/api/v1/my/applications/{pk}/").status_code == 200
        for pk in others:
            assert c.get(f"/api/v1/my/applications/{pk}/").status_code == 404
        other = Application.objects.exclude(applicant=applicant).first().applicant
        assert {a["id"] for a in all_pages(token_client(other), "/api/v1/my/applications/")} == \
               set(Application.objects.filter(applicant=other).values_list("pk", flat=True))
        for role in ("organizer", "expert", "commission_secretary", "administrator"):
            assert token_client(demo_user(role)).get("/api/v1/my/applications/").status_code == 403, role

    def test_programmes_and_their_indicators_only_for_who_may_see_the_programme_page(self):
        from klaster.programmes.models import Programme

        codes = sorted(Programme.objects.values_list("cluster__code", flat=True))
        checked = 0
        for role in DEMO_USER:
            user = demo_user(role)
            page = Client(raise_request_exception=False)
            page.force_login(user)
            api = token_client(user)
            list_page = page.get("/programmes/")
            r = api.get("/api/v1/programmes/", {"page_size": 500})
            if list_page.status_code != 200:
                assert r.status_code == 403, role
                assert api.get(f"/api/v1/programmes/{codes[0]}/indicators/").status_code == 403, role
                continue
            assert r.status_code == 200, role
            listed = {x["code"] for x in r.json()["results"]}
            for code in codes:
                may = page.get(f"/programmes/{code}/").status_code == 200
                assert (code in listed) == may, (role, code)
                ind = api.get(f"/api/v1/programmes/{code}/indicators/", {"page_size": 500})
                assert ind.status_code == (200 if may else 404), (role, code, ind.status_code)
                if may:
                    checked += 1
        assert checked > len(codes), "no role besides the ministry could read a programme"
        # the akimat and the applicant read some, not all
        for role in ("akimat", "applicant"):
            listed = {x["code"] for x in token_client(demo_user(role)).get("/api/v1/programmes/").json()["results"]}
            assert listed and listed != set(codes), role

    def test_indicators_equal_the_programme_page_targets_and_actuals(self):
        from klaster.programmes import domain
        from klaster.programmes.models import Programme

        p = Programme.objects.select_related("cluster").order_by("cluster__code").first()
        rows = [r for r in domain.monitoring_rows(p)]
        got = all_pages(token_client(demo_user("organizer")), f"/api/v1/programmes/{p.cluster.code}/indicators/")
        assert len(got) == len(rows) > 0
        assert [(x["obligation"], x["year"], x["quarter"]) for x in got] == [(r["obligation"].pk, r["year"], r["quarter"]) for r in rows]
        year = rows[0]["year"]
        only = all_pages(token_client(demo_user("organizer")), f"/api/v1/programmes/{p.cluster.code}/indicators/", year=year)
        assert only and {x["year"] for x in only} == {year} and len(only) == sum(r["year"] == year for r in rows)

    def test_support_applications_as_on_the_support_page(self):
        for role in ("organizer", "applicant"):
            user = demo_user(role)
            page = Client()
            page.force_login(user)
            want = {r["a"].pk for r in page.get("/support/").context["rows"]}
            got = {x["id"] for x in all_pages(token_client(user), "/api/v1/support/applications/")}
            assert got == want and got, role
        from klaster.support.models import Application

        a = Application.objects.first()
        from tests.conftest import make_user

        outsider = make_user("other-applicant", "applicant", organisation_bin="")
        c = token_client(outsider)
        assert c.get("/api/v1/support/applications/").json()["count"] == 0
        assert c.get(f"/api/v1/support/applications/{a.pk}/").status_code == 404
        for role in ("expert", "akimat", "analyst"):
            assert token_client(demo_user(role)).get("/api/v1/support/applications/").status_code == 403, role

    # -------------------------------------------------------------- paging and filters

    def test_paging_is_bounded(self):
        c = Client()
        total = c.get("/api/v1/competitions/").json()["count"]
        assert total >= 2
        one = c.get("/api/v1/competitions/", {"page_size": 1}).json()
        assert len(one["results"]) == 1 and one["next"] and one["count"] == total
        second = c.get(one["next"]).json()
        assert second["results"][0]["id"] != one["results"][0]["id"]
        for bad in ("0", "-1", "abc", "9" * 30, "1e30", "NaN", str(total + 1)):
            r = c.get("/api/v1/competitions/", {"page": bad})
            assert r.status_code == 404 and "detail" in r.json(), bad
        for bad in ("0", "-5", "abc", "9" * 30, "1e30"):  # falls back to the default size
            r = c.get("/api/v1/competitions/", {"page_size": bad})
            assert r.status_code == 200 and len(r.json()["results"]) == min(total, 50), bad
        assert len(c.get("/api/v1/competitions/", {"page_size": 10**6}).json()["results"]) == total  # at most 500

    def test_malformed_filters_are_answered_400_never_500(self):
        c = Client()
        org = token_client(demo_user("organizer"))
        app = token_client(demo_user("applicant"))
        cases = [
            (c, "/api/v1/competitions/", "state", ["nope", "", "9" * 30]),
            (c, "/api/v1/competitions/", "year", ["abc", "1e30", "NaN", "9" * 30, "-5", "1991", "2101", "2024.5"]),
            (c, "/api/v1/results/", "competition", ["abc", "0", "-1", "9" * 30, "1e30"]),
            (c, "/api/v1/register/clusters/", "date", ["2026-02-30", "9999-12-31", "0001-01-01", "abc", ""]),
            (c, "/api/v1/register/clusters/milk/", "date", ["2026-02-30", "abc"]),
            (app, "/api/v1/my/applications/", "stage", ["3", "abc", "9" * 30]),
            (app, "/api/v1/my/applications/", "state", ["nope"]),
            (org, "/api/v1/support/applications/", "status", ["nope"]),
            (org, "/api/v1/support/applications/", "component", ["x" * 50]),
            (org, "/api/v1/programmes/milk/indicators/", "year", ["abc", "1e30", "9" * 30, "NaN", "1900"]),
        ]
        for client, url, name, values in cases:
            for v in values:
                r = client.get(url, {name: v})
                if name == "state" and v == "" or name == "date" and v == "":
                    assert r.status_code in (200, 400), (url, name, v)
                    continue
                assert r.status_code == 400, (url, name, v, r.status_code)
                assert name in r.json(), (url, name, v, r.content[:200])
        # path values out of bounds: 404, never 500
        for url in ["/api/v1/competitions/99999999999999999999999999/", "/api/v1/my/applications/99999999999999999999/",
                    "/api/v1/support/applications/99999999999999999999/", "/api/v1/register/clusters/no-such-cluster/",
                    "/api/v1/programmes/no-such/indicators/"]:
            client = org if "support" in url or "programmes" in url else (app if "/my/" in url else c)
            assert client.get(url).status_code == 404, url

    def test_filters_select_what_they_say(self):
        from klaster.competition.models import Competition

        c = Client()
        states = set(Competition.objects.exclude(state="draft").values_list("state", flat=True))
        for state in states:
            got = all_pages(c, "/api/v1/competitions/", state=state)
            assert got and {x["state"] for x in got} == {state}
        year = Competition.objects.exclude(announced_on=None).first().announced_on.year
        got = all_pages(c, "/api/v1/competitions/", year=year)
        assert got and all(x["announced_on"].startswith(str(year)) for x in got)
        assert all_pages(c, "/api/v1/competitions/", year=1995) == []
        app = token_client(demo_user("applicant"))
        mine = all_pages(app, "/api/v1/my/applications/")
        comp = mine[0]["competition"]
        assert {x["competition"] for x in all_pages(app, "/api/v1/my/applications/", competition=comp)} == {comp}
        assert {x["state"] for x in all_pages(app, "/api/v1/my/applications/", state="under_review")} == {"under_review"}
        org = token_client(demo_user("organizer"))
        for status in {x["status"] for x in all_pages(org, "/api/v1/support/applications/")}:
            assert {x["status"] for x in all_pages(org, "/api/v1/support/applications/", status=status)} == {status}

    # -------------------------------------------------------------- demo records marked

    def test_demo_records_are_marked(self):
        from klaster.register.models import Cluster

        c = Client()
        body = c.get("/api/v1/register/clusters/", {"date": "2024-01-15"}).json()
        assert body["results"] and all(x["is_demo"] and x["invented"] for x in body["results"])
        real = Cluster.objects.get(code=body["results"][0]["code"])
        Cluster.objects.filter(pk=real.pk).update(is_demo=False)
        again = {x["code"]: x for x in c.get("/api/v1/register/clusters/", {"date": "2024-01-15"}).json()["results"]}
        assert again[real.code]["is_demo"] is False and again[real.code]["invented"] == []
        assert all(x["is_demo"] for x in c.get("/api/v1/competitions/").json()["results"])  # made by the demo organizer
        assert all(x["is_demo"] for x in all_pages(token_client(demo_user("applicant")), "/api/v1/my/applications/"))
        from klaster.competition.models import Competition

        comp = Competition.objects.exclude(state="draft").first()
        from tests.conftest import make_user

        comp.created_by = make_user("real-organizer", "organizer")
        comp.save(update_fields=["created_by"])
        marks = {x["id"]: x["is_demo"] for x in c.get("/api/v1/competitions/").json()["results"]}
        assert marks[comp.pk] is False and any(marks.values())

    # -------------------------------------------------------------- the old JSON addresses

    def test_the_registers_old_json_endpoints_still_answer(self):
        c = Client()
        for day in DAYS:
            old = c.get("/register/api/clusters.json", {"date": day})
            assert old.status_code == 200
            old = old.json()
            new = c.get("/api/v1/register/clusters/", {"date": day, "page_size": 500}).json()
            assert old["date"] == day and old["eligibility_act"] == new["eligibility_act"]
            assert [(x["code"], x["demo"], x["members"], x["eligibility"]) for x in old["clusters"]] == \
                   [(x["code"], x["is_demo"], x["members"], x["eligibility"]) for x in new["results"]]
            for x in old["clusters"]:
                one = c.get(f"/register/api/clusters/{x['code']}.json", {"date": day})
                assert one.status_code == 200 and one.json()["code"] == x["code"] and len(one.json()["members"]) == x["members"]
        assert c.get("/register/api/clusters.json", {"date": "2026-02-30"}).status_code == 400
        assert "error" in c.get("/register/api/clusters.json", {"date": "abc"}).json()
        assert c.get("/register/api/clusters/no-such.json").status_code == 404

    # -------------------------------------------------------------- the token page

    def test_a_user_creates_rotates_and_revokes_a_token_audited(self):
        from rest_framework.authtoken.models import Token

        from klaster.common.models import AuditEntry

        user = demo_user("akimat")
        page = Client()
        page.force_login(user)
        r = page.get("/api/token/")
        assert r.status_code == 200 and r["Cache-Control"] == "no-store"
        assert not Token.objects.filter(user=user).exists()
        r = page.post("/api/token/", {"action": "create"})
        assert r.status_code == 200
        first = Token.objects.get(user=user).key
        assert first in r.content.decode()
        assert Client(HTTP_AUTHORIZATION=f"Token {first}").get("/api/v1/programmes/").status_code == 200
        r = page.post("/api/token/", {"action": "create"})  # rotate: a new key, the old one stops working
        second = Token.objects.get(user=user).key
        assert second != first and second in r.content.decode() and first not in r.content.decode()
        assert Client(HTTP_AUTHORIZATION=f"Token {first}").get("/api/v1/programmes/").status_code in (401, 403)
        assert Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/v1/programmes/").status_code == 200
        again = page.get("/api/token/").content.decode()
        assert second not in again  # shown once
        page.post("/api/token/", {"action": "revoke"})
        assert not Token.objects.filter(user=user).exists()
        assert Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/v1/programmes/").status_code in (401, 403)
        trail = list(AuditEntry.objects.filter(object_type="auth.user", object_id=str(user.pk), action__startswith="api.token.").order_by("id"))
        assert [e.action for e in trail] == ["api.token.create", "api.token.create", "api.token.revoke"]
        assert all(first not in json.dumps(e.changes) and second not in json.dumps(e.changes) for e in trail)  # never the key

    def test_a_malformed_token_request_changes_nothing(self):
        from rest_framework.authtoken.models import Token

        from klaster.common.models import AuditEntry

        user = demo_user("expert")
        page = Client()
        page.force_login(user)
        page.post("/api/token/", {"action": "create"})
        key = Token.objects.get(user=user).key
        n = AuditEntry.objects.count()
        for bad in ("", "delete", "9" * 30, "revoke\x00"):
            r = page.post("/api/token/", {"action": bad})
            assert r.status_code == 400, bad
        assert page.post("/api/token/", {}).status_code == 400
        assert Token.objects.get(user=user).key == key and AuditEntry.objects.count() == n

    def test_the_api_page_lists_who_may_call_what_and_links_real_examples(self):
        c = Client()
        c.force_login(demo_user("applicant"))
        html = c.get("/api/").content.decode()
        assert "/api/v1/my/applications/" in html and "/api/token/" in html
        r = c.get("/api/")
        for label, url in r.context["examples"]:
            assert c.get(url).status_code == 200, (label, url)
