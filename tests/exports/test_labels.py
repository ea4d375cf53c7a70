"""The exports page names lists, states, bodies and tables in the user's language (issue 13):
kk/ru pages showed raw codes ("admitted", "draft", "clusters", "akimat"); the values sent stay
machine codes, and so do the files' own columns and sheet names."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from klaster.exports.lists import ExportForm, registry

OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')
RAW = {"draft", "decided", "failed", "published", "rerun_announced", "admitted", "submitted", "withdrawn",
       "clusters", "participants", "applications", "deadlines", "ranked", "scores", "akimat", "authorized_body",
       "regional_body", "competitions", "indicators", "programmes"}


def options(html: str) -> list[tuple[str, str]]:
    return [(v, t.strip()) for v, t in OPTION.findall(html)]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("name", ["competitions", "applications", "ranked", "conclusions", "register", "programmes"])
def test_choices_of_every_export_form_are_labels_not_codes(name, lang):
    with translation.override(lang):
        html = str(ExportForm(registry()[name]))
    opts = options(html)
    assert opts, html
    shown = {t for _v, t in opts}
    assert not shown & RAW, f"{name}/{lang}: raw codes shown {sorted(shown & RAW)}"
    assert all(re.fullmatch(r"[a-z0-9_ ]*", v) for v, _t in opts)  # the values sent stay codes


@pytest.mark.django_db
@pytest.mark.parametrize("lang, expected", [("ru", ["кластеры", "участники", "черновик"]), ("kk", ["кластерлер", "қатысушылар"])])
def test_the_public_exports_page_in_kk_and_ru(lang, expected):
    c = Client()
    c.cookies["django_language"] = lang
    page = c.get("/exports/").content.decode()
    shown = {t for _v, t in options(page)}
    assert not shown & RAW
    for word in expected:
        assert word in shown
    assert '<option value="clusters"' in page and '<option value="draft"' in page  # machine values stay
