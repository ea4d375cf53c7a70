"""The input-output pages in Kazakh and Russian show no English industry name, column header,
tolerance or unit (issue 13); the names come from the translation table shipped with the package
(``klaster/datasets/data/io_sector_names.csv``); exports keep the codes and English names and add
the ru/kk names."""

import io
import re

import lxml.html
import pandas as pd
import pytest
from django.test import Client

from klaster import datasets
from klaster.analysis import labels

CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
TABLES = {"scotland-2019": "io/scotland_2019/sectors.csv", "uk-2019": "io/uk_2019/sectors.csv"}


def _client(user, lang):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def _texts(response) -> str:
    """The text of the page's <main> (option labels included), one text node a line."""
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    main = doc.xpath("//main")[0]
    return "\n".join(" ".join(t.split()) for t in main.xpath(".//text()") if t.strip())


def _english(table: str) -> list[str]:
    d = pd.read_csv(datasets.path(TABLES[table]), dtype=str)
    return [" ".join(n.split()) for n in d["name"]]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_translation_table_covers_the_dataset(table):
    d = pd.read_csv(datasets.path(TABLES[table]), dtype=str)
    want = dict(zip(d["code"].str.strip(), (" ".join(n.split()) for n in d["name"])))
    assert labels.sector_names(table, "en") == want  # same codes, same English names
    for lang in ("ru", "kk"):
        names = labels.sector_names(table, lang)
        assert set(names) == set(want)
        assert all(CYRILLIC.search(n) and not re.search(r"[A-Za-z]{4,}", n) for n in names.values()), lang


def test_groups_cover_the_regionalisation():
    from klaster.analysis.services import regionalise_uk_to_scotland

    table, _ = regionalise_uk_to_scotland("slq", None)
    assert set(labels.sector_names(labels.GROUPS, "ru")) == set(table.index)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("table,typ", [("scotland-2019", "I"), ("scotland-2019", "II"), ("uk-2019", "I")])
def test_multipliers_page_has_no_english_name(media, users, lang, table, typ):
    text = _texts(_client(users["organizer"], lang).get(f"/analysis/io/?table={table}&type={typ}"))
    shown = [n for n in _english(table) if n in text.split("\n")]
    assert shown == []
    for english in ("Output multiplier", "GVA multiplier", "Employment effect", "Published output multiplier", "Sector",
                    "(absolute)", "(relative)", "Leontief inverse", "£m", "Scottish Government", "industries"):
        assert english not in text, english
    assert labels.sector_names(table, lang)[_english_code(table)] in text


def _english_code(table):
    return "01" if table == "scotland-2019" else "A01"


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_impact_page_has_no_english_name(media, users, lang):
    c = _client(users["analyst"], lang)
    text = _texts(c.get("/analysis/io/impact/"))  # the sector selects
    english = _english("scotland-2019")
    assert [n for n in english if f" {n}\n" in text.replace("\n", " \n") + " "] == []
    assert "10.1 " + labels.sector_names("scotland-2019", lang)["10.1"] in text
    r = c.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "I", "sector_0": "10.1", "amount_0": "10,5"})
    text = _texts(r)
    assert "Meat processing" not in text and "output" not in text.split("\n")
    assert labels.sector_names("scotland-2019", lang)["10.1"] in text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_regionalise_page_has_no_english_name(media, users, lang):
    from klaster.analysis.services import regionalise_uk_to_scotland

    text = _texts(_client(users["organizer"], lang).get("/analysis/io/regionalise/?method=flq&delta=0,2"))
    groups = list(regionalise_uk_to_scotland("slq", None)[0].index)
    assert [g for g in groups if g in text] == []
    for english in ("regionalised", "Scotland (own table)", "UK national", "abs. % error"):
        assert english not in text, english
    assert labels.sector_names(labels.GROUPS, lang)[groups[0]] in text
    assert "FLQ δ=0,2" in text  # a number as the language writes it
    assert "nan" not in text.split("\n")  # SLQ and CILQ have no λ*: a dash, not "nan"


@pytest.mark.django_db
def test_export_keeps_codes_and_english_names_and_adds_ru_kk(media, users):
    c = _client(users["analyst"], "ru")
    x = pd.read_csv(io.BytesIO(c.get("/analysis/io/?table=scotland-2019&type=I&format=csv").content), dtype={0: str}, index_col=0,
                    encoding="utf-8-sig")
    assert list(x.columns[:4]) == ["Sector", "Sector (ru)", "Sector (kk)", "Output multiplier"]  # machine format: English headers
    assert x.loc["10.1", "Sector"] == "Meat processing"
    assert x.loc["10.1", "Sector (ru)"] == labels.sector_names("scotland-2019", "ru")["10.1"]
    assert x.loc["10.1", "Sector (kk)"] == labels.sector_names("scotland-2019", "kk")["10.1"]


def test_tolerance_and_validation_items_translated():
    from django.utils import translation

    with translation.override("ru"):
        assert labels.tolerance("1e-06 (absolute)") == "абсолютная разница ≤ 10⁻⁶"
        assert labels.tolerance("2.5e-09 (relative)") == "относительная разница ≤ 2,5·10⁻⁹"
        assert labels.validation_item("Type II Output multiplier") == "Мультипликатор выпуска (тип II)"
        assert labels.validation_item("Type I effect: Compensation of employees") == "Эффект: оплата труда работников (тип I)"
        assert labels.unit("£m") == "млн фунтов стерлингов"
    with translation.override("en"):
        assert labels.tolerance("1e-06 (absolute)") == "absolute difference ≤ 10⁻⁶"
