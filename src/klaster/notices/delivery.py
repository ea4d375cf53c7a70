"""The e-mail outbox: :func:`send_due` sends every notice whose e-mail is waiting and due, through
Django's e-mail backend (settings from ``KLASTER_EMAIL_*``). A failure (the mail server is down,
refuses, times out) keeps the notice waiting with the error, one more attempt and the time of the
next try (backoff: 1, 2, 4 … minutes, at most a day); after ``KLASTER_EMAIL_MAX_ATTEMPTS`` (20)
attempts it is marked failed and shown so to administrators. Nothing is lost: a notice leaves the
outbox only when the backend accepted it. Run by the worker (a schedule each minute, and a task
queued after each commit that wrote a notice).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from klaster.common import audit
from klaster.notices.models import Notice

log = logging.getLogger(__name__)


@dataclass
class Sent:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def max_attempts() -> int:
    """Attempts of an e-mail before it is marked failed (setting ``KLASTER_EMAIL_MAX_ATTEMPTS``,
    default 20)."""
    return int(getattr(settings, "KLASTER_EMAIL_MAX_ATTEMPTS", 20))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: 2^(attempts-1) minutes, ≤ 1 day."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def send_due(*, now: dt.datetime | None = None, limit: int = 200) -> Sent:
    """Send up to ``limit`` waiting e-mails whose next try is due at ``now``; returns the counts.

    Each notice is claimed in its own transaction (``select_for_update(skip_locked=True)`` where the
    database has it), so two workers never send the same message twice.
    """
    now = now or timezone.now()
    out = Sent()
    ids = list(Notice.objects.filter(email_state=Notice.Email.PENDING, next_try_at__lte=now)
               .order_by("next_try_at", "id").values_list("pk", flat=True)[:limit])
    if not ids:
        return out
    connection = get_connection(fail_silently=False)
    for pk in ids:
        with transaction.atomic():
            qs = Notice.objects.filter(pk=pk, email_state=Notice.Email.PENDING)
            from django.db import connection as db

            if db.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            n = qs.first()
            if n is None:
                continue
            message = EmailMessage(n.subject, n.body, None, [n.email_to], connection=connection)
            n.attempts += 1
            try:
                message.send()
            except Exception as exc:  # noqa: BLE001 - any failure of the backend keeps the message waiting
                n.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                if n.attempts >= max_attempts():
                    n.email_state = Notice.Email.FAILED
                    out.given_up += 1
                else:
                    n.next_try_at = now + backoff(n.attempts)
                out.failed += 1
                log.warning("notice %s: e-mail to %s failed (attempt %s): %s", n.pk, n.email_to, n.attempts, n.last_error)
            else:
                n.email_state = Notice.Email.SENT
                n.emailed_at = timezone.now()
                n.next_try_at = None
                out.sent += 1
            n.save(update_fields=["attempts", "last_error", "email_state", "next_try_at", "emailed_at"])
            audit.record(actor=None, action="notice.email", obj=n, changes={"email_state": [Notice.Email.PENDING, n.email_state], "attempts": [n.attempts - 1, n.attempts]},
                         note=n.last_error if n.email_state != Notice.Email.SENT else "")
    return out
