"""Data labels of the support pages in kk/ru (issue 13): the cost-cap base read as its id
«construction-installation-cost» in the calculation and in the error asking for it."""

from __future__ import annotations

import pytest
from django.utils import translation

from klaster.engine.support.messages import Msg
from klaster.register.i18n import explanation_line
from klaster.support.i18n import engine_text

STEPS = {
    "ru": "Ограничение 2% от «construction-installation-cost» 10 000 000 тенге = 200 000 тенге: 300 000 → 200 000 [Programme §5.3, instrument 7]",
    "kk": "«construction-installation-cost» 10 000 000 теңге сомасының 2%-ы = 200 000 теңге шегі: 300 000 → 200 000 [Programme §5.3, instrument 7]",
}
NAMES = {"ru": "стоимость строительно-монтажных работ", "kk": "құрылыс-монтаж жұмыстарының құны"}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_cap_base_is_named_in_the_calculation(lang):
    out = explanation_line(STEPS[lang], lang)
    assert "construction-installation-cost" not in out and f"«{NAMES[lang]}»" in out


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_cap_base_is_named_in_the_error_asking_for_it(lang):
    with translation.override(lang):
        text = engine_text(Msg("calc.no_base", component="7.1", share="2", base="construction-installation-cost"))
    assert "construction-installation-cost" not in text and NAMES[lang] in text
