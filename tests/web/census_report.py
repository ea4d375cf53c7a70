"""A report, not a test: what of every page (the census, :mod:`tests.web.census`) still shows
English in kk and ru — untranslated msgids and any text with Latin words (data labels included).

Run: ``KLASTER_CENSUS_PREFIX=/competition/ KLASTER_CENSUS_OUT=/tmp/me.json
.venv/bin/python -m pytest -q -s -p no:cacheprovider tests/web/census_report.py``
(the file is not collected by a plain ``pytest`` run: its name does not start with ``test_``).
Prints, per URL pattern, the URL and the suspicious texts; writes them as JSON to the OUT file.
"""

from __future__ import annotations

import json
import os
import re

from tests.security.test_boundaries import WorldTestCase
from tests.web.census import ROLES, census

#: A text with a run of Latin words, or one lower-case Latin word of 4+ letters (a raw code or label).
LATIN = re.compile(r"\b[A-Za-z]{3,}(?:[ _-]+[A-Za-z]{2,})+\b|\b[a-z]{4,}\b")
#: Names that are names in every language.
NAMES = ("klaster", "GOV.UK", "Cluster Mapping Project", "@example.kz", "JSON", "www.", "sha256")


class CensusReport(WorldTestCase):

    def test_report(self):
        from django.conf import settings

        from tests.security.test_boundaries import client_for
        from tests.web.test_ui_i18n import interface_strings, shown_texts, untranslated

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        prefix = os.environ.get("KLASTER_CENSUS_PREFIX", "")
        langs = os.environ.get("KLASTER_CENSUS_LANGS", "kk,ru").split(",")
        english = {lang: interface_strings(lang) for lang in langs}
        out: dict = {}
        for role in ROLES:
            c = client_for(role)
            for pat, url in census(role):
                if not url.startswith(prefix) or pat in out:
                    continue
                for lang in langs:
                    c.cookies["django_language"] = lang
                    r = c.get(url)
                    if r.status_code != 200:
                        continue
                    page = r.content.decode()
                    msgids = untranslated(page, lang, english[lang])
                    latin = sorted({t[:100] for t in shown_texts(page) if LATIN.search(t) and not any(n in t for n in NAMES)})
                    if msgids or latin:
                        out.setdefault(pat, {"url": url, "role": role})[lang] = {"msgids": msgids, "latin": latin}
        for pat, d in sorted(out.items()):
            print(f"\n## {pat} {d['url']} ({d['role']})")
            for lang in langs:
                if lang in d:
                    print(f"  [{lang}] msgids: {d[lang]['msgids']}")
                    print(f"  [{lang}] latin: {d[lang]['latin'][:40]}")
        if path := os.environ.get("KLASTER_CENSUS_OUT"):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(out, f, ensure_ascii=False, indent=1)
