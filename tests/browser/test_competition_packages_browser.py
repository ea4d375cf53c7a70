"""Browser test of issue 15, in Russian: a stage-1 and a stage-2 package built from the forms and the
XLSX templates, through the completeness check, the admission protocol, the bulk assignment of
experts, scoring with the bodies' conclusions in view, the council's discussion and the protocols.

Playwright drives Debian's Chromium (``/usr/bin/chromium``) against the live server; skipped outside
CI when Chromium is absent. The clock of the competition (``services.today``) is moved between the
steps, as the web end-to-end test does; the steps that are not about the pages (a second package of
each stage, the other experts' scores, the Commission's decision) go through the domain services.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser]
D = dt.date


class Clock:
    def __init__(self, monkeypatch, day):
        from klaster.competition.domain import services as svc

        self.day = day
        monkeypatch.setattr(svc, "today", lambda: self.day)


ARTIFACTS = Path(os.environ.get("KLASTER_UI_ARTIFACTS", Path(__file__).resolve().parent / "artifacts")) / "competition-packages"


def _shot(page, lang: str, step: str) -> None:
    """A full-page screenshot of the journey's step (CI artefact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{lang}-{step}.png"), full_page=True)


def _t(msgid: str, lang: str) -> str:
    """The interface text ``msgid`` as the page shows it in ``lang`` (the catalogues' translation)."""
    from django.utils import translation

    with translation.override(lang):
        return translation.gettext(msgid)


def _login(browser, base, username, lang="ru"):
    """A page of a new browser context (its own session) in ``lang``, logged in as ``username``."""
    ctx = browser.new_context(locale={"ru": "ru-RU", "kk": "kk-KZ", "en": "en-GB"}[lang])
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = ctx.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")
    return page


def _errors(page) -> list[str]:
    return page.locator("ul.messages li.error").all_inner_texts()


def _click(page, selector):
    """Submit by clicking ``selector`` and wait for the page that answers; no error message on it."""
    with page.expect_navigation():
        page.click(selector)
    assert not _errors(page), _errors(page)


def _template(page, url, form_id, tmp_path):
    """Download the XLSX template of a structured document, fill it as an applicant would, upload it."""
    from tests.competition.conftest import filled_workbook

    page.goto(url)
    with page.expect_download() as dl:
        page.click("a[data-template]")
    filled = tmp_path / f"{form_id}.xlsx"
    filled.write_bytes(filled_workbook(open(dl.value.path(), "rb").read()))
    page.set_input_files("input[name=xlsx]", str(filled))
    _click(page, "button[name=action][value=import]")
    assert page.locator("[data-complete]").count() == 1, page.locator("section.findings").inner_text()


def _world():
    from klaster.accounts.models import Profile
    from klaster.accounts.roles import Role
    from klaster.competition.models import AuthorizedBodyUser, ExpertProfile
    from klaster.reference.models import OkedCode
    from tests.competition.conftest import fast_user
    from tests.conftest import make_user

    if not OkedCode.objects.exists():  # a transactional test before this one flushed the reference data
        from klaster.reference.loaders import load_all

        load_all()
    u = {"org": make_user("org_p", Role.ORGANIZER), "applicant": make_user("appl_p", Role.APPLICANT), "expert": make_user("exp_p", Role.EXPERT),
         "akim": fast_user("akim_p", Role.AKIMAT, region_kato="350000000"), "auth": fast_user("auth_p", Role.AUTHORIZED_BODY),
         "reg": fast_user("reg_p", Role.REGIONAL_BODY), "other": fast_user("other_p", Role.APPLICANT), "assoc": fast_user("assoc_p", Role.APPLICANT)}
    u["applicant"].email = "appl_p@example.kz"  # notices are e-mailed to it as well (issue 10)
    u["applicant"].save(update_fields=["email"])
    AuthorizedBodyUser.objects.create(user=u["auth"], ministry="mid")
    Profile.objects.filter(user=u["expert"]).update(years_experience=9, full_name="Эксперт Браузерный")
    u["experts"] = [u["expert"]] + [fast_user(f"exp_p{i}", Role.EXPERT, years_experience=7) for i in (1, 2)]
    for e in u["experts"]:
        ExpertProfile.objects.create(user=e, sectors=["23"])
    u["oked"] = OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[0]
    return u


