"""The analysis forms and the runs list in the design system and in kk/ru (issue 13): machine
column names shown as code in the hints, a refused form answered with the GOV.UK error summary
linking to the field, datasets named by their titles."""

import lxml.html
import pytest
from django.test import Client

from klaster.analysis.models import AnalysisRun


def _client(user, lang):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


@pytest.mark.django_db
@pytest.mark.parametrize("lang,word", [("ru", "Столбцы"), ("kk", "Бағандар")])
def test_map_form_hint_names_columns_as_code(media, users, lang, word):
    doc = lxml.html.fromstring(_client(users["analyst"], lang).get("/analysis/map/").content.decode())
    hint = doc.get_element_by_id("id_file-hint")
    assert hint.text_content().startswith(word)
    # one code element (a lone "year" or "unit" would read as an untranslated interface word);
    # before: the hint was one plain text with the English column names among the Russian words
    assert [c.text for c in hint.xpath(".//code")] == ["region, sector, year, measure, value, unit [, status, group]"]
    measure = doc.get_element_by_id("id_measure-hint")
    assert [c.text for c in measure.xpath(".//code")] == ["measure = gva", "measure = employment"]
    assert [c.text for c in doc.get_element_by_id("id_lq_base-hint").xpath(".//code")] == ["group = traded | local"]
    assert doc.xpath("//select[@name='frame']/@class") == ["govuk-select"]
    assert doc.get_element_by_id("id_year-hint") is not None  # each field keeps its own hint
    assert "region" not in doc.get_element_by_id("id_year-hint").text_content()


@pytest.mark.django_db
def test_refused_map_form_has_error_summary_linking_to_the_field(media, users):
    r = _client(users["analyst"], "ru").post("/analysis/map/", {"source": "kz-bns-gva", "frame": "2022", "methodologies": ["cmp"],
                                                               "years": "19x", "stability": "0"})
    doc = lxml.html.fromstring(r.content.decode())
    links = doc.xpath("//div[contains(@class,'govuk-error-summary')]//a/@href")
    assert r.status_code == 200 and links == ["#id_years"]
    assert doc.xpath("//div[contains(@class,'govuk-form-group--error')]//input/@name") == ["years"]
    assert not AnalysisRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_runs_list_names_the_dataset(media, users, lang):
    AnalysisRun.objects.create(kind=AnalysisRun.Kind.MAP, owner=users["analyst"], dataset="kz-bns-gva",
                               status=AnalysisRun.Status.DONE, parameters={})
    doc = lxml.html.fromstring(_client(users["organizer"], lang).get("/analysis/").content.decode())
    cell = doc.xpath("//table[@id='runs']//tbody/tr/td[3]")[0].text_content().strip()
    assert "kz-bns-gva" not in cell and {"ru": "Казахстан", "kk": "Қазақстан"}[lang] in cell
    assert doc.xpath("//table[@id='runs']/@class") == ["govuk-table data"]
