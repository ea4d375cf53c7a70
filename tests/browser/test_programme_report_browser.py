"""Browser journey, in Russian, Kazakh and English: a targeted cluster programme and its reports.

On the demo data of the accounts, the register and the programmes, the analyst opens the list of targeted cluster
programmes, one programme (its key projects, financing and counter-obligations), downloads its
monitoring report as DOCX in the page's language, and opens the quarterly overview of the clusters.
Each page's headings are the catalogue's translations of their English msgids (in kk and ru never
the English); the DOCX names the programme in the language. A screenshot of every step is written
to ``tests/browser/artifacts/programme-report/<lang>-<step>.png`` (CI artefacts; README,
"Documentation"). Needs ``/usr/bin/chromium`` (tests/browser/conftest.py).
"""

import io

import docx
import pytest

from tests.browser.conftest import browser, shot, translated  # noqa: F401 — the shared Chromium fixture

pytestmark = [pytest.mark.browser]

JOURNEY = "programme-report"


def _demo(*apps: str) -> None:
    """The demo data of these apps (``klaster demo``'s modules, in their order)."""
    import importlib
    from rich.console import Console

    console = Console(file=io.StringIO())
    for app in apps:
        importlib.import_module(f"klaster.{app}.demo").load_demo(console)


def _h1(page) -> str:
    return " ".join(page.get_by_role("heading", level=1).first.inner_text().split())


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
@pytest.mark.django_db(transaction=True)
def test_programme_and_its_reports_in_each_language(live_server, browser, settings, tmp_path, lang):  # noqa: F811
    from klaster.accounts.demo import DEMO_PASSWORD
    from klaster.programmes.models import Programme
    from klaster.reference.loaders import load_all

    settings.MEDIA_ROOT = str(tmp_path)
    load_all()
    _demo("accounts", "register", "programmes")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = ctx.new_page()
    base = live_server.url
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_selector("span.who")
    assert page.evaluate("document.documentElement.lang") == lang

    # the programmes
    page.goto(base + "/programmes/")
    assert _h1(page) == translated(lang, "Targeted cluster programmes")
    headers = page.locator("main table thead th").all_inner_texts()
    assert translated(lang, "Programme") in headers and translated(lang, "Key projects") in headers, headers
    shot(page, JOURNEY, lang, "1-programmes")

    # one programme
    link = page.locator("main table tbody tr td a").first
    title = link.inner_text().strip()
    link.click()
    page.wait_for_load_state("domcontentloaded")
    code = page.url.rstrip("/").split("/programmes/")[1]
    programme = Programme.objects.get(cluster__code=code)
    assert title == programme.localized_title(lang), (title, programme.localized_title(lang))
    assert _h1(page).startswith(title), (_h1(page), title)
    h2 = page.locator("main h2").all_inner_texts()
    assert translated(lang, "Key projects and co-financing") in h2, h2
    assert translated(lang, "Counter-obligations: targets and actuals") in h2, h2
    shot(page, JOURNEY, lang, "2-programme")

    # its monitoring report, as DOCX, in the page's language
    with page.expect_download() as dl:
        page.locator("main a[href$='monitoring.docx']").first.click()
    doc = docx.Document(io.BytesIO(open(dl.value.path(), "rb").read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert title in text, text[:300]

    # the quarterly overview of the clusters
    page.goto(base + "/programmes/")
    page.get_by_role("link", name=translated(lang, "Quarterly overview of the clusters"), exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "/programmes/quarterly/" in page.url
    prefix = translated(lang, "Quarterly overview of the clusters: Q%(q)s %(y)s").split("%(")[0]
    assert _h1(page).startswith(prefix.strip()), (_h1(page), prefix)
    shot(page, JOURNEY, lang, "3-quarterly")
    ctx.close()