def _package(u, c, user, *, stage, start, kind="business_association", complete=True, skipped=False, stage1=None):
    """A package through the services (participants, documents; complete content when ``complete``)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from klaster.common.files import sample_pdf
    from klaster.competition.domain import services as svc
    from tests.competition.conftest import bins, concept_pdf, fill_content

    a = svc.create_application(actor=user, competition=c, stage=stage, organisation_name=f"Организация {user.username}",
                               organisation_bin=bins(1, start=start + 900)[0], kind=kind, cluster_name=f"Кластер {user.username}",
                               region_kato="350000000", sector_oked=u["oked"], skipped_stage1=skipped, stage1_application=stage1)
    for k, b in enumerate(bins(11, start=start)):
        svc.add_participant(actor=user, application=a, name=f"ТОО «Участник {k + 1}»", bin=b, oked=u["oked"], kato="351010000")
    docs = ("application", "concept", "document_list") if stage == 1 else ("application", "strategy", "roadmap", "document_list")
    for d in docs:
        svc.upload_document(actor=user, application=a, doc_id=d, uploaded=SimpleUploadedFile(f"{d}.pdf", concept_pdf() if d == "concept" else sample_pdf(2)))
    if complete:
        fill_content(a)
    return a


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.django_db(transaction=True)
def test_stage1_and_stage2_packages_from_forms_and_templates_to_the_protocols(live_server, browser, monkeypatch, tmp_path, lang):
    """The whole journey in ``lang`` (the interface's texts are the catalogues' translations; the
    Russian run also checks the regulation data's Russian titles and the notices' Russian subjects)."""
    from klaster.competition.domain import records
    from klaster.competition.domain import services as svc
    from klaster.competition.models import Application, Conclusion, ExpertAssignment
    from tests.competition.conftest import concept_pdf, record_paper

    base = live_server.url
    clock = Clock(monkeypatch, D(2025, 1, 10))
    u = _world()
    c = svc.announce_competition(actor=u["org"], title="Конкурс (браузер)", stage1_intake_closes=D(2025, 3, 20))

    # ---------------------------------------------------------------- stage 1: the applicant builds its package in the browser
    clock.day = D(2025, 2, 3)
    a = _package(u, c, u["applicant"], stage=1, start=20000, complete=False)
    svc.request_conclusion(actor=u["applicant"], application=a, body="akimat")
    b = _package(u, c, u["other"], stage=1, start=30000)
    svc.request_conclusion(actor=u["other"], application=b, body="akimat")
    clock.day = D(2025, 2, 5)
    for x in (a, b):
        svc.issue_conclusion(actor=u["akim"], conclusion=x.conclusions.get(body="akimat"), positive=True, text="Акимат: участники подтверждены")

    ap = _login(browser, base, "appl_p", lang)
    ap.goto(base + f"/competition/my/{a.pk}/")
    assert ap.locator(f"html[lang={lang}]").count() == 1
    # The concept's structure is missing: a finding with its clause (прил. 2).
    not_filled = _t("%(document)s: the structure of %(clause)s is not filled in", lang).split("%(clause)s")[1].strip()
    assert not_filled in ap.content()
    if lang == "ru":
        assert "структура по прил. 2 не заполнена" in ap.content()
    _shot(ap, lang, "1-applicant-package")
    ap.click(f"ul.structured-docs a:has-text('{_t('fill in', lang)}')")
    ap.wait_for_selector("textarea[name='item_1.1']")
    if lang == "ru":
        assert "1.1. Местоположение территориального кластера" in ap.content()
    ap.fill("textarea[name='item_1.1']", "Карагандинская область, г. Караганда и Темиртау")
    _click(ap, "button[name=action][value=items]")
    assert ap.input_value("textarea[name='item_1.1']") == "Карагандинская область, г. Караганда и Темиртау"
    # The rest (items, the twelve company profiles of §7) from the XLSX template.
    _template(ap, base + f"/competition/my/{a.pk}/form/concept/", "concept", tmp_path)
    # The concept of 22 pages, the statement of §12, submission.
    ap.goto(base + f"/competition/my/{a.pk}/")
    (tmp_path / "concept.pdf").write_bytes(concept_pdf())
    ap.select_option("select[name=doc_id]", "concept")
    ap.set_input_files("input[name=file]", str(tmp_path / "concept.pdf"))
    _click(ap, "button[name=action][value=upload]")
    assert "22" in ap.locator("table").first.inner_text()
    clock.day = D(2025, 3, 18)
    ap.check("input[name=statement]")
    _click(ap, "button[name=action][value=submit]")
    a.refresh_from_db()
    assert a.state == "submitted" and a.statement_at and a.statement_text == records.statement_text(c, lang)
    if lang == "ru":
        assert "полноту и достоверность" in a.statement_text
    svc.submit_application(actor=u["other"], application=b, statement=True)
    record_paper(b, u["org"])

    # ---------------------------------------------------------------- the organizer: paper, completeness, admission protocol
    op = _login(browser, base, "org_p", lang)
    op.goto(base + f"/competition/organizer/application/{a.pk}/")
    op.click(f"summary:has-text('{_t('Record the paper package', lang)}')")
    op.fill("input[name=received_by]", "Айгерим Организатор")
    op.fill("input[name=volumes]", "60")
    for i, d in enumerate(("document_list", "application", "concept")):
        op.fill(f"input[name=vol_{d}]", "1")
        op.fill(f"input[name=from_{d}]", str(1 + 20 * i))
        op.fill(f"input[name=to_{d}]", str(20 + 20 * i))
    _click(op, "form[action$='/paper/'] button[type=submit]")
    assert op.locator("[data-paper]").count() == 1
    _shot(op, lang, "2-organizer-paper-receipt")
    clock.day = D(2025, 3, 21)
    op.goto(base + f"/competition/organizer/{c.pk}/")
    _click(op, "button[name=action][value=close_intake]")
    clock.day = D(2025, 3, 24)
    op.click(f"a:has-text('{_t('Admission protocol (§15/§31): check, review, sign', lang)}')")
    _click(op, "button[name=action][value=draft]")
    assert op.locator("tr[data-proposed=admit]").count() == 2  # both complete: the check proposes to admit both
    with op.expect_download() as dl:
        op.click("a:text-is('ru')")
    assert open(dl.value.path(), "rb").read()[:2] == b"PK"
    _click(op, "button[name=action][value=sign]")
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.state, b.state) == ("admitted", "admitted")
    clock.day = D(2025, 3, 26)
    op.goto(base + f"/competition/organizer/{c.pk}/")
    for x in (a, b):
        _click(op, f"form:has(input[name=application][value='{x.pk}']) button[name=action][value=route]")
    assert Conclusion.objects.get(application=a, body="authorized_body").ministry == "mid"  # §17: the ministry of the sector
    clock.day = D(2025, 3, 28)
    for cc in Conclusion.objects.filter(application__competition=c, issued_on__isnull=True):
        svc.issue_conclusion(actor=u["auth"] if cc.body == "authorized_body" else u["reg"], conclusion=cc, positive=True,
                             text="Уполномоченный орган: соответствует приоритетам отрасли" if cc.body == "authorized_body" else "Соответствует программе")
    # Bulk assignment of the suggested allocation on the council page.
    op.goto(base + f"/competition/organizer/{c.pk}/council/")
    assert op.locator("input[name=pair]:checked").count() == 6
    _click(op, "form:has(input[name=pair]) button[type=submit]")
    assert ExpertAssignment.objects.filter(application__competition=c).count() == 6

    # ---------------------------------------------------------------- the expert: declaration, conclusions in view, scores, discussion
    clock.day = D(2025, 4, 1)
    ep = _login(browser, base, "exp_p", lang)
    ep.goto(base + "/competition/expert/")
    ep.click(f"a:has-text('{a.cluster_name}')")
    _click(ep, "button[name=action][value=declare]")
    page = ep.content()
    assert "Акимат: участники подтверждены" in page and "Уполномоченный орган: соответствует приоритетам отрасли" in page
    if lang == "ru":
        assert "Концепция развития территориального кластера" in page  # the concept's data, readable after the declaration
    rules = c.rules
    for i, x in enumerate(rules.criteria.criteria):
        ep.fill(f"input[name='score_{x.id}']", str(6 + i % 4))
        ep.fill(f"textarea[name='just_{x.id}']", f"Обоснование {x.id}")
    _click(ep, "button[name=action][value=submit]")
    _shot(ep, lang, "3-expert-sheet-submitted")
    ep.click(f"a:has-text('{_t('Discussion of the expert council', lang)}')")
    ep.fill("textarea[name=text]", "Инвестиции бизнеса (критерий 1.3) подтверждены не полностью.")
    _click(ep, "form:has(textarea[name=text]) button[type=submit]")
    assert "подтверждены не полностью" in ep.content()
    for x in (a, b):
        for e in u["experts"]:
            asg = ExpertAssignment.objects.get(application=x, expert=e)
            if asg.sheet.submitted_at:
                continue
            svc.declare_interest(actor=e, assignment=asg, conflicted=False)
            asg.sheet.refresh_from_db()
            svc.save_scores(actor=e, sheet=asg.sheet, version=asg.sheet.version, submit=True,
                            scores={k.id: "8" if x == a else "5" for k in rules.criteria.criteria}, justifications={k.id: "ок" for k in rules.criteria.criteria})
    op.goto(base + f"/competition/package/{a.pk}/discussion/")
    op.fill("textarea[name=text]", "Консенсус совета: критерий 1.3 — по нижней границе.")
    op.select_option("select[name=kind]", "consensus")
    _click(op, "form:has(textarea[name=text]) button[type=submit]")
    assert op.locator("article[data-kind=consensus]").count() == 1
    op.goto(base + f"/competition/organizer/{c.pk}/ranked/")
    _shot(op, lang, "4-ranked-list")
    assert op.locator("tr[data-app] td.spread").count() == 2
    clock.day = D(2025, 4, 10)
    op.goto(base + f"/competition/organizer/{c.pk}/")
    _click(op, "button[name=action][value=review]")
    _click(op, "button[name=action][value=send]")
    c.refresh_from_db()
    assert c.state == "stage1_commission", (c.state, op.locator("ul.messages").all_inner_texts())
    clock.day = D(2025, 4, 15)
    svc.record_stage1_decision(actor=u["org"], competition=c, minimum_score="100", meeting_on=D(2025, 4, 14), protocol_on=D(2025, 4, 15),
                               stage2_intake_closes=D(2025, 6, 30))
    a.refresh_from_db()
    assert a.state == "passed"

    # ---------------------------------------------------------------- stage 2: strategy and roadmap from their templates
    clock.day = D(2025, 5, 5)
    w = _package(u, c, u["applicant"], stage=2, start=20000, complete=False, stage1=a)
    e2 = _package(u, c, u["assoc"], stage=2, start=40000, kind="cluster_association", skipped=True)
    svc.upload_document(actor=u["assoc"], application=e2, doc_id="akimat_conclusion",
                        uploaded=__import__("django.core.files.uploadedfile", fromlist=["SimpleUploadedFile"]).SimpleUploadedFile("a.pdf", concept_pdf(2)))
    ap.goto(base + f"/competition/my/{w.pk}/")
    for form_id in ("strategy", "roadmap"):
        _template(ap, base + f"/competition/my/{w.pk}/form/{form_id}/", form_id, tmp_path)
    ap.goto(base + f"/competition/package/{w.pk}/form/roadmap/")
    if lang == "ru":
        assert "Мероприятия по реализации рыночной стратегии" in ap.content()
    ap.goto(base + f"/competition/my/{w.pk}/")
    _click(ap, "button[name=action][value=authorized_body]")  # §27
    for x in (e2,):
        svc.request_conclusion(actor=x.applicant, application=x, body="authorized_body")
    clock.day = D(2025, 5, 20)
    for cc in Conclusion.objects.filter(application__stage=2, body="authorized_body"):
        assert cc.ministry == "mid"
        svc.issue_conclusion(actor=u["auth"], conclusion=cc, positive=True, text="Стратегия соответствует концепции и прил. 5, 6 (п. 28.2)")
    clock.day = D(2025, 6, 25)
    ap.goto(base + f"/competition/my/{w.pk}/")
    ap.check("input[name=statement]")
    _click(ap, "button[name=action][value=submit]")
    svc.submit_application(actor=u["assoc"], application=e2, statement=True)
    for x in (w, e2):
        x.refresh_from_db()
        record_paper(x, u["org"])
    clock.day = D(2025, 7, 1)
    op.goto(base + f"/competition/organizer/{c.pk}/")
    _click(op, "button[name=action][value=close_intake]")
    op.goto(base + f"/competition/organizer/{c.pk}/admission/")
    _click(op, "button[name=action][value=draft]")
    assert op.locator("tr[data-proposed=admit]").count() == 2
    _click(op, "button[name=action][value=sign]")
    for x in (w, e2):
        x.refresh_from_db()
        svc.route_for_conclusions(actor=u["org"], application=x)
    for cc in Conclusion.objects.filter(application__stage=2, body="regional_body"):
        svc.issue_conclusion(actor=u["reg"], conclusion=cc, positive=True, text="Соответствует программе (п. 33)")
    op.goto(base + f"/competition/organizer/{c.pk}/council/")
    _click(op, "form:has(input[name=pair]) button[type=submit]")
    clock.day = D(2025, 7, 8)
    for x in (w, e2):
        for e in u["experts"]:
            asg = ExpertAssignment.objects.get(application=x, expert=e)
            svc.declare_interest(actor=e, assignment=asg, conflicted=False)
            asg.sheet.refresh_from_db()
            svc.save_scores(actor=e, sheet=asg.sheet, version=asg.sheet.version, submit=True,
                            scores={k.id: "7" for k in rules.criteria.criteria}, justifications={k.id: "ок" for k in rules.criteria.criteria})
    clock.day = D(2025, 7, 10)
    op.goto(base + f"/competition/organizer/{c.pk}/")
    _click(op, "button[name=action][value=review]")
    _click(op, "button[name=action][value=send]")  # §37: the review protocol sent to the Commission
    c.refresh_from_db()
    assert c.state == "stage2_commission"

    # ---------------------------------------------------------------- the Commission's secretary records the stage-2 decision (§38–§39)
    from klaster.accounts.roles import Role
    from tests.conftest import make_user

    make_user("sec_p", Role.COMMISSION_SECRETARY)
    sp = _login(browser, base, "sec_p", lang)
    sp.goto(base + f"/competition/commission/{c.pk}/")
    assert sp.locator("table.commission-ranked[data-stage='2'] tbody tr").count() == 2
    sp.check(f"input[name=winner_{w.pk}]")
    sp.fill(f"[name=support_{w.pk}]", "Софинансирование программы развития кластера")
    sp.fill("input[name=meeting_on]", "2025-07-10")
    sp.fill("input[name=received_on]", "2025-07-10")
    sp.fill("[name=reason]", "Протокол Комиссии получен позже")
    _click(sp, "form:has(input[name=meeting_on]) button[type=submit]")
    assert sp.locator(".govuk-error-summary, .errorlist").count() == 0, sp.locator("main").inner_text()[:1500]
    w.refresh_from_db(), e2.refresh_from_db()
    assert w.state == "winner" and e2.state not in ("winner", "under_review"), (w.state, e2.state)
    assert sp.locator("td[data-decision='winner']").count() == 1
    _shot(sp, lang, "6-commission-decision")
    # Every protocol is downloadable in Russian.
    for clause in ("15", "22", "25", "31", "36", "39"):
        r = op.request.get(base + f"/competition/protocol/{c.pk}/{clause}/ru.docx")
        assert r.status == 200 and r.body()[:2] == b"PK", clause
    assert Application.objects.filter(competition=c, stage=2, state="winner").count() == 1  # decided by the Commission above

    # The notices of the run (issue 10): in the applicant's inbox in Russian, each naming its clause,
    # and e-mailed to the applicant through the outbox.
    from django.core import mail

    ap.goto(base + "/notices/")
    inbox = ap.inner_text("main")
    _shot(ap, lang, "5-applicant-notices")
    assert "§" in inbox
    to_applicant = [m.subject for m in mail.outbox if "appl_p@example.kz" in m.to]
    assert len(to_applicant) >= 2, to_applicant
    if lang == "ru":  # the notices are written in the recipient's notice language (Russian by default)
        for subject in ("Заявка зарегистрирована", "Заявка допущена"):
            assert subject in inbox, subject
        assert any(s.startswith("Заявка зарегистрирована") for s in to_applicant), to_applicant
        assert any(s.startswith("Заявка допущена") for s in to_applicant), to_applicant
