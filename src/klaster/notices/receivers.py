"""Notices driven by the audit trail: a ``post_save`` receiver on
:class:`~klaster.common.models.AuditEntry` maps the action of each new entry to a notice kind and
its recipients and writes the notices through :func:`klaster.notices.service.notify` — in the same
transaction as the act (a rolled-back act leaves no notice), so the domain apps need no edits.

Actions → kinds (the clause: the transition's clause that the entry's note carries, the
instrument's procedure step, or :data:`klaster.notices.kinds.CLAUSES`):

==================================================  =========================  ==========================
action                                              kind                       recipients
==================================================  =========================  ==========================
application.submit                                  application_registered     the applicant
application.return_package                          application_returned       the applicant
application.admit                                   application_admitted       the applicant
conclusion.request                                  conclusion_requested       the body's users who may answer
conclusion.issue                                    conclusion_issued          the applicant, the organizers
expert.assign                                       expert_assigned            the expert
application.pass_threshold / fail_threshold /
declare_winner / not_selected                       commission_decision        the applicant
competition.publish_results                         results_published          the competition's applicants
support.application.register                        support_registered         the applicant
support.completeness.pass / fail,
support.application.expertise                       support_checked            the applicant
support.application.decide                          support_decided            the applicant
support.application.agreement                       support_agreement          the applicant
support.application.pay                             support_paid               the applicant
support.application.breach / refund                 support_refund             the applicant
==================================================  =========================  ==========================
"""

from __future__ import annotations

import datetime as dt
import logging

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from klaster.notices import kinds
from klaster.notices.service import day_text, notify

log = logging.getLogger(__name__)


def _object(entry):
    try:
        model = apps.get_model(entry.object_type)
        return model.objects.filter(pk=entry.object_id).first()
    except (LookupError, ValueError):
        return None


def _organizers():
    from klaster.accounts.roles import Role

    return list(get_user_model().objects.filter(is_active=True, groups__name=Role.ORGANIZER.value).distinct())


# ------------------------------------------------------------------ competition


def _competition_clause(clause: str):
    from klaster.competition.i18n import clause_in

    return lambda lang: clause_in(clause, lang) if lang != "en" else clause


def _app_context(app, **extra) -> dict:
    from klaster.competition.domain.services import application_label, today

    def label(lang):
        from django.utils import translation

        with translation.override(lang):
            return application_label(app)

    return {"object": label, "competition": app.competition.title, "day": day_text(today()), **extra}


def _applicant_link(app) -> str:
    return reverse("competition:application", args=[app.pk])


def _entry_clause(entry, fallback: str) -> str:
    note = (entry.note or "").strip()
    return note if note.startswith("§") and len(note) < 60 else fallback


_APP_KINDS = {
    "application.submit": "application_registered",
    "application.return_package": "application_returned",
    "application.admit": "application_admitted",
    "application.pass_threshold": "commission_decision",
    "application.fail_threshold": "commission_decision",
    "application.declare_winner": "commission_decision",
    "application.not_selected": "commission_decision",
}


def _outcome(action: str):
    texts = {
        "application.pass_threshold": lambda: _("passed the minimum score; admitted to stage 2"),
        "application.fail_threshold": lambda: _("below the minimum score"),
        "application.declare_winner": lambda: _("winner of the competition"),
        "application.not_selected": lambda: _("not selected"),
    }
    return _lang(texts[action])


def _lang(fn):
    def text(lang):
        from django.utils import translation

        with translation.override(lang):
            return str(fn())

    return text


def application_event(entry) -> None:
    """Notice to the applicant of a competition application's act (registered, returned with
    reasons, admitted, Commission decision), with the clause of the transition in the pinned
    rules. ``entry``: ``AuditEntry``."""
    app = _object(entry)
    if app is None:
        return
    kind = _APP_KINDS[entry.action]
    extra = {}
    if kind == "application_returned":
        clause = "§16" if app.stage == 1 else "§32"
        extra["note"] = app.notice or entry.note
    else:
        from klaster.engine.competition.states import APPLICATION_TRANSITIONS

        action = entry.action.split(".", 1)[1]
        data_clause = next((c for (s, a), (_n, c) in APPLICATION_TRANSITIONS.items() if a == action), "")
        clause = _entry_clause(entry, data_clause)
    if kind == "commission_decision":
        extra["outcome"] = _outcome(entry.action)
    notify(app.applicant, kind, key=f"audit:{entry.pk}:{kind}", clause=_competition_clause(clause),
           context=_app_context(app, **extra), link=_applicant_link(app), obj=app, audit_entry=entry)


def conclusion_requested(entry) -> None:
    """Notice of a request for a conclusion (Decree 535 §6, §17, §28.1) to the users of the body
    asked: the akimat of the region, the ministry of the cluster's sector, the regional body."""
    from klaster.accounts.roles import Role

    c = _object(entry)
    if c is None:
        return
    role = {"akimat": Role.AKIMAT, "authorized_body": Role.AUTHORIZED_BODY, "regional_body": Role.REGIONAL_BODY}.get(c.body)
    if role is None:
        return
    users = get_user_model().objects.filter(is_active=True, groups__name=role.value).distinct()
    for u in users:
        if u.has_perm("competition.issue_conclusion", c):
            notify(u, "conclusion_requested", key=f"audit:{entry.pk}:conclusion_requested",
                   clause=_competition_clause(kinds.CLAUSES["conclusion_requested"]),
                   context=_app_context(c.application), link=reverse("competition:conclusion", args=[c.pk]), obj=c, audit_entry=entry)


