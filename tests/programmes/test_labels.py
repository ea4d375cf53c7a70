"""Data labels of the programme and support pages in kk/ru (issue 13): the demo programmes'
source notes, the seed's note on the expected results and the pinned regulations' versions read
in English ("base 2020 and target 2024: …", "invented for the demonstration", "(vision-2021)")."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from klaster.programmes import pilots
from klaster.register.i18n import regulation_label, source_in, version_label

LATIN_WORDS = re.compile(r"\b[a-z]{4,}\b")


def _english_words(text: str) -> list[str]:
    return [w for w in LATIN_WORDS.findall(text) if w not in {"seed"}]


DEMO_SOURCES = [
    "base 2020 and target 2024: seed 003, line 438; quarterly targets invented",
    "seed 003, line 429 (the new-products table: its increments add up to the slide's 24)",
    "invented for the demonstration",
    # the budget lines' clauses (/programmes/budget/)
    "Decree 440, programme §7 (seed 004, lines 1444–1449); passport, sources of financing (lines 128–134)",
    "seed 003, plan-schedule of the National Project of industrial-innovation development 2021–2025 (line 514)",
    # the monitoring rule's source (/programmes/quarterly/ and the consolidated report)
    "seed 000, text after fig. 3 (lines 626–627): QazIndustry reports to the Ministry once a quarter",
]


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("text", DEMO_SOURCES)
def test_demo_programme_sources_read_in_the_language(text, lang):
    out = source_in(text, lang)
    assert not LATIN_WORDS.search(out), out
    assert source_in(text, "en") == text  # English stays as written


def test_base_and_target_years_are_kept():
    assert source_in(DEMO_SOURCES[0], "ru").startswith("база 2020 г. и цель 2024 г.: исходный документ 003, стр. 438")
    assert source_in(DEMO_SOURCES[0], "kk").startswith("2020 базасы және 2024 мақсаты: 003 бастапқы құжат, 438-жол")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_expected_results_note_is_in_the_language(lang):
    note = pilots.reported_results("construction")["note"]
    with translation.override(lang):
        shown = Template("{% load register_i18n %}{{ note|source }}").render(Context({"note": note}))
    assert not LATIN_WORDS.search(shown.replace("&#x27;", "'")), shown
    assert "19 %" in shown and "429" in shown


@pytest.mark.parametrize("lang, version", [("ru", "(ред. от 01.06.2021)"), ("kk", "(редакция, 01.06.2021)"), ("en", "(version of 1 Jun 2021)")])
def test_a_pinned_regulation_shows_its_title_and_version_not_codes(lang, version):
    """Reproduction: "Софинансирование целевых кластерных программ (vision-2021)"."""
    label = regulation_label({"id": "cluster-programme-cofinancing", "version": "vision-2021"}, lang)
    assert "vision-2021" not in label and label.endswith(version), label


def test_versions_of_one_document_are_numbered():
    from klaster import regulations

    docs = [regulations.load("productivity2020-instruments", version=v) for v in regulations.versions("productivity2020-instruments")]
    assert [version_label(d, "ru") for d in docs] == ["ред. 1 от 17.06.2015", "ред. 2 от 17.06.2015"]
    assert [version_label(d, "kk") for d in docs] == ["1-редакция, 17.06.2015", "2-редакция, 17.06.2015"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_administrators_landing_names_regulations_by_title(lang):
    from klaster import regulations
    from klaster.web.landing import _regulation_item

    with translation.override(lang):
        for d in regulations.documents():
            text = _regulation_item(d).text
            assert d not in text and not any(v in text for v in regulations.versions(d)), text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_analysts_landing_names_the_dataset_not_its_id(lang):
    """Reproduction: the analyst's /me/ listed a run as "… · kz-bns-gva"."""
    from klaster.analysis.models import AnalysisRun
    from klaster.web.landing import analyst
    from tests.conftest import make_user

    user = make_user("analyst-landing", "analyst")
    AnalysisRun.objects.create(owner=user, kind=AnalysisRun._meta.get_field("kind").choices[0][0], dataset="kz-bns-gva")
    with translation.override(lang):
        text = analyst(user)[0].items[0].text
    assert "kz-bns-gva" not in text and re.search("[\u0400-\u04ff]", text.split(" · ")[1]), text
