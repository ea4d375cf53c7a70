"""Escalation of missed deadlines through the notices (klaster.notices, the one notification path).

:func:`escalate` finds every overdue deadline of the running competitions with the engine's
deadline computation (:func:`klaster.competition.domain.services.timeline`, i.e.
:func:`klaster.engine.competition.deadlines.timeline` on the working-day calendar), records an
:class:`~klaster.competition.models.Escalation` (at most one per deadline per day) and writes one
notice (kind ``deadline_overdue``, the deadline's clause) per recipient through
:func:`klaster.notices.service.notify`: the users of the responsible actor (by the actor's role in
the regulation data; an akimat only for its own region, an applicant only for its own application,
experts only those assigned) and the organizers. The notice is in the recipient's inbox
(``/notices/``; ``/competition/notifications/`` redirects there) at once and in the e-mail outbox the
worker sends. The worker runs it daily (schedule ``klaster: escalate deadlines``). The former
:class:`~klaster.competition.models.Notification` rows are kept for history; nothing new is
written there. Every escalation is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import translation
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


def _context(esc: Escalation) -> dict:
    """The values of the ``deadline_overdue`` texts (kk/ru/en from the pinned regulation)."""
    from klaster.competition.domain.services import application_label

    rules = esc.competition.rules
    actors = {a.id: a.name for a in rules.actors}
    step = rules.step(esc.step_id).text

    def label(lang):
        with translation.override(lang):
            return application_label(esc.application)

    return {"competition": esc.competition.title, "day": esc.due.strftime("%d.%m.%Y"), "step": lambda lang: step.get(lang),
            "actor": lambda lang: actors[esc.actor].get(lang) if esc.actor in actors else esc.actor,
            "object": label if esc.application_id else ""}


def escalate(*, today: dt.date | None = None, email: bool | None = None) -> EscalationReport:
    """Escalate every overdue deadline on ``today`` (default: today): one notice per recipient.

    Idempotent for a day: a deadline already escalated on ``today`` is skipped. The notices are in
    the inbox at once; e-mail goes through the outbox the worker sends — ``email=True`` also sends
    the outbox now (the command line's ``--email``).
    """
    from klaster.competition.domain.services import timeline
    from klaster.competition.domain.services import today as _today
    from klaster.competition.i18n import clause_in
    from klaster.notices.service import notify

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
                ctx = _context(esc)
                for u in recipients(c, apps.get(r.subject), r.actor):
                    link = reverse("competition:organizer_competition", args=[c.pk]) if u.groups.filter(name=Role.ORGANIZER.value).exists() else ""
                    n = notify(u, "deadline_overdue", key=f"escalation:{esc.pk}", obj=esc, link=link, context=ctx,
                               clause=lambda lang, cl=r.clause: clause_in(cl, lang))
                    if n is not None:
                        report.notifications += 1
                        report.sent += 1
    if email:
        from klaster.notices.delivery import send_due

        out = send_due()
        report.emailed, report.email_errors = out.sent, out.failed
    return report
