"""One text per msgid and language across the apps' catalogues.

Django merges the catalogues of a language into one: the project's ``LOCALE_PATHS`` over every
app, and among the apps the first in ``INSTALLED_APPS`` wins. A msgid that two catalogues
translate differently therefore shows the winner's text on the other app's pages too (an
analysis run "done" read «исполнено», the word of a competition's deadline). Words whose
meaning differs between places carry a message context (``pgettext``) instead.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation


def _catalogues(lang: str) -> dict[str, Path]:
    out = {}
    for d in settings.LOCALE_PATHS:
        p = Path(d) / lang / "LC_MESSAGES" / "django.po"
        if p.exists():
            out[f"LOCALE_PATHS {d}"] = p
    for cfg in apps.get_app_configs():
        p = Path(cfg.path) / "locale" / lang / "LC_MESSAGES" / "django.po"
        if p.exists() and cfg.name.startswith("klaster"):
            out[cfg.name] = p
    return out


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_no_msgid_is_translated_two_ways(lang):
    cats = _catalogues(lang)
    assert len(cats) >= 10, cats
    seen: dict[tuple, dict[str, str]] = defaultdict(dict)
    for name, path in cats.items():
        for e in polib.pofile(str(path)):
            if not e.obsolete and e.msgstr and not e.msgid_plural:
                seen[(e.msgctxt, e.msgid)][name] = e.msgstr
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert not clashes, "\n".join(f"{k}: {v}" for k, v in list(clashes.items())[:20])


def test_words_with_two_meanings_read_as_their_page_means():
    from klaster.analysis.models import AnalysisRun
    from klaster.register.i18n import UNITS
    from klaster.support.i18n import DEADLINE_STATUS

    with translation.override("ru"):
        assert str(AnalysisRun.Status.DONE.label) == "завершён"
        assert str(AnalysisRun.Status.FAILED.label) == "ошибка"
        assert str(AnalysisRun.Status.RUNNING.label) == "выполняется"
        assert str(DEADLINE_STATUS["open"]) == "в работе" and str(DEADLINE_STATUS["done"]) == "выполнено"
        assert str(UNITS["jobs"]) == "рабочих мест"
        assert translation.gettext("done") == "исполнено"  # a competition's deadline keeps its word
        assert translation.pgettext("period", "Years") == "Годы" and translation.gettext("Years") == "Лет"
        assert translation.pgettext("history", "Event") == "Событие" and translation.gettext("Event") == "Мероприятие"
        assert translation.pgettext("period", "From") == "С" and translation.pgettext("period", "To") == "По"
    with translation.override("kk"):
        assert str(AnalysisRun.Status.DONE.label) == "аяқталды"
        assert str(DEADLINE_STATUS["open"]) == "орындалуда"
        assert translation.pgettext("period", "From") == "Бастап"


def test_regulation_texts_are_shown_in_the_active_language_with_english_as_the_fallback():
    from klaster.web.templatetags.klaster import tr

    text = {"kk": "Лизингтік қаржыландыру", "ru": "Лизинговое финансирование", "en": "Leasing financing"}
    for lang in ("kk", "ru", "en"):
        with translation.override(lang):
            assert tr(text) == text[lang]
    with translation.override("kk"):
        assert tr({"ru": "только по-русски", "en": "English only"}) == "English only"
        assert tr(None) == "" and tr("§ 5") == "§ 5"
