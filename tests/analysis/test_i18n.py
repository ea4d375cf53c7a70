"""Kazakh and Russian interface of the analysis app: every source string is in both catalogues,
translated, with the same placeholders; the seed terms are used; pages render translated."""

import re
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils.translation import trans_real

import klaster
from klaster.web.i18n import compile_messages

APP = Path(klaster.__file__).parent / "analysis"
TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b[^%]*%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
PY_STRING = re.compile(r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(["'])((?:\\.|(?!\1).)*)\1\s*[,)]""")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-.0-9]*[sdf]")


def source_msgids() -> set[str]:
    out = set()
    for t in (APP / "templates").rglob("*.html"):
        text = t.read_text()
        out |= {m.group(2).replace("%", "%%") for m in TEMPLATE_STRING.finditer(text)}
        for m in BLOCK.finditer(text):
            out.add(re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", m.group(1).replace("%", "%%")))
    for f in APP.rglob("*.py"):
        if "migrations" not in f.parts:
            out |= {m.group(2) for m in PY_STRING.finditer(f.read_text())}
    return out


def _po(lang):
    return polib.pofile(str(APP / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_catalogue_entry_translated(lang):
    po = _po(lang)
    have = {e.msgid for e in po}
    ids = source_msgids()
    assert len(ids) > 100
    missing = sorted(m for m in ids if m not in have and m.replace("%%", "%") not in have)
    assert not missing, missing
    assert not [e.msgid for e in po if not e.msgstr.strip() or "fuzzy" in e.flags]
    for e in po:
        assert sorted(PLACEHOLDER.findall(e.msgid)) == sorted(PLACEHOLDER.findall(e.msgstr)), e.msgid
    assert have == {e.msgid for e in _po("ru" if lang == "kk" else "kk")}


def test_seed_terms():
    kk = {e.msgid: e.msgstr for e in _po("kk")}
    ru = {e.msgid: e.msgstr for e in _po("ru")}
    assert kk["Location quotient"] == "Оқшаулану коэффициенті"
    assert kk["Leontief inverse"] == "Леонтьевтің кері матрицасы"
    assert "мультипликатор" in kk["Type I/II multipliers"]
    assert ru["Location quotient"] == "Коэффициент локализации"
    assert ru["Leontief inverse"] == "Обратная матрица Леонтьева"
    assert ru["Type I/II multipliers"] == "Мультипликаторы I/II типа"


@pytest.mark.django_db
@pytest.mark.parametrize("lang,texts", [
    ("kk", ["Оқшаулану коэффициенті", "Леонтьевтің кері матрицасы", "Есептеулер"]),
    ("ru", ["Коэффициент локализации", "Обратная матрица Леонтьева", "Мультипликаторы I/II типа"]),
])
def test_pages_render_translated(media, users, lang, texts):
    compile_messages()
    trans_real._translations = {}
    trans_real._default = None
    c = Client()
    c.force_login(users["analyst"])
    c.cookies["django_language"] = lang
    html = c.get("/analysis/").content.decode()
    for t in texts:
        assert t in html, t
    io = c.get("/analysis/io/?table=scotland-2019&type=II").content.decode()
    assert {"kk": "II типті мультипликаторлар", "ru": "Мультипликаторы II типа"}[lang] in io
    assert {"kk": "Жарияланған мәндермен салыстыру", "ru": "Сверка с опубликованными значениями"}[lang] in io
