"""Escalation of missed deadlines through a notification outbox.

:func:`escalate` finds every overdue deadline of the running competitions with the engine's
deadline computation (:func:`klaster.competition.domain.services.timeline`, i.e.
:func:`klaster.engine.competition.deadlines.timeline` on the working-day calendar), records an
:class:`~klaster.competition.models.Escalation` (at most one per deadline per day) and writes one
:class:`~klaster.competition.models.Notification` per recipient into the outbox: the users of the
responsible actor (by the actor's role in the regulation data; an akimat only for its own region,
an applicant only for its own application, experts only those assigned) and the organizers.
:func:`send_outbox` then sends what is waiting: it appears in the recipient's in-app inbox
(``/competition/notifications/``) and, when e-mail is enabled, goes out through Django's e-mail
backend. Every escalation, sending and reading is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from klaster.accounts.roles import Role
from klaster.common import audit
from klaster.competition.models import Application, Competition, Escalation, ExpertAssignment, Notification

#: Competition states whose deadlines no longer run.
FINISHED = ("draft", "published", "rerun_announced")


@dataclass
class EscalationReport:
    overdue: int = 0
    escalations: int = 0
    notifications: int = 0
    sent: int = 0
    emailed: int = 0
    email_errors: int = 0


def recipients(competition: Competition, application: Application | None, actor_id: str) -> list:
    """Users to notify about a missed deadline of ``actor_id``: the actor's users and the organizers."""
    User = get_user_model()
    rules = competition.rules
    role = next((a.role for a in rules.actors if a.id == actor_id), None)
    users: dict[int, object] = {}
    active = User.objects.filter(is_active=True)
    if role == Role.APPLICANT.value:
        if application is not None:
            users[application.applicant_id] = application.applicant
    elif role == Role.EXPERT.value:
        qs = ExpertAssignment.objects.filter(application__competition=competition).select_related("expert")
        if application is not None:
            qs = qs.filter(application=application)
        users |= {a.expert_id: a.expert for a in qs if not a.conflicted}
    elif role == Role.AKIMAT.value:
        for u in active.filter(groups__name=role).select_related("profile"):
            kato = getattr(getattr(u, "profile", None), "region_kato", "") or ""
            if application is None or kato[:2] == application.region_kato[:2]:
                users[u.pk] = u
    elif role:
        users |= {u.pk: u for u in active.filter(groups__name=role)}
    users |= {u.pk: u for u in active.filter(groups__name=Role.ORGANIZER.value)}
    return list(users.values())


def notification_text(n: Notification, lang: str) -> str:
    """The message of a notification in ``lang`` (step text from the pinned regulation)."""
    from klaster.competition.domain.services import application_label
    from klaster.competition.i18n import clause_in, day_in

    e = n.escalation
    rules = e.competition.rules
    actors = {a.id: a.name.get(lang) for a in rules.actors}
    with translation.override(lang):
        text = _("Overdue since %(due)s: %(step)s (%(clause)s); responsible: %(actor)s; competition: %(competition)s") % {
            "due": day_in(e.due, lang), "step": rules.step(e.step_id).text.get(lang), "clause": clause_in(e.clause, lang),
            "actor": actors.get(e.actor, e.actor), "competition": e.competition.title}
        if e.application_id:
            text += "; " + _("application: %(application)s") % {"application": application_label(e.application)}
    return text


def escalate(*, today: dt.date | None = None, email: bool | None = None) -> EscalationReport:
    """Escalate every overdue deadline on ``today`` (default: today) and send the outbox.

    Idempotent for a day: a deadline already escalated on ``today`` is skipped. ``email`` (default:
    the setting ``KLASTER_NOTIFY_EMAIL``, off) also e-mails recipients that have an address.
    """
    from klaster.competition.domain.services import timeline
    from klaster.competition.domain.services import today as _today

    today = today or _today()
    report = EscalationReport()
    for c in Competition.objects.exclude(state__in=FINISHED):
        apps = {a.key: a for a in c.applications.all()}
        for r in timeline(c, today):
            if r.state != "overdue":
                continue
            report.overdue += 1
            with transaction.atomic():
                esc, created = Escalation.objects.get_or_create(
                    competition=c, step_id=r.step_id, subject=r.subject or "", day=today,
                    defaults=dict(application=apps.get(r.subject), clause=r.clause, actor=r.actor, due=r.due))
                if not created:
                    continue
                report.escalations += 1
                audit.record(actor=None, action="competition.escalate", obj=esc,
                             note=f"{r.clause}: due {r.due:%Y-%m-%d}, overdue on {today:%Y-%m-%d}")
                for u in recipients(c, apps.get(r.subject), r.actor):
                    Notification.objects.create(escalation=esc, recipient=u)
                    report.notifications += 1
    send_outbox(email=email, report=report)
    return report


def send_outbox(*, email: bool | None = None, report: EscalationReport | None = None) -> EscalationReport:
    """Send every notification still in the outbox: in-app (``sent_at``) and, if enabled, by e-mail."""
    report = report or EscalationReport()
    if email is None:
        email = bool(getattr(settings, "KLASTER_NOTIFY_EMAIL", False))
    waiting = Notification.objects.filter(sent_at__isnull=True).select_related("recipient", "escalation__competition",
                                                                               "escalation__application")
    for n in waiting:
        now = timezone.now()
        before = audit.snapshot(n)
        n.sent_at = now
        addr = (n.recipient.email or "").strip()
        if email and addr:
            subject = _("klaster: a deadline of the competition is overdue")
            body = "\n\n".join(notification_text(n, lang) for lang in ("kk", "ru"))
            try:
                send_mail(subject, body, None, [addr])
                n.emailed_at = now
                report.emailed += 1
            except Exception as exc:  # noqa: BLE001 - the in-app message is still delivered; the error is kept
                n.email_error = f"{exc.__class__.__name__}: {exc}"
                report.email_errors += 1
        n.save()
        audit.record(actor=None, action="notification.send", obj=n, before=before)
        report.sent += 1
    return report


def mark_read(*, actor, notification: Notification) -> None:
    """The recipient marks a notification as read (audited)."""
    from klaster.competition.domain.services import DomainError

    if notification.recipient_id != actor.pk:
        raise DomainError(_("this notification is addressed to another user"))
    if notification.read_at:
        return
    before = audit.snapshot(notification)
    notification.read_at = timezone.now()
    notification.save()
    audit.record(actor=actor, action="notification.read", obj=notification, before=before)
