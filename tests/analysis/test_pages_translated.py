"""The analysis pages this app owns (runs list, map form, I-O multipliers, impact, regionalisation;
the run page has its own tests) in kk and ru show no interface string of any catalogue untranslated
(the rule of tests/web/test_ui_i18n.py, here for these pages with a refused form and a result too)."""

import pytest
from django.test import Client

from klaster.analysis.models import AnalysisRun
from tests.web.test_ui_i18n import interface_strings, untranslated

PAGES = ["/analysis/", "/analysis/map/", "/analysis/io/?table=scotland-2019&type=II", "/analysis/io/?table=uk-2019&type=I",
         "/analysis/io/impact/", "/analysis/io/regionalise/?method=aflq&delta=0,3", "/analysis/io/regionalise/?method=flq&delta=5"]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_untranslated_interface_string(media, users, lang):
    english = interface_strings(lang)
    AnalysisRun.objects.create(kind=AnalysisRun.Kind.MAP, owner=users["analyst"], dataset="us-cmp2016",
                               status=AnalysisRun.Status.FAILED, parameters={})
    c = Client()
    c.force_login(users["analyst"])
    c.cookies["django_language"] = lang
    pages = {url: c.get(url) for url in PAGES}
    pages["impact result"] = c.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "II", "sector_0": "10.1", "amount_0": "-2,5"})
    pages["impact refused"] = c.post("/analysis/io/impact/", {"table": "scotland-2019", "type": "I", "sector_0": "10.1", "amount_0": "1e30"})
    pages["map refused"] = c.post("/analysis/map/", {"source": "upload", "frame": "2022", "methodologies": ["cmp"], "years": "3000"})
    found = {}
    for name, r in pages.items():
        assert r.status_code == 200, name
        if bad := untranslated(r.content.decode(), lang, english):
            found[name] = bad
    assert found == {}
