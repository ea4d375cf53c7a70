"""Kazakh: «2022 жылғы 8 маусым», 08.06.2022, 17 000,5 (see klaster.formats).

Short dates, input formats and numbers are written as in Russian (:mod:`klaster.formats.ru.formats`);
the long forms put the year first, as Kazakh writes them."""

from klaster.formats.ru.formats import (  # noqa: F401 — Django reads these names from this module
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "Y жылғы j E"
DATETIME_FORMAT = "Y жылғы j E, H:i"
YEAR_MONTH_FORMAT = "Y жылғы F"
