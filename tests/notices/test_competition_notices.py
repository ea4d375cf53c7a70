"""A whole competition run through the web (tests/competition/test_web_e2e.py: stage 1 to published
results, every role acting on its pages) produces the notices the Decree requires, each in its
recipient's language, naming its clause, in the inbox and in Django's test outbox."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from klaster.competition.models import Application
from klaster.notices.models import Notice
from tests.competition.conftest import fast_user

pytestmark = pytest.mark.django_db
LANGUAGE = {"app0": "kk", "app1": "en"}  # the others keep the default, Russian


def _user(username, *roles, **profile):
    from klaster.notices import service

    u = fast_user(username, *roles, **profile)
    u.email = f"{username}@example.kz"
    u.save(update_fields=["email"])
    if username in LANGUAGE:
        service.set_language(actor=u, language=LANGUAGE[username])
    return u


@pytest.fixture
def whole_competition(monkeypatch, settings, django_capture_on_commit_callbacks):
    from tests.competition.test_web_e2e import test_whole_competition_through_the_web

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        test_whole_competition_through_the_web(monkeypatch, _user)


def kinds_of(username):
    return [n.kind for n in Notice.objects.filter(recipient__username=username).order_by("id")]


def test_every_notice_of_a_whole_competition_in_the_recipients_language(whole_competition):
    a0 = Application.objects.get(applicant__username="app0", stage=1)
    # the stage-1 winner (Kazakh): registered (twice: submitted, amended and submitted again), admitted,
    # the conclusions issued, the Commission's decision, then stage 2 and the results
    k0 = kinds_of("app0")
    for kind in ("application_registered", "application_admitted", "conclusion_issued", "commission_decision", "results_published"):
        assert kind in k0, (kind, k0)
    kk = Notice.objects.filter(recipient__username="app0")
    assert {n.language for n in kk} == {"kk"}
    reg = kk.filter(kind="application_registered").first()
    assert reg.subject.startswith("Өтінім тіркелді") and "13-тармақ" in reg.body and reg.clause == "§6, §7, §13"
    decision = kk.get(kind="commission_decision", object_id=str(a0.pk))
    assert "ең төменгі балдан өтті" in decision.body and decision.clause == "§24"
    published = kk.get(kind="results_published")
    assert "40-тармақ" in published.body and published.clause == "§40"
    # the stage-1 loser (English): below the minimum score
    en = Notice.objects.get(recipient__username="app1", kind="commission_decision")
    assert en.language == "en" and "below the minimum score" in en.body and "§24" in en.body
    # returned for a missing concept with the written reasons (§16), in Russian
    ret = Notice.objects.get(recipient__username="app2", kind="application_returned")
    assert ret.language == "ru" and ret.clause == "§16" and "п. 16" in ret.body and "§6.2" in ret.body and "Причины" in ret.body
    # requests for conclusions to the akimat and the bodies (§6, §17), the experts' assignments (§19)
    assert "conclusion_requested" in kinds_of("akim") and "conclusion_requested" in kinds_of("auth") and "conclusion_requested" in kinds_of("reg")
    assert all("expert_assigned" in kinds_of(f"exp{i}") for i in range(3))
    assert "conclusion_issued" in kinds_of("org")
    # every notice went out by e-mail, once, to its recipient's address, in its language
    notices = list(Notice.objects.all())
    assert len(mail.outbox) == len(notices) and all(n.email_state == "sent" for n in notices)
    by_subject = {(m.to[0], m.subject) for m in mail.outbox}
    assert all((n.email_to, n.subject) in by_subject for n in notices)
    # and they are in the recipients' inboxes
    c = Client()
    c.force_login(a0.applicant)
    page = c.get("/notices/").content.decode()
    assert published.subject in page and f'data-unread="{kk.count()}"' in page
