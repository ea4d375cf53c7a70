"""Password reset by e-mail: the link on the login page, the e-mail with a one-time link in the
user's language, a new password that logs in, the used link refused, a down mail server no 500."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from klaster.accounts.roles import Role
from klaster.common.models import AuditEntry
from tests.notices.conftest import notice_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_password_reset_round_trip_in_russian(web):
    u = notice_user("reset_me", Role.APPLICANT)
    c = Client(HTTP_ACCEPT_LANGUAGE="ru")
    login = c.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in login and "Забыли пароль?" in login
    r = c.post("/accounts/password-reset/", {"email": "reset_me@example.kz"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password-reset/sent/"
    assert "data-reset-sent" in c.get(r["Location"]).content.decode()
    (m,) = mail.outbox
    assert m.to == ["reset_me@example.kz"] and "сброс" in m.subject.lower() and "reset_me" in m.body
    link = re.search(r"http://testserver(/accounts/password-reset/[^/\s]+/[^/\s]+/)", m.body).group(1)
    page = c.get(link, follow=True)
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    r = c.post(set_url, {"new_password1": "a-new-Klaster-pw-7", "new_password2": "a-new-Klaster-pw-7"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password-reset/done/"
    assert "data-reset-complete" in c.get(r["Location"]).content.decode()
    u.refresh_from_db()
    assert u.check_password("a-new-Klaster-pw-7")
    assert AuditEntry.objects.filter(action="accounts.password_reset", object_id=str(u.pk)).exists()
    # the link works once
    again = Client().get(link, follow=True).content.decode()
    assert "data-reset-invalid" in again and "new_password1" not in again


def test_an_unknown_address_gets_the_same_answer_and_no_mail(web):
    notice_user("someone", Role.APPLICANT)
    r = Client().post("/accounts/password-reset/", {"email": "nobody@example.kz"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []
    bad = Client().post("/accounts/password-reset/", {"email": "not an address"})
    assert bad.status_code == 200 and "govuk-error-message" in bad.content.decode()


def test_a_down_mail_server_is_not_an_error_page(web, settings):
    settings.EMAIL_BACKEND = "tests.notices.backends.DownBackend"
    notice_user("reset_down", Role.APPLICANT)
    r = Client().post("/accounts/password-reset/", {"email": "reset_down@example.kz"})
    assert r.status_code == 302 and r["Location"] == "/accounts/password-reset/sent/"
