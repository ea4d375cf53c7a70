"""The regions page's territorial changes in the user's language (issue 13): the units named as the
KATO reference names them (a former unit from the data's own kk/ru names), the decrees by their
official kk/ru titles — never the English labels of the reference rows in kk or ru."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client


def _changes(lang: str) -> str:
    cache.clear()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.cookies["django_language"] = lang
    html = c.get("/regions/").content.decode()
    start = html.index('id="territorial-changes"')
    return html[start:html.index("</table>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("lang,shown", [
    ("ru", ["Указ Президента Республики Казахстан от 3 мая 2022 года № 887 (область Абай)",
            "Указ Президента Республики Казахстан от 19 июня 2018 года № 702",
            "510000000 Южно-Казахстанская область", "620000000 область Ұлытау"]),
    ("kk", ["Қазақстан Республикасы Президентінің 2022 жылғы 3 мамырдағы № 887 Жарлығы (Абай облысы)",
            "Қазақстан Республикасы Президентінің 2018 жылғы 19 маусымдағы № 702 Жарлығы",
            "510000000 Оңтүстік Қазақстан облысы", "620000000 Ұлытау облысы"]),
])
def test_territorial_changes_in_kazakh_and_russian(lang, shown):
    table = _changes(lang)
    for text in shown:
        assert text in table, text
    assert not re.search(r"Decree|oblast|President|city of republican", table), table


@pytest.mark.django_db
def test_territorial_changes_in_english_keep_the_reference_texts():
    table = _changes("en")
    assert "Decree of the President of RK No. 887 of 3 May 2022 (Abai oblast)" in table
    assert "510000000 South Kazakhstan oblast" in table


def test_an_act_without_a_translation_is_shown_as_written():
    """A change added to the reference data without kk/ru titles is not hidden: its text is shown."""
    from types import SimpleNamespace

    from klaster.reference.changes import basis_text

    ch = SimpleNamespace(basis="Decree No. 1 of 1 Jan 2030", from_units={"1": "a"}, to_units={"2": "b"})
    assert basis_text(ch, {}, "ru") == "Decree No. 1 of 1 Jan 2030"
