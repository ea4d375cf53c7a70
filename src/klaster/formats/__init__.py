"""Dates and numbers as each of klaster's languages writes them (settings.FORMAT_MODULE_PATH).

Django ships no format module for Kazakh, so a long date in kk came out in English word order
("Маусым 8, 2022"). These modules give, per language:

========  ==========================  ===========  ============  =========
language  DATE_FORMAT                 SHORT_DATE   decimal sep.  thousands
========  ==========================  ===========  ============  =========
kk        2022 жылғы 8 маусым         08.06.2022   ``,``         no-break space
ru        8 июня 2022 г.              08.06.2022   ``,``         no-break space
en        8 June 2022                 8 Jun 2022   ``.``         ``,``
========  ==========================  ===========  ============  =========

The short dates agree with :func:`klaster.common.dates.day_text`, which the PDF and DOCX
documents use. The Kazakh long date needs the month in lower case; Django's kk catalogue gives
the "alt. month" names capitalised (Маусым), so klaster supplies them lower-case in the kk catalogue
of ``klaster.register`` (``msgctxt "alt. month"``), which Django merges over its own.
Source for Russian: ГОСТ Р 7.0.97-2016, п. 5.7 (date of a document: «05.06.2016» or
«5 июня 2016 г.»); Kazakh follows the same official usage (year first, «жылғы», lower-case month).
"""
