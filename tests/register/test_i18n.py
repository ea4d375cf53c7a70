"""Kazakh and Russian interface of the register, programmes and support apps.

Every msgid used in the apps' templates and Python sources is in each catalogue with a
non-empty translation that keeps its placeholders; key pages render translated headings.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import trans_real

import klaster
from klaster.web.i18n import compile_messages
from tests.conftest import make_user
from tests.register.world import build_world

APPS = ("register", "programmes", "support")
PKG = Path(klaster.__file__).parent
TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b[^%]*%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
PY_STRING = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*[,)]""")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%|\{[a-z_]+\}")


def source_msgids(app: str) -> set[str]:
    """msgids of the app, read from its sources independently of makemessages."""
    out = set()
    for t in (PKG / app / "templates").rglob("*.html"):
        text = t.read_text()
        out |= {m.group(2).replace("%", "%%") for m in TEMPLATE_STRING.finditer(text)}
        for m in BLOCK.finditer(text):
            out.add(re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", m.group(1).replace("%", "%%")))
    for f in (PKG / app).rglob("*.py"):
        if "migrations" in f.parts:
            continue
        out |= {m.group(2) for m in PY_STRING.finditer(f.read_text())}
    return out


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("app", APPS)
def test_catalogue_covers_every_source_string(app, lang):
    po = polib.pofile(str(PKG / app / "locale" / lang / "LC_MESSAGES" / "django.po"))
    have = {e.msgid: e for e in po}
    missing = sorted(m for m in source_msgids(app) if m not in have and m.replace("%%", "%") not in have)
    assert not missing, f"{app}/{lang}: not in the catalogue: {missing}"
    untranslated = [e.msgid for e in po if not e.msgstr.strip() or "fuzzy" in e.flags]
    assert not untranslated, f"{app}/{lang}: untranslated {untranslated}"
    for e in po:
        assert sorted(PLACEHOLDER.findall(e.msgid)) == sorted(PLACEHOLDER.findall(e.msgstr)), f"{app}/{lang}: placeholders differ in {e.msgid!r}"
    other = polib.pofile(str(PKG / app / "locale" / ("ru" if lang == "kk" else "kk") / "LC_MESSAGES" / "django.po"))
    assert set(have) == {e.msgid for e in other}


def test_seed_terms_are_used():
    ru = {e.msgid: e.msgstr for app in APPS for e in polib.pofile(str(PKG / app / "locale" / "ru" / "LC_MESSAGES" / "django.po"))}
    kk = {e.msgid: e.msgstr for app in APPS for e in polib.pofile(str(PKG / app / "locale" / "kk" / "LC_MESSAGES" / "django.po"))}
    assert ru["Targeted cluster programme"] == "Целевая кластерная программа (ЦКП)"
    assert ru["Register of territorial clusters"] == "Реестр территориальных кластеров"
    assert ru["Counter-obligations: targets and actuals"].startswith("Встречные обязательства")
    assert kk["Programme operator"] == "Бағдарлама операторы"  # seed 004
    assert "өтінім" in kk["Application"].lower()  # seed 004: өтінім


@pytest.fixture
def world(db):
    compile_messages()
    trans_real._translations = {}  # reload catalogues compiled during this run
    trans_real._default = None
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return build_world(make_user)


PAGES = [
    # (user, url, {lang: expected text})
    (None, "/register/", {"kk": "Аумақтық кластерлер тізілімі", "ru": "Реестр территориальных кластеров"}),
    (None, "/register/alpha/", {"kk": "Қатысу тарихы", "ru": "История участия"}),
    (None, "/register/rankings/", {"kk": "Даму деңгейі бойынша рейтинг", "ru": "Рейтинг по уровню развития"}),
    ("organizer", "/programmes/", {"kk": "Мақсатты кластерлік бағдарламалар", "ru": "Целевые кластерные программы"}),
    ("organizer", "/programmes/alpha/", {"kk": "Қарсы міндеттемелер: нысаналы және нақты мәндер", "ru": "Встречные обязательства: целевые и фактические значения"}),
    ("applicant", "/support/", {"kk": "«Өнімділік 2020» бағдарламасының қолдау құралдары", "ru": "Инструменты поддержки программы «Производительность 2020»"}),
    ("applicant", "/support/new/", {"kk": "Құралға өтінім беру", "ru": "Подать заявку на инструмент"}),
    ("organizer", "/support/{app}/", {"kk": "Қарау мерзімдері (жұмыс күндері)", "ru": "Сроки рассмотрения (рабочие дни)"}),
]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_key_pages_render_translated(world, lang):
    for who, url, expected in PAGES:
        client = Client()
        if who:
            client.force_login(world.users[who])
        client.cookies["django_language"] = lang
        r = client.get(url.format(app=world.app_a.pk))
        assert r.status_code == 200, url
        html = r.content.decode()
        assert expected[lang] in html, (url, lang)
        assert f'<html lang="{lang}">' in html