def conclusion_issued(entry) -> None:
    """Notice to the applicant and the organizers that a body issued its conclusion (positive or
    negative), with its clause."""
    c = _object(entry)
    if c is None:
        return
    app = c.application
    outcome = _lang(lambda: _("positive") if c.positive else _("negative"))
    ctx = _app_context(app, outcome=outcome)
    clause = _competition_clause(kinds.CLAUSES["conclusion_issued"])
    notify(app.applicant, "conclusion_issued", key=f"audit:{entry.pk}:conclusion_issued", clause=clause, context=ctx,
           link=_applicant_link(app), obj=c, audit_entry=entry)
    for u in _organizers():
        notify(u, "conclusion_issued", key=f"audit:{entry.pk}:conclusion_issued", clause=clause, context=ctx,
               link=reverse("competition:organizer_application", args=[app.pk]), obj=c, audit_entry=entry)


def expert_assigned(entry) -> None:
    """Notice to an expert assigned to an application (§19–§20), with the scoring deadline's clause."""
    a = _object(entry)
    if a is None:
        return
    notify(a.expert, "expert_assigned", key=f"audit:{entry.pk}:expert_assigned",
           clause=_competition_clause(kinds.CLAUSES["expert_assigned"]), context=_app_context(a.application),
           link=reverse("competition:expert_assignment", args=[a.pk]), obj=a, audit_entry=entry)


def results_published(entry) -> None:
    """Notice of the published results (§40) to every applicant of the competition."""
    from klaster.competition.domain.services import today

    c = _object(entry)
    if c is None:
        return
    clause = _competition_clause(_entry_clause(entry, kinds.CLAUSES["results_published"]))
    seen = set()
    for app in c.applications.exclude(state="draft").select_related("applicant"):
        if app.applicant_id in seen:
            continue
        seen.add(app.applicant_id)
        notify(app.applicant, "results_published", key=f"audit:{entry.pk}:results_published", clause=clause,
               context={"competition": c.title, "day": day_text(today()), "object": c.title},
               link=reverse("competition:public", args=[c.pk]), obj=c, audit_entry=entry)


# ------------------------------------------------------------------ support


_SUPPORT = {
    # action: (kind, steps whose clause applies, in order of preference)
    "support.application.register": ("support_registered", ("completeness-check", "decision")),
    "support.completeness.pass": ("support_checked", ("completeness-check",)),
    "support.completeness.fail": ("support_checked", ("mismatch-notice", "completeness-check")),
    "support.application.expertise": ("support_checked", ("expertise",)),
    "support.application.decide": ("support_decided", ("decision-notice", "decision")),
    "support.application.agreement": ("support_agreement", ("decision-notice", "decision")),
    "support.application.pay": ("support_paid", ("payment",)),
    "support.application.breach": ("support_refund", ()),
    "support.application.refund": ("support_refund", ()),
}


def _support_outcome(action: str, app):
    texts = {
        "support.completeness.pass": lambda: _("complete; under review"),
        "support.completeness.fail": lambda: _("incomplete; returned for correction"),
        "support.application.expertise": lambda: _("expertise done"),
        "support.application.decide": lambda: _("reimbursement approved") if app.status == "approved" else _("reimbursement refused"),
        "support.application.breach": lambda: _("agreement breached: refund due"),
        "support.application.refund": lambda: _("refunded"),
    }
    return _lang(texts[action]) if action in texts else ""


def support_event(entry) -> None:
    """Notice to the applicant of a reimbursement act (registered, checked, decided, agreement,
    paid, refund), with the clause of the instrument's procedure step (Decree 440)."""
    from klaster.support.domain import _step_clause

    app = _object(entry)
    if app is None:
        return
    kind, steps = _SUPPORT[entry.action]
    clause = ""
    for step in steps:
        clause = _step_clause(app, step)
        if clause:
            break
    clause = clause or kinds.CLAUSES.get(kind, "")
    days = sorted(dt.date.fromisoformat(v) for v in (app.events or {}).values() if isinstance(v, str) and len(v) == 10)
    note = ""
    if entry.action in ("support.completeness.fail", "support.application.breach"):
        note = entry.note or ""
    elif entry.action == "support.application.decide" and app.status == "refused":
        note = app.decision_note or ""
    ctx = {"object": f"#{app.pk}", "day": day_text(days[-1] if days else None),
           "outcome": _support_outcome(entry.action, app), "note": note}
    notify(app.applicant, kind, key=f"audit:{entry.pk}:{kind}", clause=clause, context=ctx,
           link=reverse("support:detail", args=[app.pk]), obj=app, audit_entry=entry)


HANDLERS = {
    **{a: application_event for a in _APP_KINDS},
    "conclusion.request": conclusion_requested,
    "conclusion.issue": conclusion_issued,
    "expert.assign": expert_assigned,
    "competition.publish_results": results_published,
    **{a: support_event for a in _SUPPORT},
}


def on_audit_entry(sender, instance, created, raw=False, **kwargs) -> None:
    """``post_save`` of AuditEntry: write the notices of the entry's action (if any), in the act's
    transaction (a rolled-back act leaves no notice). A notice that cannot be written (a bug, a
    missing object) is logged and does not refuse the act."""
    if not created or raw:
        return
    handler = HANDLERS.get(instance.action)
    if handler is None:
        return
    try:
        with transaction.atomic():  # a savepoint: a failing notice never undoes the act it reports
            handler(instance)
    except Exception:  # noqa: BLE001 - the act stands; the failure is logged for the administrator
        log.exception("notices of audit entry %s (%s) could not be written", instance.pk, instance.action)
