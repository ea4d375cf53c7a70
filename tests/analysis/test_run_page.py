"""The mapping run's page (issue 13): a short page — parameters in words (never
``methodologies=['cmp','eco']…``), a status tag, the map, the flags table paged with GOV.UK
pagination and its filters, sector names in the user's language, and the full report as a link
(it was embedded: a 4.9 MB iframe that rendered blank)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from klaster.analysis.models import AnalysisRun
from tests.analysis.conftest import media, users  # noqa: F401 — the analysis fixtures


def _run(users):  # noqa: F811
    c = Client()
    c.force_login(users["analyst"])
    c.cookies["django_language"] = "ru"
    r = c.post("/analysis/map/", {"source": "kz-bns-gva", "frame": "2022", "methodologies": ["cmp", "eco"], "year": "2024", "stability": "0"})
    run = AnalysisRun.objects.get()
    assert r.status_code == 302 and run.status == "done", run.error
    return c, run


def _get(c, url, lang):
    c.cookies["django_language"] = lang
    r = c.get(url)
    return r.status_code, r.content.decode()


@pytest.mark.django_db
def test_run_page_is_short_with_parameters_in_words_paged_flags_and_the_report_as_a_link(media, users):  # noqa: F811
    c, run = _run(users)
    url = f"/analysis/runs/{run.pk}/"
    words = {
        "ru": ["Кластерная карта США (CMP)", "Звёзды Европейской кластерной обсерватории (ECO)", "не оценивалась (без повторений)",
               "Территориальное деление 2022 года (20 единиц)", "валовая добавленная стоимость, млн тенге", "сильный кластер",
               "Горнодобывающая промышленность"],
        "kk": ["АҚШ кластерлік картасы (CMP)", "бағаланбады (қайталаусыз)", "жалпы қосылған құн, млн теңге", "күшті кластер"],
        "en": ["U.S. Cluster Mapping (CMP)", "not assessed (no replicates)", "gross value added, mln tenge", "strong cluster", "Mining and quarrying"],
    }
    for lang, expected in words.items():
        status, html = _get(c, url, lang)
        assert status == 200
        main = html[html.index("<main"):]
        assert "methodologies=" not in main and "stability=" not in main and "<code>" not in main
        for w in expected:
            assert w in main, (lang, w)
        # parameters as a GOV.UK summary list, the status as a tag
        assert '<dl class="govuk-summary-list" id="run-meta">' in main and 'class="govuk-tag' in main
        # the full report is a link, never embedded
        assert "<iframe" not in main and f'href="/analysis/runs/{run.pk}/report.html"' in main
        if lang == "ru":
            assert "Таблица признаков (CSV)" in main and ">flags.csv<" not in main
        # the flags table: 50 rows a page, GOV.UK pagination
        table = main[main.index('id="flags"'):main.index("</table>", main.index('id="flags"'))]
        assert table.count('<tr class="govuk-table__row">') == 50 + 1
        assert 'class="govuk-pagination"' in main
        # no raw flag column names as headers in kk/ru
        if lang != "en":
            heads = re.findall(r'<th scope="col" class="govuk-table__header">([^<]*)</th>', table)
            assert not {"strong", "strong10", "significant", "qualifying", "stars"} & set(heads), heads
            assert "Mining and quarrying" not in main and "Agriculture, forestry and fishing" not in main
        assert len(html) < 150_000, len(html)  # 760 cells: the first page, not the whole table
    # page 2 and the filters keep working; a malformed page is a form error, not a 500
    status, html = _get(c, url + "?year=2024&page=2", "ru")
    assert status == 200 and 'aria-current="page">2<' in html
    status, html = _get(c, url + "?sector=B&methodology=cmp", "ru")
    assert status == 200 and "Горнодобывающая промышленность" in html and 'id="choropleth"' in html
    for bad in ("page=abc", "page=" + "9" * 30, "page=9999", "methodology=zzz"):
        status, html = _get(c, url + "?" + bad, "ru")
        assert status == 200 and "govuk-error-summary" in html and 'id="flags"' not in html, bad


@pytest.mark.django_db
def test_a_queued_run_shows_its_status_tag_and_parameters_in_words(media, users):  # noqa: F811
    run = AnalysisRun.objects.create(kind=AnalysisRun.Kind.MAP, owner=users["analyst"], dataset="kz-bns-gva", status=AnalysisRun.Status.QUEUED,
                                     parameters={"methodologies": ["kz-bn"], "measure": "gva", "year": 2024, "years": [2019, 2024],
                                                 "stability": 20, "frame": "2018", "lq_base": "all"}, output_dir="x")
    c = Client()
    c.force_login(users["analyst"])
    status, html = _get(c, f"/analysis/runs/{run.pk}/", "ru")
    assert status == 200 and 'http-equiv="refresh"' in html
    assert "оценена на 20 бутстреп-повторениях" in html and "2019, 2024" in html and "kz-bn" not in html.split("<main")[1].split("data-status")[0]
    assert re.search(r'<strong class="govuk-tag[^"]*" data-status="queued">', html)
