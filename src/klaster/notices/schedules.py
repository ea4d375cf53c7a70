"""Schedules of the worker (django-q2 ``Schedule`` rows, created idempotently after ``migrate`` and
by ``klaster worker``) and the scheduled jobs themselves.

===================================  ===============  ===============================================
schedule                             when             what
===================================  ===============  ===============================================
``klaster: send e-mail outbox``      every minute     :func:`klaster.notices.delivery.send_due`
``klaster: escalate deadlines``      daily, 06:00     :func:`klaster.competition.domain.escalation.escalate`
``klaster: deadline reminders``      daily, 06:10     :func:`deadline_reminders` (days ahead: ``KLASTER_REMINDER_DAYS``)
``klaster: quarterly reports``       daily, 06:20     :func:`quarterly_reminders`
===================================  ===============  ===============================================

Times are the site's time zone (Asia/Almaty). Every job is idempotent for a day (notices carry a
key), so a missed or repeated run neither loses nor doubles a notice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from klaster.notices.service import day_text, notify

log = logging.getLogger(__name__)

#: name → (function, schedule type, minutes (for MINUTES), time of day (for DAILY))
SCHEDULES = {
    "klaster: send e-mail outbox": ("klaster.notices.delivery.send_due", "I", 1, None),
    "klaster: escalate deadlines": ("klaster.notices.schedules.escalate", "D", None, (6, 0)),
    "klaster: deadline reminders": ("klaster.notices.schedules.deadline_reminders", "D", None, (6, 10)),
    "klaster: quarterly reports": ("klaster.notices.schedules.quarterly_reminders", "D", None, (6, 20)),
}


def ensure_schedules() -> list[str]:
    """Create (or correct) the schedules of :data:`SCHEDULES`; returns their names. Idempotent."""
    from django_q.models import Schedule

    tz = timezone.get_current_timezone()
    now = timezone.localtime(timezone.now(), tz)
    for name, (func, kind, minutes, at) in SCHEDULES.items():
        defaults = {"func": func, "schedule_type": Schedule.MINUTES if kind == "I" else Schedule.DAILY, "repeats": -1}
        if kind == "I":
            defaults["minutes"] = minutes
        s = Schedule.objects.filter(name=name).first()
        if s is None:
            nxt = now + dt.timedelta(minutes=1)
            if at is not None:
                nxt = now.replace(hour=at[0], minute=at[1], second=0, microsecond=0)
                if nxt <= now:
                    nxt += dt.timedelta(days=1)
            Schedule.objects.create(name=name, next_run=nxt, **defaults)
        elif any(getattr(s, k) != v for k, v in defaults.items()):
            Schedule.objects.filter(pk=s.pk).update(**defaults)
    return list(SCHEDULES)


def ensure_templates() -> int:
    """Create the :class:`NoticeTemplate` of every kind that has none, from the shipped texts
    (an administrator's edits are kept). Returns how many were created."""
    from klaster.notices.kinds import KINDS, shipped
    from klaster.notices.models import NoticeTemplate

    have = set(NoticeTemplate.objects.values_list("kind", flat=True))
    missing = [NoticeTemplate(kind=k, **shipped(k)) for k in KINDS if k not in have]
    NoticeTemplate.objects.bulk_create(missing)
    return len(missing)


def after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` of the notices app: the templates and the schedules."""
    if using != "default":
        return
    ensure_templates()
    ensure_schedules()


# ------------------------------------------------------------------ jobs


def escalate(today: dt.date | None = None) -> str:
    """The daily escalation of missed deadlines (:func:`klaster.competition.domain.escalation.escalate`)."""
    from klaster.competition.domain.escalation import escalate as run

    r = run(today=today)
    return f"{r.overdue} overdue, {r.escalations} escalated, {r.notifications} notice(s)"


def reminder_days(actor: str, spec: str | None = None) -> list[int]:
    """Days ahead of a deadline at which ``actor`` (an actor id of the regulation data) is reminded.

    ``spec`` (default the setting ``KLASTER_REMINDER_DAYS``): ``"7,1"`` for every actor, or
    ``"expert_council=3,1;participant=7,1;*=1"`` per actor (``*``: the others). A malformed part
    is ignored with a warning in the log (the others still apply).
    """
    spec = settings.KLASTER_REMINDER_DAYS if spec is None else spec
    per: dict[str, list[int]] = {}
    for part in (p.strip() for p in spec.split(";") if p.strip()):
        who, _sep, days = part.rpartition("=")
        try:
            values = sorted({int(d) for d in days.split(",") if d.strip()}, reverse=True)
        except ValueError:
            log.warning("KLASTER_REMINDER_DAYS: %r is not a list of whole numbers", part)
            continue
        per[who.strip() or "*"] = [d for d in values if 0 < d <= 366]
    return per.get(actor, per.get("*", []))


def deadline_reminders(today: dt.date | None = None) -> str:
    """Remind the responsible users of each running competition's deadlines that fall due in
    :func:`reminder_days` of their actor (the expert council's scoring, the bodies' conclusions, the
    organizer's checks …). One notice per deadline, recipient and number of days ahead."""
    from klaster.competition.domain.escalation import FINISHED, recipients
    from klaster.competition.domain.services import timeline
    from klaster.competition.domain.services import today as _today
    from klaster.competition.i18n import clause_in
    from klaster.competition.models import Competition

    today = today or _today()
    written = 0
    for c in Competition.objects.exclude(state__in=FINISHED):
        rules = c.rules
        actors = {a.id: a.name for a in rules.actors}
        apps = {a.key: a for a in c.applications.all()}
        for r in timeline(c, today):
            if r.state != "due" or r.due is None:
                continue
            left = (r.due - today).days
            if left not in reminder_days(r.actor):
                continue
            app = apps.get(r.subject)
            step = rules.step(r.step_id).text
            ctx = {"competition": c.title, "day": day_text(r.due), "days": left,
                   "step": lambda lang, step=step: step.get(lang), "actor": lambda lang, a=r.actor: actors[a].get(lang) if a in actors else a,
                   "object": (lambda lang, a=app: _label(a, lang)) if app else ""}
            with transaction.atomic():
                for u in recipients(c, app, r.actor):
                    link = reverse("competition:organizer_competition", args=[c.pk]) if u.groups.filter(name="organizer").exists() else ""
                    if notify(u, "deadline_reminder", key=f"reminder:{c.pk}:{r.step_id}:{r.subject or '-'}:{r.due:%Y%m%d}:{left}",
                              clause=lambda lang, cl=r.clause: clause_in(cl, lang), context=ctx, link=link, obj=app or c):
                        written += 1
    return f"{written} reminder(s)"


def _label(app, lang):
    from django.utils import translation

    from klaster.competition.domain.services import application_label

    with translation.override(lang):
        return application_label(app)


def quarterly_reminders(today: dt.date | None = None) -> str:
    """Quarterly monitoring reports (programmes): remind the cluster's association users
    :func:`reminder_days` (actor ``participant``) before a report's due date, and tell them and the
    organizers when it is overdue (once per report). The due date and its clause are the programme's
    regulation data (``monitoring.report_due_days_after_quarter``)."""
    from klaster.accounts.roles import Role
    from klaster.common.calendar import default_calendar
    from klaster.common.dates import today as _today
    from klaster.engine.programmes import monitoring
    from klaster.programmes.domain import _rules
    from klaster.programmes.models import Programme
    from klaster.programmes.rules import is_programme_association

    today = today or _today()
    cal = default_calendar()
    User = get_user_model()
    applicants = list(User.objects.filter(is_active=True, groups__name=Role.APPLICANT.value).select_related("profile").distinct())
    organizers = list(User.objects.filter(is_active=True, groups__name=Role.ORGANIZER.value).distinct())
    written = 0
    days_ahead = reminder_days("participant")
    for p in Programme.objects.select_related("cluster"):
        doc = _rules(p)
        clause = doc.content["monitoring"].get("clause", "")
        reported = set(p.reports.values_list("year", "quarter"))
        association = [u for u in applicants if is_programme_association(u, p)]
        # the quarter just ended (due soon or overdue) and the one before (overdue)
        for year, quarter in _recent_quarters(today):
            if not p.start_year <= year <= p.end_year or (year, quarter) in reported:
                continue
            due = monitoring.report_due(year, quarter, cal, doc)
            left = (due - today).days
            ctx = {"object": lambda lang, cl=p.cluster: cl.localized_name(lang), "day": day_text(due), "days": left,
                   "step": f"Q{quarter} {year}"}
            link = reverse("programmes:detail", args=[p.cluster.code])
            with transaction.atomic():
                if left in days_ahead:
                    for u in association:
                        written += bool(notify(u, "report_due", key=f"report-due:{p.pk}:{year}Q{quarter}:{left}", clause=clause,
                                               context=ctx, link=link, obj=p))
                elif left < 0:
                    for u in {*association, *organizers}:
                        written += bool(notify(u, "report_overdue", key=f"report-overdue:{p.pk}:{year}Q{quarter}", clause=clause,
                                               context=ctx, link=link, obj=p))
    return f"{written} notice(s)"


def _recent_quarters(today: dt.date) -> list[tuple[int, int]]:
    q = (today.month - 1) // 3 + 1
    out = []
    y = today.year
    for _i in range(2):
        q -= 1
        if q == 0:
            q, y = 4, y - 1
        out.append((y, q))
    return out
