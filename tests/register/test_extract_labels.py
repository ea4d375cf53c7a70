"""The register extract (DOCX/PDF content) names participant types and classifiers in its
language (issue 13: the DOCX read "association; OKED" in English)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from klaster.register.domain import services
from klaster.register.interfaces import documents
from klaster.register.models import Cluster
from tests.register.winners import bin_

pytestmark = pytest.mark.django_db
D = dt.date


def _world():
    c = Cluster.objects.create(code="assoc", name_kk="Қауым кластері", name_ru="Кластер ассоциации", name_en="Association cluster", oked="23",
                               status="included", included_on=D(2015, 1, 1))
    p = services.save_participant(actor=None, bin=bin_(7000), name="Ассоциация «Тест»", kind="association", oked_main="9412", kato="350000000")
    services.join(actor=None, cluster=c, participant=p, joined_on=D(2015, 1, 1))


@pytest.mark.parametrize("lang, words", [("ru", ["ассоциация", "ОКЭД 9412", "КАТО 350000000"]), ("kk", ["қауымдастық", "ЭҚЖЖ 9412", "ӘАОЖ 350000000"])])
def test_the_extract_names_types_and_classifiers_in_its_language(lang, words):
    _world()
    data = documents.register_extract(D(2020, 1, 1), lang, "docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    for w in words:
        assert w in text, text
    assert "association" not in text and "OKED" not in text


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_extract_page_follows_the_page_language(client, lang):
    _world()
    client.cookies["django_language"] = lang
    r = client.get("/register/extract.docx", {"date": "2020-01-01"})
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "association" not in text and "OKED" not in text
