"""Refusals, eligibility findings, upload rejections and import row errors in Kazakh and Russian.

The engine (plain Python) gives each message a code and parameters; the Django layer translates
it. Domain refusals keep English ``str()`` (logs, CLI) and are shown in the user's language.
"""

import datetime as dt
import gettext as gettext_module
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from klaster.engine.support import load_instruments
from klaster.engine.support.eligibility import ApplicantFacts, check_eligibility
from klaster.engine.support.messages import MESSAGES, Msg
from klaster.register.interfaces.xlsx import RowError
from klaster.support import domain, uploads
from klaster.support.i18n import ENGINE, engine_text, finding_text
from klaster.web.i18n import compile_messages
from tests.conftest import make_user
from tests.register.world import build_world


def test_every_engine_code_has_a_translatable_text_with_the_same_parameters():
    assert set(MESSAGES) == set(ENGINE)
    for code, english in MESSAGES.items():
        assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"%\((\w+)\)s", str(ENGINE[code]))), code


@pytest.fixture
def world(db):
    compile_messages()
    gettext_module._translations.clear()  # .mo files read before they were compiled in this run
    trans_real._translations = {}
    trans_real._default = None
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return build_world(make_user)


@pytest.mark.parametrize(("lang", "expected"), [
    ("kk", "№{pk} өтінім «тіркелді» мәртебесінде"),
    ("ru", "заявка №{pk} в статусе «зарегистрирована»"),
])
def test_a_refused_step_is_shown_in_the_users_language(world, lang, expected):
    """The organizer tries to decide an application still awaiting its completeness check."""
    client = Client()
    client.force_login(world.users["organizer"])
    client.cookies["django_language"] = lang
    r = client.post(f"/support/{world.app_a.pk}/action/", {"action": "refuse", "note": "x", "version": world.app_a.version}, follow=True)
    html = r.content.decode()
    assert expected.format(pk=world.app_a.pk) in html
    assert "this step needs" not in html  # not the English text
    with pytest.raises(domain.SupportError) as e:
        domain.decide(actor=world.users["organizer"], application=world.app_a, approve=False, on=dt.date(2024, 3, 21), note="x", reason="late")
    assert "this step needs" in str(e.value)  # str() stays English for logs and the CLI
    with translation.override(lang):
        assert "this step needs" not in e.value.text()


def test_refusal_without_reasons_in_kk_and_ru(world):
    err = domain.SupportError("a refusal needs reasons (§5.4: a notice with the grounds)")
    with translation.override("ru"):
        assert err.text().startswith("отказ требует обоснования")
    with translation.override("kk"):
        assert err.text().startswith("бас тарту негіздемені талап етеді")
    assert str(err).startswith("a refusal needs reasons")


def test_eligibility_findings_and_rejections_are_translated(world):
    comp = next(c for c in load_instruments().components() if any(r.type == "priority-oked" for r in c.eligibility))
    f = next(x for x in check_eligibility(comp, ApplicantFacts(oked_codes=("99999",)), on=dt.date(2024, 3, 1)) if x.rule == "priority-oked")
    assert not f.passed and f.message.code in ("priority.none", "priority.none_bad")
    stored = f.as_dict()
    with translation.override("ru"):
        assert "ни один код ОКЭД заявителя" in finding_text(stored)
    with translation.override("kk"):
        assert "ЭҚЖЖ коды" in finding_text(stored)
    with translation.override("en"):
        assert finding_text(stored) == str(f.message)
    with translation.override("en"):
        assert engine_text(Msg("executor.licence_no")) == "licence required by law: missing"

    with pytest.raises(uploads.UploadRejected) as e:
        uploads.check_upload(SimpleUploadedFile("a.pdf", b"not a pdf at all"))
    with translation.override("ru"):
        assert "не является файлом .pdf" in e.value.text() and "файл неизвестного типа" in e.value.text()
    with translation.override("kk"):
        assert "мазмұны .pdf файлы емес" in e.value.text() and "белгісіз түрдегі файл" in e.value.text()
    with pytest.raises(uploads.UploadRejected) as e:  # %PDF followed by an executable
        uploads.check_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4\nMZ" + b"\x00" * 64))
    with translation.override("ru"):
        assert "не открывается как PDF" in e.value.text()
    with translation.override("kk"):
        assert "PDF ретінде ашылмайды" in e.value.text()

    row = RowError("participants", 3, "joined_on", "a date is required")
    with translation.override("ru"):
        assert row.text() == "лист participants, строка 3, столбец joined_on: дата обязательна"
    with translation.override("kk"):
        assert row.text() == "participants парағы, 3-жол, joined_on бағаны: күні міндетті"
    assert str(row) == "participants, row 3, column joined_on: a date is required"
