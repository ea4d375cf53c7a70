"""Kazakh and Russian for every user-facing message of the competition.

* every msgid of the app's templates and Python sources (views, forms, domain errors, flash
  messages, the engine-message texts) is in both catalogues with a translation that keeps its
  placeholders;
* every engine message code has a translatable text with the same parameters;
* a refusal (a late package, §13) is shown in Kazakh when the interface language is kk, and in
  Russian when it is ru; stored engine texts (return notices) are translated on display.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

import klaster
from klaster.competition import i18n
from klaster.engine.competition.messages import MESSAGES, Msg, parse
from klaster.web.i18n import compile_messages

PKG = Path(klaster.__file__).parent / "competition"
TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
PY_STRING = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*[,)]""")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def source_msgids() -> set[str]:
    out = set()
    for t in (PKG / "templates").rglob("*.html"):
        out |= {m.group(2) for m in TEMPLATE_STRING.finditer(t.read_text())}
    for f in PKG.rglob("*.py"):
        if "migrations" not in f.parts:
            out |= {m.group(2) for m in PY_STRING.finditer(f.read_text())}
    return out


def catalogue(lang):
    return polib.pofile(str(PKG / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_catalogue_has_every_message_translated(lang):
    po = catalogue(lang)
    have = {e.msgid for e in po}
    missing = sorted(source_msgids() - have)
    assert not missing, f"{lang}: not in the catalogue: {missing}"
    empty = [e.msgid for e in po if not e.msgstr.strip() or "fuzzy" in e.flags]
    assert not empty, f"{lang}: no msgstr for {empty}"
    for e in po:
        assert sorted(PLACEHOLDER.findall(e.msgid)) == sorted(PLACEHOLDER.findall(e.msgstr)), (lang, e.msgid)
    assert have == {e.msgid for e in catalogue("ru" if lang == "kk" else "kk")}


def test_every_engine_message_code_has_a_translatable_text_with_the_same_parameters():
    assert set(i18n.ENGINE) == set(MESSAGES)
    for code, tpl in MESSAGES.items():
        assert sorted(re.findall(r"\{(\w+)\}", tpl)) == sorted(re.findall(r"%\((\w+)\)s", str(i18n.ENGINE[code]))), code


def test_stored_engine_messages_are_recognised_by_their_english_text():
    m = Msg("package.missing", document="Concept")
    back = parse(str(m))
    assert back.code == "package.missing" and back.params == {"document": "Concept"}
    assert parse("a notice written by a person") is None
    assert parse(str(Msg("conflict.declared"))).code == "conflict.declared"


@pytest.fixture
def catalogues():
    compile_messages()
    trans_real._translations = {}
    trans_real._default = None
    yield
    trans_real._translations = {}
    trans_real._default = None


def test_engine_messages_and_clauses_in_kazakh_and_russian(catalogues):
    late = Msg("application.late", closes="2025-03-20", day="2025-03-21")
    with translation.override("kk"):
        kk = i18n.engine_text(late)
        assert i18n.clause_in("§13") == "13-тармақ"
        assert "қабылданбайды" in kk and "20.03.2025" in kk and "2025-03-20" not in kk  # dates as users write them
        assert i18n.clause_in("Criteria 1.1") == "Өлшемшарттар, 1.1-тармақ" and i18n.clause_in("App. 3") == "3-қосымша"
        assert i18n.stored_text(f"{Msg('participants.too_few', count=9, required=10)} (Criteria 1.1)").startswith("9 ")
    with translation.override("ru"):
        assert "не принимается" in i18n.engine_text(late) and "20.03.2025" in i18n.engine_text(late)
        assert i18n.clause_in("§16, §32") == "п. 16, п. 32"
        assert i18n.clause_in("Criteria 1.1") == "Критерии, п. 1.1" and i18n.clause_in("App. 2 §3.1") == "прил. 2 п. 3.1"
        assert i18n.state_label("refused_late").startswith("отказано")
    with translation.override("en"):
        assert i18n.engine_text(late) == str(late).replace("2025-03-20", "20 Mar 2025").replace("2025-03-21", "21 Mar 2025")


@pytest.mark.django_db
def test_clause_13_late_package_refusal_is_shown_in_kazakh_and_russian(catalogues, settings):
    """A package submitted after intake closes is refused (§13); the refusal reads in the user's language."""
    from klaster.accounts.roles import Role
    from klaster.competition.domain import services as svc
    from tests.competition.conftest import bins
    from tests.conftest import make_user

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    org = make_user("org_i18n", Role.ORGANIZER)
    texts = {}
    for n, lang in enumerate(("kk", "ru")):
        applicant = make_user(f"app_i18n_{lang}", Role.APPLICANT)
        from klaster.common.calendar import default_calendar

        closes = svc.today() - dt.timedelta(days=1)
        while not default_calendar().is_working_day(closes):  # a working day, so that no reading moves it
            closes -= dt.timedelta(days=1)
        with svc.on_day(closes - dt.timedelta(days=61)):
            c = svc.announce_competition(actor=org, title=f"i18n {lang}", stage1_intake_closes=closes)
        with svc.on_day(closes):
            a = svc.create_application(actor=applicant, competition=c, organisation_name="Org", organisation_bin=bins(1, start=n)[0],
                                       kind="business_association", cluster_name="Cluster", region_kato="351010000")
        client = Client()
        client.force_login(applicant)
        client.cookies["django_language"] = lang
        r = client.post(f"/competition/my/{a.pk}/action/", {"action": "submit", "statement": "on"}, follow=True)
        html = r.content.decode()
        texts[lang] = html
        a.refresh_from_db()
        assert a.state == "draft" and not a.registration_number  # refused: nothing is recorded
    assert "мерзім өткен соң ұсынылған конкурстық өтінім қабылданбайды" in texts["kk"] and "13-тармақ" in texts["kk"]
    assert "не принимается и не рассматривается" in texts["ru"] and "п. 13" in texts["ru"]
    assert "not accepted" not in texts["kk"] + texts["ru"]
