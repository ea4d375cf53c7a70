"""Browser test: an applicant applies for a support instrument and the organizer processes it.

Playwright drives Debian's Chromium against the live server, in Russian, Kazakh and English (the
interface's texts looked up in the catalogues of the run's language; the Russian run also checks
the Russian wording of the amount and the cap). The applicant (acting
for its cluster's association) opens the instrument form, chooses instrument 5, 2) (implementing
the efficiency plan), states the costs, the executor and the documents, and registers the
application; the organizer (programme operator) checks completeness, sees the working-day
deadlines and the computed amount with the cap applied, and approves. Needs ``/usr/bin/chromium``;
skipped locally without it, a failure in CI (``CI=true``). Screenshots:
``tests/browser/artifacts/reimbursement/<lang>-<step>.png``.
"""

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.register.world import pdf_bytes


pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(os.environ.get("KLASTER_UI_ARTIFACTS", Path(__file__).resolve().parent / "artifacts")) / "reimbursement"


def _t(msgid: str, lang: str, context: str | None = None) -> str:
    """``msgid`` (in ``context``) as the page shows it in ``lang`` (the catalogues' translation)."""
    from django.utils import translation

    with translation.override(lang):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def _shot(page, lang: str, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{lang}-{step}.png"), full_page=True)


def _world():
    """A cluster with its association and one member; an applicant acting for the
    association and an organizer. The database of a transactional test is empty, so the objects
    are created directly (the BINs are valid; OKED 23.61 is a priority sector by prefix 23)."""
    from klaster.accounts.roles import Role
    from klaster.register.models import Cluster, Membership, Participant
    from tests.conftest import make_user
    from tests.register.world import bin_

    c = Cluster.objects.create(code="bm", name_kk="Құрылыс", name_ru="Стройматериалы", name_en="Building materials", oked="23",
                               status="included", included_on=dt.date(2020, 1, 1))
    assoc = Participant.objects.create(bin=bin_(800), name="Ассоциация «Стройматериалы»", kind="association", oked_main="9411", kato="350000000")
    plant = Participant.objects.create(bin=bin_(801), name="Завод ЖБИ", kind="enterprise", oked_main="2361", kato="350000000", founded_on=dt.date(2010, 1, 1))
    c.association = assoc
    c.save()
    for p in (assoc, plant):
        Membership.objects.create(cluster=c, participant=p, joined_on=dt.date(2020, 1, 1))
    make_user("applicant_r", Role.APPLICANT, organisation_bin=assoc.bin)
    make_user("organizer_r", Role.ORGANIZER)
    return c, plant


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")


def _text(page, selector="main") -> str:
    return page.inner_text(selector).replace("\xa0", " ")


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.django_db(transaction=True)
def test_applicant_applies_and_organizer_processes_within_working_day_deadlines(live_server, browser, settings, tmp_path, lang):
    from klaster.common.calendar import default_calendar
    from klaster.engine.support import load_instruments
    from klaster.support.models import Application

    settings.MEDIA_ROOT = tmp_path
    cluster, plant = _world()
    inst = load_instruments()
    comp = inst.component("5b")
    cost = Decimal("50000000")
    fixed_cap = next(c for c in comp.calculation.caps if c.type == "fixed").amount.to("tenge").amount
    gross = cost * comp.calculation.rate
    assert gross > fixed_cap  # the example is chosen so that the cap binds
    today = dt.date.today()

    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = ctx.new_page()

    # --- the applicant applies ---------------------------------------------------------------
    _login(page, live_server.url, "applicant_r")
    page.goto(live_server.url + "/support/")
    page.get_by_role("link", name=_t("Apply for an instrument", lang)).click()
    page.wait_for_selector("select[name=component]")
    with page.expect_navigation():
        page.select_option("select[name=component]", "5b")  # the form reloads with the instrument's checklist
    if lang == "ru":
        assert "Реализация плана повышения эффективности" in _text(page)
    page.select_option("select[name=participant]", label=f"{plant.name} ({plant.bin})")
    assert page.locator("select[name=stage]").count() == 0  # the stage is never typed (read from the register)
    page.check("input[name=declarations][value='not-budget-funded']")
    page.select_option("select[name=executor_kind]", "consultant")
    page.fill("input[name=executor_years]", "5")
    page.fill("input[name=executor_projects]", "3")
    page.fill("input[name=costs-0-description]", "План повышения эффективности")
    page.fill("input[name=costs-0-amount]", f"{int(cost):,}".replace(",", " " if lang != "en" else ","))  # as a user of the language types it
    page.fill("input[name=costs-0-incurred_on]", (today - dt.timedelta(days=30)).isoformat())
    for code in comp.documents_required:
        page.check(f"input[name=documents][value='{code}']")
    page.set_input_files("input[name=file-charter]", files=[{"name": "ustav.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    _shot(page, lang, "1-applicant-form")
    page.get_by_role("button", name=_t("Register the application", lang)).click()
    page.wait_for_selector(f"text={_t('The application was registered.', lang)}")
    app = Application.objects.get()
    assert page.url.endswith(f"/support/{app.pk}/") and app.status == "registered"
    assert "ustav.pdf" in _text(page)

    # --- the organizer processes it ------------------------------------------------------------
    page.get_by_role("button", name=_t("Log out", lang)).click()
    _login(page, live_server.url, "organizer_r")
    page.goto(live_server.url + "/support/")
    page.get_by_role("link", name=str(app.pk), exact=True).click()
    page.wait_for_selector(f"text={_t('Processing deadlines (working days)', lang)}")
    proc = inst.procedure(app.procedure)
    first = proc.steps[0]
    due = default_calendar().deadline(today, first.days, first.unit)
    from django.utils import translation

    from klaster.common.dates import day_text

    with translation.override(lang):
        due_text = day_text(due)  # the date as the language writes it (kk/ru 09.12.2026, en 9 Dec 2026)
    row = page.locator("table.data tr", has_text=first.text[lang]).first
    assert due_text in row.inner_text().replace("\xa0", " ") and str(first.days) in row.inner_text()
    assert default_calendar().is_working_day(due) and due > today

    page.get_by_role("button", name=_t("Check completeness", lang)).click()
    page.wait_for_selector(f"text={_t('Recorded.', lang)}")
    if lang == "ru":
        assert "на рассмотрении" in _text(page)  # complete: under review
    page.get_by_role("button", name=_t("Approve", lang)).click()
    page.wait_for_selector(f"text={_t('Recorded.', lang)}")
    app.refresh_from_db()
    assert app.status == "approved" and app.amount == fixed_cap

    text = _text(page)
    _shot(page, lang, "2-organizer-approved")
    if lang != "ru":
        ctx.close()
        return
    amount = f"{int(fixed_cap):,}".replace(",", " ")
    assert re.search(rf"Сумма: {amount},00 тенге", text)
    cap_line = next(li for li in page.locator("main ol li").all_inner_texts() if li.replace("\xa0", " ").startswith("Ограничение"))
    cap_line = cap_line.replace("\xa0", " ")
    assert f"{int(gross):,}".replace(",", " ") in cap_line and f"→ {amount}" in cap_line
    assert "инструмент 5, 2)" in cap_line  # the clause of the cap, written the Russian way
    # the deadlines' states in the words of a support deadline («выполнено», «в работе»), not a competition's
    assert _t("done", lang, "deadline") in text or _t("open", lang, "deadline") in text
    ctx.close()
