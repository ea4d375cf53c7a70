"""Browser test of the notices (Playwright, Debian's Chromium; skipped outside CI when absent): the
competition of tests/browser/test_competition_browser.py (built through the domain services, the
bodies' conclusions overdue), the daily escalation run by the worker's job; the organizer sees the
unread count in the header of every page, reads the notices in Russian in the inbox, marks them read
and the count goes; the e-mails are in Django's test outbox (the live server shares it)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.conftest import browser  # noqa: F401 - the fixture
from tests.browser.test_competition_browser import _competition, _login

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_the_organizer_reads_the_escalations_in_russian_and_marks_them_read(live_server, browser):  # noqa: F811
    from django.contrib.auth import get_user_model

    from klaster.notices import schedules
    from klaster.notices.models import Notice

    _competition()
    get_user_model().objects.filter(username="org_b").update(email="org_b@example.kz")
    mail.outbox.clear()
    schedules.escalate()  # the daily job of the worker
    mine = Notice.objects.filter(recipient__username="org_b", kind="deadline_overdue")
    assert mine.exists() and {n.language for n in mine} == {"ru"}
    unread = Notice.objects.filter(recipient__username="org_b", read_at=None).count()
    assert {tuple(m.to) for m in mail.outbox} == {("org_b@example.kz",)} and len(mail.outbox) == mine.count()
    assert all("Срок пропущен" in m.subject for m in mail.outbox)

    page = browser.new_page()
    base = live_server.url
    _login(page, base, "org_b")
    page.goto(base + "/competition/organizer/")
    badge = page.locator("header .klaster-notices-link .badge")
    assert badge.inner_text().strip() == str(unread)
    page.click("header .klaster-notices-link")
    page.wait_for_url(re.compile(r"/notices/$"))
    row = page.locator(f"tr[data-notice='{mine.first().pk}']")
    assert "Срок пропущен" in row.inner_text() and "ответственный" in row.inner_text()
    page.click("form[action='/notices/read/']:has(input[name=all]) button")
    page.wait_for_load_state()
    assert page.locator("header .klaster-notices-link .badge").count() == 0
    assert not Notice.objects.filter(recipient__username="org_b", read_at=None).exists()
