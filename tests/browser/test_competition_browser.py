"""Browser test of the competition: an expert scores in two tabs; an organizer sees an overdue deadline.

Playwright drives Debian's Chromium (``/usr/bin/chromium``) against the live server, as in
``test_browser.py``: skipped outside CI when Chromium is absent, a failure in CI (``CI`` set).
The database is flushed for this test (``transaction=True``): it builds its own competition
through the domain services.

* The expert logs in, opens the assigned application, enters a score and a justification for every
  criterion and saves the draft; a second tab opened before that save still holds the old sheet
  version, and saving from it is refused with the conflict warning (HTTP 409), the unsaved values
  kept on the page and the first tab's scores intact.
* The organizer's dashboard highlights the authorized body's conclusion requested 30 days ago (due
  within 10 working days, §17) as overdue.

Run in Russian, Kazakh and English (the page's ``lang`` checked); a screenshot of each step is kept in
``tests/browser/artifacts/competition-expert/<lang>-<step>.png``.
"""

import datetime as dt
import os
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("KLASTER_UI_ARTIFACTS", Path(__file__).resolve().parent / "artifacts")) / "competition-expert"


pytestmark = [pytest.mark.browser]


def _competition():
    """A competition under review, replayed day by day: two complete packages admitted and routed to
    the authorized and regional bodies 30 days ago (their conclusions, due within 10 working days,
    are overdue); an expert assigned to "Browser cluster" who has declared no conflict."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from klaster.accounts.models import Profile
    from klaster.accounts.roles import Role
    from klaster.common.calendar import default_calendar
    from klaster.common.files import sample_pdf
    from klaster.competition.domain import services as svc
    from klaster.reference.models import OkedCode
    from tests.competition.conftest import bins, concept_pdf, fill_content, record_paper
    from tests.conftest import make_user

    org = make_user("org_b", Role.ORGANIZER)
    akimat = make_user("akimat_b", Role.AKIMAT, region_kato="350000000")
    expert = make_user("expert_b", Role.EXPERT)
    prof, _ = Profile.objects.get_or_create(user=expert)
    prof.years_experience = 8
    prof.save()
    expert.profile = prof
    if not OkedCode.objects.exists():  # a transactional test before this one flushed the reference data
        from klaster.reference.loaders import load_all

        load_all()
    oked = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    cal = default_calendar()
    today = svc.today()
    routed = today - dt.timedelta(days=30)
    while not cal.is_working_day(routed):
        routed -= dt.timedelta(days=1)
    closes = routed - dt.timedelta(days=7)
    while not cal.is_working_day(closes):
        closes -= dt.timedelta(days=1)
    with svc.on_day(closes - dt.timedelta(days=70)):
        c = svc.announce_competition(actor=org, title="Browser competition", stage1_intake_closes=closes)
    apps = []
    for i, name in enumerate(("Browser cluster", "Second cluster")):
        applicant = make_user(f"applicant_b{i}", Role.APPLICANT)
        with svc.on_day(closes - dt.timedelta(days=20)):
            a = svc.create_application(actor=applicant, competition=c, organisation_name=f"Org B{i}", organisation_bin=bins(1, start=900 + i)[0],
                                       kind="business_association", cluster_name=name, region_kato="351010000")
            for d in ("application", "concept", "akimat_conclusion", "document_list"):
                svc.upload_document(actor=applicant, application=a, doc_id=d,
                                    uploaded=SimpleUploadedFile(f"{d}.pdf", concept_pdf() if d == "concept" else sample_pdf(2)))
            for k, b in enumerate(bins(10, start=3000 + 100 * i)):
                svc.add_participant(actor=applicant, application=a, name=f"P{k}", bin=b, oked=oked, kato="351010000")
            fill_content(a)
            svc.request_conclusion(actor=applicant, application=a, body="akimat")
        with svc.on_day(closes - dt.timedelta(days=15)):
            svc.issue_conclusion(actor=akimat, conclusion=a.conclusions.get(body="akimat"), positive=True, text="ok")
        with svc.on_day(closes - dt.timedelta(days=2)):
            svc.submit_application(actor=applicant, application=a, statement=True)
            record_paper(a, org)
        apps.append(a)
    with svc.on_day(routed):
        svc.close_intake(actor=org, competition=c)
        svc.sign_admission_protocol(actor=org, competition=c)
        for a in apps:
            a.refresh_from_db()
            svc.route_for_conclusions(actor=org, application=a)
        asg = svc.assign_expert(actor=org, application=apps[0], expert=expert)
    svc.declare_interest(actor=expert, assignment=asg, conflicted=False)
    return c, apps[0], asg


def _shot(page, lang: str, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{lang}-{step}.png"), full_page=True)


def _context(browser, base: str, lang: str):
    ctx = browser.new_context()
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    return ctx


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.django_db(transaction=True)
def test_expert_scores_in_two_tabs_and_organizer_sees_overdue_deadline(live_server, browser, lang):
    from klaster.competition.models import ScoreSheet

    c, a, asg = _competition()
    criteria = [x.id for x in c.rules.criteria.criteria]
    base = live_server.url

    ctx = _context(browser, base, lang)
    tab1 = ctx.new_page()
    _login(tab1, base, "expert_b")
    tab1.goto(base + "/competition/expert/")
    assert tab1.evaluate("document.documentElement.lang") == lang
    _shot(tab1, lang, "1-expert-workspace")
    tab1.click("text=Browser cluster")
    tab1.wait_for_selector(f"input[name='score_{criteria[0]}']")
    _shot(tab1, lang, "2-score-sheet")
    # The second tab is opened now: it holds the sheet's current version.
    tab2 = ctx.new_page()
    tab2.goto(tab1.url)
    tab2.wait_for_selector(f"input[name='score_{criteria[0]}']")

    for i, cid in enumerate(criteria):
        tab1.fill(f"input[name='score_{cid}']", str(5 + i % 3))
        tab1.fill(f"textarea[name='just_{cid}']", f"Justification {cid}")
    tab1.click("button[name=action][value=save]")
    tab1.wait_for_load_state()
    assert tab1.locator("[data-stale]").count() == 0
    saved = ScoreSheet.objects.get(pk=asg.sheet.pk)
    assert saved.scores == {cid: str(5 + i % 3) for i, cid in enumerate(criteria)} and saved.version == asg.sheet.version + 1
    assert saved.justifications[criteria[-1]] == f"Justification {criteria[-1]}"

    tab2.fill(f"input[name='score_{criteria[0]}']", "9")
    tab2.fill(f"textarea[name='just_{criteria[0]}']", "Edit from the stale tab")
    with tab2.expect_response(lambda r: r.request.method == "POST") as resp:
        tab2.click("button[name=action][value=save]")
    assert resp.value.status == 409
    warning = tab2.locator("[data-stale]")
    assert warning.is_visible()
    _shot(tab2, lang, "3-stale-tab-refused")
    assert tab2.input_value(f"input[name='score_{criteria[0]}']") == "9"  # the unsaved edit is shown, not lost silently
    assert ScoreSheet.objects.get(pk=asg.sheet.pk).scores[criteria[0]] == "5"  # and nothing was overwritten
    ctx.close()

    org = _context(browser, base, lang).new_page()
    _login(org, base, "org_b")
    org.goto(base + "/competition/organizer/")
    assert org.evaluate("document.documentElement.lang") == lang
    _shot(org, lang, "4-organizer-dashboard")
    # Rows are grouped under a heading row per application (with a link to its page).
    assert org.locator("tr.timeline-group a", has_text="Browser cluster").count() == 1
    row = org.locator("tr.timeline-group:has-text('Browser cluster') ~ tr.deadline-overdue").first
    assert row.is_visible()
    assert "stands-out" in row.get_attribute("class")
    mark = row.locator("strong", has_text="⚠")
    assert "⚠" in mark.inner_text()
    assert mark.evaluate("e => getComputedStyle(e).color") == "rgb(187, 0, 0)"
    # The dashboard's heading of the competition counts the overdue deadlines.
    assert "⚠" in org.locator("section.competition h2", has_text="Browser competition").inner_text()
