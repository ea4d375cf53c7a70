"""Dates and numbers as each language writes them (klaster.formats, issue 13).

Before klaster.formats, Django had no Kazakh format module: a long date in kk read
"Маусым 8, 2022" (English word order, capitalised month) and en read "June 8, 2022".
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from klaster.common.dates import day_text

DAY = dt.date(2022, 6, 8)


def render(source: str, lang: str, **context) -> str:
    with translation.override(lang):
        return Template(source).render(Context(context)).strip()


@pytest.mark.parametrize(
    "lang, expected",
    [("kk", "2022 жылғы 8 маусым"), ("ru", "8 июня 2022 г."), ("en", "8 June 2022")],
)
def test_long_date_reads_as_the_language_writes_it(lang, expected):
    assert render("{{ d }}", lang, d=DAY) == expected
    assert render('{{ d|date:"DATE_FORMAT" }}', lang, d=DAY) == expected


def test_kazakh_long_date_has_every_month_in_lower_case_after_the_day():
    with translation.override("kk"):
        for month in range(1, 13):
            text = Template("{{ d }}").render(Context({"d": dt.date(2026, month, 22)}))
            year, word, day, name = text.split(" ")
            assert (year, word, day) == ("2026", "жылғы", "22")
            assert name == name.lower() and name.isalpha(), text


@pytest.mark.parametrize(
    "lang, expected", [("kk", "08.06.2022"), ("ru", "08.06.2022"), ("en", "8 Jun 2022")]
)
def test_short_date_agrees_with_day_text_of_the_documents(lang, expected):
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', lang, d=DAY) == expected
    assert day_text(DAY, lang) == expected


@pytest.mark.parametrize(
    "lang, expected",
    [("kk", "2022 жылғы 8 маусым, 14:05"), ("ru", "8 июня 2022 г., 14:05"), ("en", "8 June 2022, 14:05")],
)
def test_datetime_format(lang, expected):
    assert render('{{ d|date:"DATETIME_FORMAT" }}', lang, d=dt.datetime(2022, 6, 8, 14, 5)) == expected


@pytest.mark.parametrize(
    "lang, expected", [("kk", "17\xa0000,5"), ("ru", "17\xa0000,5"), ("en", "17,000.5")]
)
def test_numbers_use_the_language_separators(lang, expected):
    from django.utils import formats

    with translation.override(lang):
        assert formats.number_format(Decimal("17000.5"), 1, force_grouping=True) == expected
