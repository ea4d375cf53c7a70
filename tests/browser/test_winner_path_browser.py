"""Browser test of issue 14's "done when", in Russian, Kazakh and English (Playwright + Debian Chromium).

A stage-2 winner of the competition enters the register from the competition's records; its
association applies for instruments 7 and 8 without typing a stage; the organizer processes both
within their working-day deadlines; the quarter's consolidated report lists the cluster with its
counter-obligations and payments; a participant leaves and the eligibility alert appears.

The interface's texts (buttons, links, messages) are looked up in the catalogues of the run's
language; the Russian run also checks the Russian wording of the help texts and labels. A
screenshot of each step goes to ``tests/browser/artifacts/winner-path/<lang>-<step>.png``.
"""

import datetime as dt
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

pytestmark = [pytest.mark.browser]

ARTIFACTS = Path(os.environ.get("KLASTER_UI_ARTIFACTS", Path(__file__).resolve().parent / "artifacts")) / "winner-path"
LANG = {"value": "ru"}


def _t(msgid: str) -> str:
    """``msgid`` as the page shows it in the run's language; of a format string, the text before
    its first placeholder."""
    from django.utils import translation

    with translation.override(LANG["value"]):
        return translation.gettext(msgid).split("%(")[0].strip()


def _shot(page, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{LANG['value']}-{step}.png"), full_page=True)


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}-123456")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")


def _logout(page):
    page.get_by_role("button", name=_t("Log out")).click()


def _text(page, selector="main") -> str:
    return page.inner_text(selector).replace("\xa0", " ")


