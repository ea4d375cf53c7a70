"""Kazakh and Russian for the support engine's messages (:mod:`klaster.engine.support.messages`).

The engine is plain Python and gives each message a stable code and parameters; :data:`ENGINE`
holds a translatable text for every code (English msgid with ``%(name)s`` placeholders of the same
names); the catalogues ``locale/{kk,ru}/LC_MESSAGES/django.po`` hold Kazakh and Russian.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from klaster.engine.support.messages import Msg, value_in

ENGINE = {
    "priority.matched": _("priority sector: %(matches)s"),
    "priority.none": _("no OKED code of the applicant (%(codes)s) is in the priority-sector list"),
    "priority.none_bad": _("no OKED code of the applicant (%(codes)s) is in the priority-sector list (not OKED codes: %(bad)s)"),
    "activity.unknown": _("the start of activity is not stated; at least %(required)s year(s) required"),
    "activity.years": _("%(years)s full year(s) of activity since %(since)s; at least %(required)s required"),
    "stage.won": _("winner of stage %(stage)s; stage %(required)s required"),
    "stage.none": _("winner of no stage; stage %(required)s required"),
    "stage.won_in": _("winner of stage %(stage)s (%(competition)s, decision of %(day)s); stage %(required)s required"),
    "stage.not_winner": _("the cluster won stage %(stage)s (%(competition)s), but the winner is %(winner)s (BIN %(winner_bin)s), not the applicant; stage %(required)s required"),
    "support.year": _("support year %(year)s (from the stage-2 decision of %(day)s); support is given for %(years)s years"),
    "support.no_year": _("the cluster's stage-2 win is not recorded: the support year cannot be counted"),
    "leasing.asset": _("the leased asset is worth %(asset)s tenge; at least %(minimum)s tenge required%(light)s"),
    "leasing.own_share": _("own cash %(own)s tenge = %(share)s%% of the asset; at least %(required)s%% required"),
    "leasing.term": _("term %(years)s year(s); at most %(max)s allowed"),
    "declaration.yes": _("%(text)s: declared"),
    "declaration.no": _("%(text)s: not declared"),
    "executor.none_stated": _("the act states no executor qualification for this instrument"),
    "executor.kind": _("executor kind “%(kind)s” is not one of %(kinds)s"),
    "executor.experience": _("%(years)s year(s) of experience; at least %(required)s required"),
    "executor.projects": _("%(projects)s prior project(s); at least %(required)s required"),
    "executor.projects_expertise": _("%(projects)s prior project(s) with a positive conclusion of the comprehensive extra-departmental expertise; at least %(required)s required"),
    "executor.licence_yes": _("licence required by law: present"),
    "executor.licence_no": _("licence required by law: missing"),
    "executor.accredited_yes": _("accredited expert organisation or attested expert: yes"),
    "executor.accredited_no": _("accredited expert organisation or attested expert: no"),
    "calc.not_computable": _("instrument component %(component)s cannot be computed: %(reason)s"),
    "calc.no_unit": _("component %(component)s caps per %(unit)s: cost %(cost)s has no %(unit)s"),
    "calc.no_size": _("component %(component)s: the cap depends on the enterprise size; give it as one of %(sizes)s"),
    "calc.no_base": _("component %(component)s: the cap is %(share)s%% of “%(base)s”; give that value"),
    "calc.reading": _("component %(component)s: reading %(reading)s has no option “%(option)s”; options: %(options)s"),
    "calc.leasing": _("component %(component)s is leasing financing: its terms are checked, no reimbursement is computed"),
    "calc.not_leasing": _("component %(component)s is not leasing financing"),
    "calc.own_exceeds": _("component %(component)s: the own cash %(own)s exceeds the asset's value %(asset)s"),
    "calc.no_period": _("component %(component)s reimburses full calendar months: cost %(cost)s has no period of work"),
    "calc.no_support_year": _("component %(component)s: the rate depends on the year of support; the cluster's stage-2 win is not recorded"),
}


def lang() -> str:
    return (get_language() or "ru")[:2]


def engine_text(msg) -> str:
    """An engine message in the active language (a plain string is returned as it is)."""
    if isinstance(msg, Msg) and msg.code in ENGINE:
        language = lang()
        from klaster.register.i18n import cost_base

        return str(ENGINE[msg.code]) % {k: cost_base(v, language) if k == "base" else value_in(v, language) for k, v in msg.params.items()}
    return str(msg)


def finding_text(finding: dict) -> str:
    """A stored eligibility finding (``Finding.as_dict()``) in the active language; findings
    stored before codes were kept show their English message."""
    code = finding.get("code")
    if code in ENGINE:
        return engine_text(Msg(code, **(finding.get("params") or {})))
    return finding.get("message", "")


DEADLINE_STATUS = {
    "done": pgettext_lazy("deadline", "done"), "open": pgettext_lazy("deadline", "open"),
    "overdue": pgettext_lazy("deadline", "overdue"), "pending": pgettext_lazy("deadline", "pending"),
    "passed-over": _("not recorded (a later step is done)"),
}

EXECUTOR_KINDS = {
    "consultant": _("consultant"), "developer": _("developer of the plan"), "education-or-science": _("educational or scientific organisation"),
    "expert": _("expert"), "expert-organisation": _("expert organisation"), "host-enterprise": _("host enterprise"),
    "specialised-organisation": _("specialised organisation"),
}

COST_KINDS = {
    "services": _("services"), "labour": _("labour"), "travel": _("travel"), "accommodation": _("accommodation"),
    "per-diem": _("per diem"), "other": _("other"),
}

#: The events of an application as the date checks name them ("… is before the decision on …").
EVENTS = {
    "registered": _("the registration"), "completeness": _("the completeness check"), "expertise": _("the expertise"), "decided": _("the decision"),
    "agreement-signed": _("the signing of the agreement"), "paid": _("the payment"), "breached": _("the breach"),
    "refunded": _("the refund"),
}

#: The date of each recorded act, as refusals name it.
DAY_FIELDS = {
    "register": _("Date of registration"), "completeness": _("Date of the completeness check"), "expertise": _("Date of the expertise"), "decide": _("Date of the decision"),
    "agreement": _("Date of the agreement"), "pay": _("Date of the payment"), "breach": _("Date of the breach"),
    "refund": _("Date of the refund"), "cost": _("Date of the cost"),
}


class ClauseText:
    """A clause of the regulation data written the active language's way when shown
    (:func:`klaster.register.i18n.clause_in`); a refusal parameter."""

    def __init__(self, clause: str):
        self.clause = clause

    def __str__(self) -> str:
        from klaster.register.i18n import clause_in

        return clause_in(self.clause) if self.clause else "—"


#: When an item of a document list that the act requires only in a case applies (``required_when``).
WHEN = {
    ("executor_kind", "specialised-organisation"): _("required when the executor is a specialised organisation"),
    ("executor_kind", "education-or-science"): _("required when the executor is an educational or scientific organisation"),
    ("cost_kind", "travel"): _("required when travel costs are claimed"),
    ("cost_kind", "accommodation"): _("required when accommodation costs are claimed"),
    ("executor_licence_required", True): _("required when the law requires a licence for the executor's services"),
}


def when_text(required_when) -> str:
    """The case in which a conditional document is required, in the active language (``""`` when none)."""
    if required_when is None:
        return ""
    parts = []
    for cond, value in required_when.when.items():
        for v in (value if isinstance(value, (list, tuple)) else [value]):
            t = WHEN.get((cond, v))
            if t is not None:
                parts.append(str(t))
    return "; ".join(parts)
