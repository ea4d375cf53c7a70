"""Words that come from data, shown in the user's language, and deadline states after the fact."""

import datetime as dt

import pandas as pd
import pytest
from django.test import Client

from klaster.common.calendar import WorkingCalendar
from klaster.engine.support import load_instruments, schedule
from klaster.register.i18n import clause_in, explanation_line, source_in, unit_label


@pytest.mark.parametrize(("clause", "kk", "ru"), [
    ("Programme §5.3, instrument 5, 2)", "Бағдарлама, 5.3-тармақ, 5-құрал, 2)", "Программа, п. 5.3, инструмент 5, 2)"),
    ("Programme §5.4, mechanism of instruments 2–5, items 3–10", "Бағдарлама, 5.4-тармақ, 2–5-құралдар тетігі, 3–10-тармақтар",
     "Программа, п. 5.4, механизм инструментов 2–5, пункты 3–10"),
    ("item 9.1", "9.1-тармақ", "пункт 9.1"),
    ("Criteria 1.1", "1.1-өлшемшарт", "критерий 1.1"),
    ("App. 2 §3.1", "2-қосымша 3.1-тармақ", "прил. 2 п. 3.1"),
])
def test_clause_references_are_written_the_languages_way(clause, kk, ru):
    assert clause_in(clause, "kk") == kk
    assert clause_in(clause, "ru") == ru
    assert clause_in(clause, "en") == clause


def test_units_sources_and_explanation_clauses():
    assert unit_label("mln tenge", "ru") == "млн тенге" and unit_label("mln USD", "kk") == "млн АҚШ доллары"
    assert source_in("seed 003, line 349", "ru") == "исходный документ 003, стр. 349"
    assert source_in("seed 003, line 349", "kk") == "003 бастапқы құжат, 349-жол"
    assert explanation_line("Сумма к возмещению: 1 тенге [Programme §5.3, instrument 7]", "ru") == "Сумма к возмещению: 1 тенге [Программа, п. 5.3, инструмент 7]"


def test_a_step_skipped_by_a_later_one_is_not_overdue():
    """Instrument 7: the decision was recorded without a separate expertise event; long after, the
    expertise step is neither open nor overdue, and the mismatch notice of a complete application
    is not pending."""
    inst = load_instruments()
    proc = inst.procedure(inst.component("7").procedures[0])
    ids = [s.id for s in proc.steps]
    assert {"expertise", "mismatch-notice", "decision"} <= set(ids)
    d = dt.date
    events = {"registered": d(2024, 3, 1), "completeness-passed": d(2024, 3, 4), "decided": d(2024, 3, 12), "notified": d(2024, 3, 12)}
    rows = {r.step: r for r in schedule(proc, events, WorkingCalendar(), today=d(2024, 6, 1))}
    assert rows["expertise"].status == "passed-over" and rows["mismatch-notice"].status == "passed-over"
    assert rows["decision"].status == "done"
    # while the decision is not recorded, the expertise is overdue as before
    rows = {r.step: r for r in schedule(proc, {k: v for k, v in events.items() if k in ("registered", "completeness-passed")}, WorkingCalendar(), today=d(2024, 6, 1))}
    assert rows["expertise"].status == "overdue"


@pytest.mark.django_db
def test_rankings_page_names_clusters_and_whole_ranks(settings):
    from klaster.engine.programmes.ranking import Indicator, Methodology
    from klaster.register.domain import services
    from klaster.register.models import Cluster

    import gettext as gettext_module

    from django.utils.translation import trans_real

    from klaster.web.i18n import compile_messages

    compile_messages()  # the catalogues as they are in the tree (.mo files are not committed)
    gettext_module._translations.clear()
    trans_real._translations = {}
    trans_real._default = None
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    for code, ru in (("a", "Кластер А"), ("b", "Кластер Б"), ("c", "Кластер В")):
        Cluster.objects.create(code=code, name_kk=ru, name_ru=ru, name_en=code, oked="23", status="included")
    m = services.save_methodology(actor=None, methodology=Methodology(name="Тест", indicators=(Indicator("turnover", 0.5, True, "thousand tenge"), Indicator("employees", 0.5, True, "persons"))))
    services.compute_ranking(actor=None, methodology=m, year=2020, data=pd.DataFrame({"turnover": [3.0, 2.0, 1.0], "employees": [30.0, 20.0, 10.0]}, index=["a", "b", "c"]))
    c = Client()
    c.cookies["django_language"] = "ru"
    html = c.get("/register/rankings/").content.decode()
    assert "Кластер А" in html and "<td>1</td>" in html and "<td>1,0</td>" not in html
    assert "<td>тыс. тенге</td>" in html and "<td>чел.</td>" in html
