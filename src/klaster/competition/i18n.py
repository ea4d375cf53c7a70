"""Kazakh and Russian for the engine's messages, states and clauses.

The engine (:mod:`klaster.engine.competition`) is plain Python: its messages are
:class:`~klaster.engine.competition.messages.Msg` objects with a stable ``code`` and parameters.
:data:`ENGINE` gives each code a translatable text (English msgid, ``%(name)s`` placeholders, the
same names as the engine's ``{name}``); the catalogues ``locale/{kk,ru}/LC_MESSAGES/django.po``
hold the Kazakh (terms of seed 001) and Russian texts. Clauses are written the way each language
writes them: ``§13`` → kk ``13-тармақ``, ru ``п. 13``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.engine.competition.messages import Msg, parse, value_in

ENGINE = {
    "competition.not_allowed": _("a competition in state “%(state)s” cannot “%(action)s”"),
    "competition.close_needs_dates": _("closing intake needs today's date and the intake closing date"),
    "competition.intake_open": _("intake is open until %(closes)s inclusive"),
    "application.not_allowed": _("an application in state “%(state)s” cannot “%(action)s”"),
    "application.wrong_stage": _("“%(action)s” belongs to stage %(expected)s, not stage %(stage)s"),
    "application.needs_dates": _("“%(action)s” needs the date and the intake closing date"),
    "application.late": _("intake closed on %(closes)s; a package submitted on %(day)s is not accepted or considered"),
    "application.amend_after_intake": _("a registered application can be amended only before intake closes (%(closes)s)"),
    "application.withdraw_after_intake": _("a registered application can be withdrawn only before intake closes (%(closes)s)"),
    "application.withdraw_needs_notice": _("a withdrawal needs a written notice stating the reasons"),
    "application.return_needs_notice": _("a package is returned with a written notice to the participant"),
    "participants.invalid_bin": _("row %(row)s (%(name)s): BIN %(error)s"),
    "participants.repeated_bin": _("row %(row)s (%(name)s): BIN %(bin)s repeats row %(first)s"),
    "participants.not_legal_entity": _("row %(row)s (%(name)s): %(entity_type)s, %(division)s — not counted as a separate legal entity"),
    "participants.too_few": _("%(count)s unaffiliated legal entities; at least %(required)s are required"),
    "eligibility.below": _("%(count)s < %(value)s: %(text)s"),
    "participants.kind_not_allowed": _("a “%(kind)s” may not take part in stage %(stage)s; allowed: %(allowed)s"),
    "package.missing": _("missing: %(document)s"),
    "package.negative_conclusion": _("%(document)s is negative: «%(text)s»"),
    "expert.experience_unknown": _("years of practical experience in industrial development are not recorded; at least %(required)s are required (%(clause)s)"),
    "expert.experience_short": _("%(years)s years of practical experience; at least %(required)s are required (%(clause)s)"),
    "conflict.applicant": _("the expert's organisation (BIN %(bin)s) is the applicant"),
    "conflict.participant": _("the expert's organisation (BIN %(bin)s) is among the cluster's participants"),
    "conflict.declared": _("declared by the expert"),
    "conflict.declared_text": _("declared by the expert: %(text)s"),
    "score.missing": _("criterion %(criterion)s: no score"),
    "score.not_number": _("criterion %(criterion)s: %(value)s is not a number"),
    "score.outside_scale": _("criterion %(criterion)s: %(value)s is outside the scale %(min)s–%(max)s"),
    "score.off_step": _("criterion %(criterion)s: %(value)s is not a multiple of the step %(step)s"),
    "score.justification_required": _("criterion %(criterion)s: a justification is required"),
    "score.unknown_criterion": _("criterion %(criterion)s: not in the criteria set %(criteria_set)s"),
    "winners.not_admitted": _("%(application)s: not an admitted stage-2 application"),
    "winners.support_required": _("%(application)s: a winner needs the recommended state support measures (%(clause)s)"),
    "announcement.too_late": _("announced on %(announced)s, but intake closing on %(closes)s needs the announcement by %(latest)s (at least %(days)s days before, %(clause)s)"),
    "conflict.affiliate_applicant": _("an organisation affiliated with the expert (BIN %(bin)s) is the applicant"),
    "conflict.affiliate_participant": _("an organisation affiliated with the expert (BIN %(bin)s) is among the cluster's participants"),
    "conflict.interest": _("the expert declared an interest in BIN %(bin)s, which is in the package"),
    "form.not_filled": _("%(document)s: the structure of %(clause)s is not filled in"),
    "form.item_missing": _("%(document)s: item %(item)s “%(title)s” is empty"),
    "form.profile_missing": _("no company profile for participant %(name)s (BIN %(bin)s)"),
    "form.profile_incomplete": _("company profile of %(name)s (BIN %(bin)s) lacks: %(fields)s"),
    "form.profile_extra": _("company profile of %(name)s (BIN %(bin)s): not a participant of the package"),
    "form.cash_flow_no_year": _("quarterly cash flow: the first year is not given"),
    "form.cash_flow_incomplete": _("quarterly cash flow: %(count)s of %(total)s cells are empty (first: %(first)s)"),
    "form.events_no_year": _("roadmap: the first year of the financing by year is not given"),
    "form.events_group_empty": _("roadmap: no event in group %(group)s “%(title)s”"),
    "form.event_incomplete": _("roadmap event %(row)s “%(title)s” lacks: %(fields)s"),
    "form.pages_unknown": _("%(document)s: the number of pages is not known (state it for a file that is not a PDF)"),
    "form.annex_after_end": _("%(document)s: the annexes are said to start at page %(annex_from)s, but the file has %(pages)s pages"),
    "form.pages_outside": _("%(document)s: %(pages)s pages without the annexes; %(min)s–%(max)s are required"),
    "form.not_a4": _("%(document)s: %(count)s page(s) are not %(paper)s (first: page %(page)s)"),
    "field.required": _("%(field)s: a value is required"),
    "field.bad_choice": _("%(field)s: “%(value)s” is not one of: %(options)s"),
    "field.bad_number": _("%(field)s: “%(value)s” is not a number"),
    "field.number_range": _("%(field)s: %(value)s is outside %(min)s…%(max)s"),
    "field.decimals": _("%(field)s: %(value)s has more than %(places)s decimal places"),
    "field.bad_date": _("%(field)s: “%(value)s” is not a date (dd.mm.yyyy)"),
    "field.date_range": _("%(field)s: %(value)s is outside the years %(min)s–%(max)s"),
    "field.too_long": _("%(field)s: longer than %(max)s characters"),
    "field.bad_bin": _("%(field)s: %(value)s is not a valid BIN (%(rule)s)"),
    "field.bad_email": _("%(field)s: “%(value)s” is not an e-mail address"),
    "field.bad_url": _("%(field)s: “%(value)s” is not a web address"),
    "field.bad_phone": _("%(field)s: “%(value)s” is not a phone number"),
    "field.bad_oked": _("%(field)s: “%(value)s” is not an OKED code"),
    "field.unknown_oked": _("%(field)s: OKED %(value)s: %(why)s"),
    "field.end_before_start": _("the end %(end)s is before the start %(start)s"),
    "paper.missing": _("the paper original and copy of the package have not been received"),
    "paper.originals": _("%(count)s paper original(s) received; %(required)s required"),
    "paper.copies": _("%(count)s paper copy(ies) received; %(required)s required"),
    "paper.no_electronic": _("the electronic copy did not come with the paper package"),
    "paper.no_volumes": _("the volumes of the paper package and their sheet counts are not recorded"),
    "paper.list_not_first": _("the list of documents is not bound first (volume 1, sheet 1)"),
    "paper.document_unplaced": _("%(document)s: its volume and sheets are not given in the list of documents"),
    "paper.unknown_volume": _("%(document)s: volume %(volume)s is not among the recorded volumes"),
    "paper.document_outside": _("%(document)s: sheets %(first)s–%(last)s lie outside volume %(volume)s (%(sheets)s sheets)"),
    "publication.missing": _("the announcement is not recorded as published in %(medium)s"),
    "publication.late": _("published in %(medium)s on %(day)s, less than %(days)s calendar days before intake closes on %(closes)s (latest %(latest)s)"),
}

STATES = {
    # competition
    "draft": _("draft"),
    "stage1_intake": _("stage 1: intake open"),
    "stage1_admission": _("stage 1: completeness check"),
    "stage1_review": _("stage 1: review"),
    "stage1_commission": _("stage 1: at the Commission"),
    "stage2_intake": _("stage 2: intake open"),
    "stage2_admission": _("stage 2: completeness check"),
    "stage2_review": _("stage 2: review"),
    "stage2_commission": _("stage 2: at the Commission"),
    "decided": _("decided"),
    "published": _("results published"),
    "failed": _("failed"),
    "rerun_announced": _("re-run announced"),
    # application
    "submitted": _("submitted"),
    "refused_late": _("refused: late (§13)"),
    "withdrawn": _("withdrawn"),
    "admitted": _("admitted"),
    "returned": _("returned"),
    "under_review": _("under review"),
    "passed": _("passed to stage 2"),
    "below_threshold": _("below the minimum score"),
    "winner": _("winner"),
    "not_selected": _("not selected"),
}

ACTIONS = {
    "announce": _("announce"), "close_intake": _("close intake"), "sign_admission_protocol": _("sign the admission protocol"),
    "fail": _("fail"), "sign_review_protocol": _("sign the review protocol"),
    "record_commission_decision": _("record the Commission's decision"), "publish_results": _("publish the results"),
    "announce_rerun": _("announce the re-run"), "submit": _("submit"), "refuse_late": _("refuse as late"), "amend": _("amend"),
    "withdraw": _("withdraw"), "admit": _("admit"), "return_package": _("return the package"), "start_review": _("start the review"),
    "pass_threshold": _("pass the minimum score"), "fail_threshold": _("fall below the minimum score"),
    "declare_winner": _("declare the winner"), "not_selected": _("not select"),
}

DEADLINE_STATES = {"pending": _("pending"), "due": _("due"), "overdue": _("overdue"), "met": _("met"), "late": _("met late"),
                   "open": _("open"), "closed": _("closed")}


BIN_RULES = {
    "format": _("must be exactly 12 digits"),
    "check digit": _("the check digit is wrong"),
    "registration month": _("the registration month (digits 3–4) is not 01–12"),
    "registration date": _("the registration date is in the future"),
    "entity type": _("the 5th digit is not a BIN entity type (4, 5 or 6)"),
    "division": _("the 6th digit is not a division code (0–3)"),
}


def bin_error_text(exc) -> str:
    """An :class:`~klaster.common.bin.InvalidBIN` in the active language."""
    rule = getattr(exc, "rule", "")
    return f"{getattr(exc, 'value', '')!r}: {BIN_RULES[rule]}" if rule in BIN_RULES else str(exc)


def lang() -> str:
    return (get_language() or "ru")[:2]


_CLAUSE = re.compile(r"§\s*(\d+(?:\.\d+)*)")


_CRITERIA = re.compile(r"Criteria\s+(\d+(?:\.\d+)*)")
_APPENDIX = re.compile(r"App\.\s*(\d+)")


def clause_in(clause: str, language: str | None = None) -> str:
    """A clause reference as the language writes it: ``§13`` → kk ``13-тармақ``, ru ``п. 13``, en ``§13``;
    ``Criteria 1.1`` (the Criteria of the Decree) → kk ``Өлшемшарттар, 1.1-тармақ``, ru ``Критерии, п. 1.1``;
    ``App. 3`` → kk ``3-қосымша``, ru ``прил. 3``."""
    language = language or lang()
    if language == "kk":
        clause = _CRITERIA.sub(r"Өлшемшарттар, \1-тармақ", clause)
        clause = _APPENDIX.sub(r"\1-қосымша", clause)
        return _CLAUSE.sub(r"\1-тармақ", clause)
    if language == "ru":
        clause = _CRITERIA.sub(r"Критерии, п. \1", clause)
        clause = _APPENDIX.sub(r"прил. \1", clause)
        return _CLAUSE.sub(r"п. \1", clause)
    return clause


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_in(value, language: str | None = None) -> str:
    """A date as users in Kazakhstan write it: kk and ru ``22.12.2026``, en ``22 Dec 2026``;
    a datetime shows its local time too (``22.12.2026 14:05``). Anything else: ``str(value)``; None: ``""``."""
    if value is None or value == "":
        return ""
    language = language or lang()
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{day_in(value.date(), language)} {value:%H:%M}"
    if not isinstance(value, dt.date):
        return str(value)
    if language == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value:%d.%m.%Y}"


EVENTS = {
    "stage1_intake_closes": _("stage-1 intake closes"),
    "stage2_intake_closes": _("stage-2 intake closes"),
    "intake_closes": _("intake of the stage closes"),
}


def term_text(deadline, language: str | None = None) -> str:
    """The length of a deadline (:class:`~klaster.engine.competition.rules.DeadlineSpec`) in words:
    "5 working days", "60 calendar days", "2 months", "≥ 60 calendar days before stage-1 intake closes",
    "by: stage-2 intake closes"."""
    if deadline is None:
        return ""
    n = deadline.days
    if deadline.type == "within":
        if deadline.unit == "working":
            return str(_("%(n)s working days")) % {"n": n}
        if deadline.unit == "months":
            return str(_("%(n)s months")) % {"n": n}
        return str(_("%(n)s calendar days")) % {"n": n}
    event = str(EVENTS.get(deadline.event, deadline.event))
    if deadline.type == "before":
        return str(_("at least %(n)s calendar days before: %(event)s")) % {"n": n, "event": event}
    return str(_("by the date: %(event)s")) % {"event": event}


def _param(name: str, value, language: str) -> str:
    if name == "rule" and value in BIN_RULES:
        return str(BIN_RULES[value])
    if name == "state" and value in STATES:
        return str(STATES[value])
    if name == "action" and value in ACTIONS:
        return str(ACTIONS[value])
    if name == "clause":
        return clause_in(str(value), language)
    if isinstance(value, dt.date):
        return day_in(value, language)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return day_in(dt.date.fromisoformat(value), language)
    return value_in(value, language)


def engine_text(msg) -> str:
    """An engine message in the active language (any other value: ``str(value)``)."""
    if isinstance(msg, Msg) and msg.code in ENGINE:
        language = lang()
        return str(ENGINE[msg.code]) % {k: _param(k, v, language) for k, v in msg.params.items()}
    return str(msg)


def problem_text(problem) -> str:
    """A package problem (:class:`~klaster.engine.competition.package.Problem`) with its clause."""
    return f"{engine_text(problem.message)} ({clause_in(problem.clause)})"


def transition_text(exc) -> str:
    """A refused transition (:class:`~klaster.engine.competition.states.TransitionError`) with its clause."""
    text = engine_text(getattr(exc, "msg", str(exc)))
    return f"{text} ({clause_in(exc.clause)})" if getattr(exc, "clause", "") else text


_CLAUSE_SUFFIX = re.compile(r"^(.*) \(([^()]*(?:§|Criteria|App\.)[^()]*)\)$", re.S)


def _one(part: str) -> str | None:
    m = _CLAUSE_SUFFIX.match(part)
    msg = parse(m.group(1)) if m else None
    if msg is not None:
        return f"{engine_text(msg)} ({clause_in(m.group(2))})"
    msg = parse(part)
    return engine_text(msg) if msg is not None else None


def stored_text(text: str) -> str:
    """Translate engine messages that were stored as English text (one per line, or ``"; "``-joined,
    each with an optional ``(clause)``); anything else (e.g. a notice written by a person) is
    returned as it is."""
    if not text:
        return text
    lines = []
    for line in text.split("\n"):
        whole = _one(line)
        lines.append(whole if whole is not None else "; ".join(_one(p) or p for p in line.split("; ")))
    return "\n".join(lines)


def state_label(state: str) -> str:
    return str(STATES.get(state, state))


