"""The organizer's competition pages of issue 13 on the demo world: the competition page as GOV.UK
tabs (overview in words, applications filtered/sorted/paged, deadlines filtered/paged, protocols
named in words), the dashboard as a filtered and paged summary, the Commission's table and the
error summaries of refused forms. Every malformed query value is a form error (400), never a 500."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from klaster.competition import pages
from klaster.competition.domain import services as svc
from klaster.competition.models import Application, Competition

pytestmark = pytest.mark.django_db

TABS = ("overview", "applications", "experts", "ranked", "deadlines", "documents")


@pytest.fixture
def demo(db, settings):
    from rich.console import Console

    from klaster.accounts.demo import load_demo as accounts_demo
    from klaster.competition.demo import load_demo

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    con = Console(file=io.StringIO())
    accounts_demo(con)
    load_demo(con)


def organizer() -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(get_user_model().objects.get(username="organizer"))
    return c


def review() -> Competition:
    return Competition.objects.get(state="stage1_review")


def rows(html: str, attr: str) -> list[str]:
    return re.findall(rf'<tr class="[^"]*" {attr}="([^"]+)"', html)


def test_competition_page_is_tabs_with_the_overview_in_words(demo):
    c = review()
    page = organizer().get(f"/competition/organizer/{c.pk}/").content.decode()
    assert 'class="govuk-tabs"' in page and 'data-module="govuk-tabs"' in page
    for tab in TABS:  # a link per tab and its panel (anchors without JavaScript)
        assert f'href="#{tab}"' in page and f'id="{tab}"' in page
    # The rules' version in words, never a raw code or hash; the aggregation as a label.
    rules = re.search(r"data-rules>(.*?)</dd>", page, re.S).group(1)
    assert "Criteria and Rules for the competitive selection of territorial clusters (No. 535 of 16 Jul 2015)" in rules
    assert "sha256" not in page and "decree-535-2015" not in page
    assert "arithmetic mean" in re.search(r"data-scoring>(.*?)</dd>", page, re.S).group(1)
    # The next three deadlines, earliest first, each with its clause; counts of applications by state.
    nxt = re.findall(r'<li data-state="(\w+)" data-step="(\w+)">(.*?)</li>', re.search(r"data-next-deadlines>(.*?)</ul>", page, re.S).group(1), re.S)
    expected = pages.next_deadlines(svc.timeline_labelled(c, lang="en"))
    assert [(s, st) for s, st, _t in nxt] == [(r.state, r.step_id) for r, *_ in expected] and len(nxt) == 3
    assert all("§" in text for *_x, text in nxt)
    counts = re.search(r"data-app-counts>(.*?)</dd>", page, re.S).group(1)
    for st in set(c.applications.values_list("state", flat=True)):
        n = c.applications.filter(state=st).count()
        assert re.search(rf"state={st}[^>]*>[^<]+</a>: {n}", counts), (st, counts)


def test_protocol_links_are_named_in_words(demo):
    c = review()
    page = organizer().get(f"/competition/organizer/{c.pk}/").content.decode()
    docs = page[page.index('id="documents"'):]
    assert "§15 kk" not in page and ">kk<" not in docs
    for clause, name in pages.PROTOCOLS:
        item = html.unescape(re.search(rf'<li data-protocol="§{clause}">(.*?)</li>', docs, re.S).group(1))
        assert f"{name} (§{clause})" in item and "in Kazakh" in item and "in Russian" in item
        assert f"/competition/protocol/{c.pk}/{clause}/kk.docx" in item and f"/competition/protocol/{c.pk}/{clause}/ru.pdf" in item


def test_applications_filtered_sorted_and_paged(demo):
    c = review()
    o = organizer()
    returned = organizer().get(f"/competition/organizer/{c.pk}/?state=returned").content.decode()
    assert sorted(rows(returned, "data-app"), key=int) == sorted(str(a.pk) for a in c.applications.filter(state="returned"))
    base = c.applications.first()
    for i in range(pages.PAGE + 5 - c.applications.count()):
        Application.objects.create(competition=c, stage=1, applicant=base.applicant, organisation_name=f"Org {i:02d}",
                                   cluster_name=f"Cluster {i:02d}", state="under_review")
    total = c.applications.count()
    first = o.get(f"/competition/organizer/{c.pk}/?sort=cluster").content.decode()
    second = o.get(f"/competition/organizer/{c.pk}/?sort=cluster&page=2").content.decode()
    one, two = rows(first, "data-app"), rows(second, "data-app")
    assert len(one) == pages.PAGE and len(two) == total - pages.PAGE and not set(one) & set(two)
    names = [Application.objects.get(pk=pk).cluster_name.casefold() for pk in one + two]
    assert names == sorted(names)
    assert 'class="govuk-pagination"' in first and "sort=cluster&amp;page=2#applications" in first


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=" + "9" * 30, "state=nonsense", "sort=1e30", "deadlines=NaN", "dpage=-1"])
def test_a_malformed_query_is_a_form_error(demo, query):
    c = review()
    r = organizer().get(f"/competition/organizer/{c.pk}/?{query}")
    assert r.status_code == 400 and "govuk-error-summary" in r.content.decode()
    r = organizer().get(f"/competition/organizer/?show=x&{query}")
    assert r.status_code == 400 and "govuk-error-summary" in r.content.decode()


def test_deadlines_filtered_and_paged(demo):
    c = review()
    o = organizer()
    tl = svc.timeline_labelled(c, lang="en")
    for which, (_label, states) in pages.DEADLINE_FILTERS.items():
        expected = [r for r, *_ in tl if states is None or r.state in states]
        got = []
        for n in range(1, 5):
            page = o.get(f"/competition/organizer/{c.pk}/?deadlines={which}&dpage={n}").content.decode()
            panel = page[page.index('id="deadlines"'):page.index('id="documents"')]
            got += re.findall(r'data-state="(\w+)" data-step="(\w+)"', panel)
            if len(expected) <= n * pages.PAGE:
                break
        assert got == [(r.state, r.step_id) for r in expected], which
    assert len(tl) > pages.PAGE  # the demo's review competition has more rows than a page


def test_dashboard_is_a_filtered_paged_summary(demo):
    o = organizer()
    dash = o.get("/competition/organizer/").content.decode()
    shown = re.findall(r'data-competition="(\d+)"', dash)
    running = [c for c in Competition.objects.all() if pages.is_running(c.state)]
    assert sorted(shown) == sorted(str(c.pk) for c in running)
    tls = svc.timelines_labelled(running, lang="en")
    for c in running:
        overdue = sum(r.state == "overdue" for r, *_ in tls[c.pk])
        assert re.search(rf'data-competition="{c.pk}">.*?data-overdue="{overdue}"', dash, re.S)
    # No wall of deadline tables: the rows listed below the summary are the overdue ones only.
    assert set(re.findall(r'<tr class="deadline-(\w+)', dash)) <= {"overdue"}
    # Finished competitions under their filter; paging past ten competitions.
    c = review()
    for i in range(pages.DASHBOARD_PAGE + 1):
        Competition.objects.create(title=f"Finished {i}", state="published", stage1_intake_closes=c.stage1_intake_closes,
                                   rules_pins=c.rules_pins)
    finished = o.get("/competition/organizer/?show=finished").content.decode()
    assert len(re.findall(r'data-competition="(\d+)"', finished)) == pages.DASHBOARD_PAGE and "show=finished&amp;page=2" in finished
    assert len(re.findall(r'data-competition="(\d+)"', o.get("/competition/organizer/?show=finished&page=2").content.decode())) == 1
    assert not re.findall(r'>Finished \d+<', o.get("/competition/organizer/").content.decode())


def test_commission_table_protocols_and_error_summary(demo):
    c = Competition.objects.get(state="stage1_commission")
    o = organizer()
    page = o.get(f"/competition/commission/{c.pk}/").content.decode()
    assert 'class="govuk-table commission-ranked"' in page and "govuk-table__cell" in page
    assert "§25 kk" not in page and "Commission&#x27;s protocol, stage 1 (§25)" in page
    before = (c.minimum_score, c.state)
    r = o.post(f"/competition/commission/{c.pk}/", {"minimum_score": "1e30", "meeting_on": "31.02.2026", "protocol_on": "", "stage2_intake_closes": "x"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "govuk-error-summary" in body and 'href="#id_minimum_score"' in body and 'href="#id_meeting_on"' in body
    c.refresh_from_db()
    assert (c.minimum_score, c.state) == before


@pytest.mark.parametrize("lang, tag", [("ru", "образец"), ("kk", "үлгі")])
def test_sample_mark_is_a_translated_tag_and_the_rules_are_named(demo, lang, tag):
    """The demo competitions carry no bilingual suffix in their title: a tag in the page's language."""
    c = review()
    assert c.is_sample and "sample" not in c.title and "(образец" not in c.title
    o = organizer()
    o.cookies["django_language"] = lang
    for url in (f"/competition/organizer/{c.pk}/", "/competition/organizer/", f"/competition/{c.pk}/", f"/competition/commission/{c.pk}/"):
        page = o.get(url).content.decode()
        assert f'<strong class="govuk-tag govuk-tag--grey" data-sample>{tag}</strong>' in page, url
        assert "sample" not in re.sub(r"<[^>]+>", " ", page[page.index("<main"):]).replace("-sample.pdf", ""), url


def test_regulation_kinds_in_words_on_the_administrators_page(demo):
    from klaster.regulations import documents, load, versions

    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    admin.cookies["django_language"] = "ru"
    page = admin.get("/competition/regulations/").content.decode()
    kinds = {load(d, v).kind for d in documents() for v in versions(d)}
    assert kinds <= set(pages.DOCUMENT_KINDS)  # every shipped kind has words
    assert "<td>правила конкурса</td>" in page and "<td>competition-rules</td>" not in page