def _act(page, button):
    page.get_by_role("button", name=_t(button), exact=True).click()
    page.wait_for_selector(f"text={_t('Recorded.')}")


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.django_db(transaction=True)
def test_a_stage_2_winner_from_the_competition_to_support_and_the_quarterly_report(live_server, browser, settings, tmp_path, monkeypatch, lang):
    from klaster.accounts.roles import Role
    from klaster.common import dates
    from klaster.engine.support import load_instruments
    from klaster.reference.loaders import load_all
    from klaster.register.models import Cluster, EligibilityAlert
    from klaster.support.models import Application
    from tests.conftest import make_user
    from tests.register.winners import make_winner

    settings.MEDIA_ROOT = tmp_path
    from klaster.reference.models import Region

    if not Region.objects.exists():  # a transactional test before this one flushed the reference data
        load_all()
    today = dates.today()
    org = make_user("organizer_w", Role.ORGANIZER)
    comp_user = make_user("competitor_w", Role.APPLICANT)
    winner = make_winner(comp_user, n_participants=10, stage1_on=today - dt.timedelta(days=200), stage2_on=today - dt.timedelta(days=40))
    make_user("association_w", Role.APPLICANT, organisation_bin=winner.organisation_bin)
    inst = load_instruments()

    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    LANG["value"] = lang
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = ctx.new_page()
    base = live_server.url

    # --- 1. the stage-2 winner enters the register from the competition (a week ago: a member can
    # leave it today, a membership lasts at least a day) ------------------------------------------
    monkeypatch.setattr(dates, "today", lambda: today - dt.timedelta(days=7))
    _login(page, base, "organizer_w")
    page.goto(base + "/register/")
    page.get_by_role("link", name=_t("Winners of the competition and the register")).click()
    row = page.locator(f"tr[data-application='{winner.pk}']")
    row.locator("input[name=code]").fill("stroymat")
    row.locator("input[name=name_en]").fill("Building materials cluster")
    row.get_by_role("button", name=_t("Include in the register")).click()
    page.wait_for_selector(f"text={_t('Recorded in the register: %(cluster)s.')}")
    card = _text(page)
    if lang != "en":  # en writes the date "8 Jun 2022"
        assert winner.decision.decided_on.strftime("%d.%m.%Y") in card
    if lang == "ru":
        assert "Этап 2" in card
    _shot(page, "1-register-card")
    cluster = Cluster.objects.get(code="stroymat")
    assert cluster.status == "included" and cluster.competition_stage_won == 2
    _logout(page)
    monkeypatch.setattr(dates, "today", lambda: today)

    # --- 2. the association applies for instruments 7 and 8 without typing a stage -----------------
    _login(page, base, "association_w")
    for component, cost in (("7", "24 000 000"), ("8a", "30 000 000")):
        page.goto(base + "/support/new/")
        with page.expect_navigation():
            page.select_option("select[name=component]", component)
        assert page.locator("select[name=stage]").count() == 0
        if lang == "ru":
            assert "Выигранный этап конкурса не вводится вручную" in _text(page) and "выигран этап 2" in _text(page)
        if component == "8a" and lang == "ru":
            assert "Постановление 440 не устанавливает ставку и сумму по инструменту 8" in _text(page)
        page.select_option("select[name=participant]", label=f"{winner.organisation_name} ({winner.organisation_bin})")
        page.check("input[name=declarations][value='not-budget-funded']")
        page.fill("input[name=costs-0-description]", f"Затраты по инструменту {component}")
        page.fill("input[name=costs-0-amount]", cost)
        page.fill("input[name=costs-0-incurred_on]", (today - dt.timedelta(days=20)).isoformat())
        for code in inst.component(component).documents_required:
            page.check(f"input[name=documents][value='{code}']")
        if component == "8a":
            _shot(page, "2-support-application")
        page.get_by_role("button", name=_t("Register the application")).click()
        page.wait_for_selector(f"text={_t('The application was registered.')}")
    a7, a8 = Application.objects.get(component="7"), Application.objects.get(component="8a")
    assert all(f["passed"] for f in a7.eligibility) and all(f["passed"] for f in a8.eligibility)
    assert (a7.amount, a8.amount) == (Decimal("12000000.00"), Decimal("22500000.00"))  # 50 %; 75 % in support year 1 (seed 002)
    _logout(page)

    # --- 3. the organizer processes both within their deadlines -------------------------------------
    _login(page, base, "organizer_w")
    for app, buttons in ((a7, ("Check completeness", "Expertise done", "Approve", "Paid")),
                         (a8, ("Check completeness", "Approve", "Paid"))):
        page.goto(base + f"/support/{app.pk}/")
        for b in buttons:
            _act(page, b)
        app.refresh_from_db()
        assert app.status == "paid"
        deadlines = page.locator("table.data tr").all_inner_texts()
        late, overdue = (re.compile(rf"(?<!\w){re.escape(_t(w))}(?!\w)") for w in ("late", "overdue"))
        assert not any(late.search(r) or overdue.search(r) for r in deadlines), deadlines
    _shot(page, "3-organizer-support-paid")
    from klaster.support import domain

    for app in (a7, a8):
        assert all(d.status in ("done", "passed-over") and not d.late for d in domain.deadlines(app))

    # --- 4. a programme with a counter-obligation; the quarter's consolidated report --------------------
    q = (today.month - 1) // 3 + 1
    page.goto(base + "/programmes/new/")
    page.select_option("select[name=cluster]", label=cluster.localized_name(lang))
    page.fill("input[name=title_ru]", "ЦКП строительных материалов")
    page.fill("input[name=start_year]", str(today.year))
    page.fill("input[name=end_year]", str(today.year + 4))
    page.get_by_role("button", name=_t("Save")).click()
    page.wait_for_selector(f"text={_t('The programme was created.')}")
    page.get_by_role("link", name=_t("Add a counter-obligation")).click()
    page.fill("input[name=indicator_ru]", "Новые продукты участников")
    page.select_option("select[name=kind]", "new-products")
    page.select_option("select[name=unit]", "products")
    page.fill("input[name=base_year]", str(today.year - 1))
    page.fill("input[name=base_value]", "45")
    page.fill(f"input[name=t{today.year}_q{q}]", "47")
    page.get_by_role("button", name=_t("Save")).click()
    page.wait_for_selector(f"text={_t('Saved.')}")
    page.goto(base + f"/programmes/quarterly/?year={today.year}&quarter={q}")
    row = _text(page, "tr[data-cluster='stroymat']")
    assert ("34,500,000.00" if lang == "en" else "34 500 000,00") in row  # 12 000 000 + 22 500 000 paid in the quarter
    section = _text(page, "#c-stroymat")
    assert "47" in section
    if lang == "ru":
        assert "Новые продукты участников" in section and "новые продукты" in section
    _shot(page, "4-quarterly-report")
    r = page.request.get(base + f"/programmes/quarterly/report.xlsx?year={today.year}&quarter={q}&lang=ru")
    assert r.status == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.body()), read_only=True)
    name = cluster.localized_name("ru")
    summary = [row for row in book["clusters"].iter_rows(values_only=True) if row and row[0] == name]
    assert len(summary) == 1 and Decimal(str(summary[0][5])) == Decimal("34500000")  # support paid in the quarter, tenge
    obligations = [row for row in book["obligations"].iter_rows(values_only=True) if row and row[0] == name]
    assert [(o[1], o[2], Decimal(str(o[8]))) for o in obligations] == [("Новые продукты участников", "новые продукты", Decimal("47"))]
    paid = {row[1]: Decimal(str(row[2])) for row in book["support"].iter_rows(values_only=True) if row and row[0] == name}
    assert paid == {"7": Decimal("12000000"), "8a": Decimal("22500000")}
    for lang in ("ru", "kk"):
        r = page.request.get(base + f"/programmes/quarterly/report.docx?year={today.year}&quarter={q}&lang={lang}")
        assert r.status == 200
        doc = docx.Document(io.BytesIO(r.body()))
        headings = [p.text for p in doc.paragraphs]
        assert cluster.localized_name(lang) in headings
        cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
        assert "Новые продукты участников" in cells

    # --- 5. a participant leaves and the eligibility alert appears ---------------------------------------
    page.goto(base + "/register/stroymat/")
    page.locator("table.data tr", has_text="ТОО «Завод 1»").get_by_role("link", name=_t("Record leaving")).first.click()
    page.fill("input[name=note]", "вышел из кластера")
    page.get_by_role("button", name=_t("Save")).click()
    page.wait_for_selector(".eligibility-alert")
    alert = _text(page, ".eligibility-alert")
    assert "9 / 10" in alert
    assert EligibilityAlert.objects.filter(cluster=cluster, resolved_on__isnull=True).exists()
    _shot(page, "5-eligibility-alert")
    _logout(page)
    _login(page, base, "association_w")
    page.goto(base + "/register/alerts/")
    assert "9 / 10" in _text(page, ".eligibility-alert")
    ctx.close()
