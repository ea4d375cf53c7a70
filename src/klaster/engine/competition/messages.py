"""Messages of the engine: a stable code, parameters, and the English text.

The engine is plain Python and speaks English; an interface translates its messages by code.
Every message the engine gives a user (a refused transition, a package problem, a score-sheet
problem, an expert's conflict…) is a :class:`Msg`: a ``str`` holding the English text (so logs,
tests and the CLI read it as before) that also carries ``code`` and ``params``. The Django app keeps
a translatable text for every code in :data:`MESSAGES` (``klaster.competition.i18n``) with the
same named parameters, and a test checks that the two lists agree.

A parameter may be a :class:`~klaster.engine.competition.rules.Text` (a name from the regulation
data in kk/ru/en) or a tuple of them; it is rendered in the language asked for.
"""

from __future__ import annotations

import re
from typing import Any

from klaster.engine.messages import EngineMessage

from klaster.engine.competition.rules import Text

#: code → English text with ``{name}`` placeholders.
MESSAGES: dict[str, str] = {
    # states.py — transitions of a competition and of an application
    "competition.not_allowed": "a competition in state '{state}' cannot '{action}'",
    "competition.close_needs_dates": "closing intake needs today's date and the intake closing date",
    "competition.intake_open": "intake is open until {closes} inclusive",
    "application.not_allowed": "an application in state '{state}' cannot '{action}'",
    "application.wrong_stage": "'{action}' belongs to stage {expected}, not stage {stage}",
    "application.needs_dates": "'{action}' needs the date and the intake closing date",
    "application.late": "intake closed on {closes}; a package submitted on {day} is not accepted or considered",
    "application.amend_after_intake": "a registered application can be amended only before intake closes ({closes})",
    "application.withdraw_after_intake": "a registered application can be withdrawn only before intake closes ({closes})",
    "application.withdraw_needs_notice": "a withdrawal needs a written notice stating the reasons",
    "application.return_needs_notice": "a package is returned with a written notice to the participant",
    # package.py — participants and completeness
    "participants.invalid_bin": "row {row} ({name}): BIN {error}",
    "participants.repeated_bin": "row {row} ({name}): BIN {bin} repeats row {first}",
    "participants.not_legal_entity": "row {row} ({name}): {entity_type}, {division} — not counted as a separate legal entity",
    "participants.too_few": "{count} unaffiliated legal entities; at least {required} are required",
    "eligibility.below": "{count} < {value}: {text}",
    "participants.kind_not_allowed": "a '{kind}' may not take part in stage {stage}; allowed: {allowed}",
    "package.missing": "missing: {document}",
    "package.negative_conclusion": "{document} is negative: «{text}»",
    # experts.py — §19 and conflicts of interest
    "expert.experience_unknown": "years of practical experience in industrial development are not recorded; "
                                 "at least {required} are required ({clause})",
    "expert.experience_short": "{years} years of practical experience; at least {required} are required ({clause})",
    "conflict.applicant": "the expert's organisation (BIN {bin}) is the applicant",
    "conflict.participant": "the expert's organisation (BIN {bin}) is among the cluster's participants",
    "conflict.declared": "declared by the expert",
    "conflict.declared_text": "declared by the expert: {text}",
    # scoring.py — score sheets and winners
    "score.missing": "criterion {criterion}: no score",
    "score.not_number": "criterion {criterion}: {value} is not a number",
    "score.outside_scale": "criterion {criterion}: {value} is outside the scale {min}–{max}",
    "score.off_step": "criterion {criterion}: {value} is not a multiple of the step {step}",
    "score.justification_required": "criterion {criterion}: a justification is required",
    "score.unknown_criterion": "criterion {criterion}: not in the criteria set {criteria_set}",
    "winners.not_admitted": "{application}: not an admitted stage-2 application",
    "winners.support_required": "{application}: a winner needs the recommended state support measures ({clause})",
    # outcome.py — announcement
    "announcement.too_late": "announced on {announced}, but intake closing on {closes} needs the announcement by {latest} "
                             "(at least {days} days before, {clause})",
    # experts.py — conflicts through affiliates and declared interests, the allocation
    "conflict.affiliate_applicant": "an organisation affiliated with the expert (BIN {bin}) is the applicant",
    "conflict.affiliate_participant": "an organisation affiliated with the expert (BIN {bin}) is among the cluster's participants",
    "conflict.interest": "the expert declared an interest in BIN {bin}, which is in the package",
    # forms.py — the content of the concept, strategy and roadmap (App. 2, 5, 6)
    "form.not_filled": "{document}: the structure of {clause} is not filled in",
    "form.item_missing": "{document}: item {item} “{title}” is empty",
    "form.profile_missing": "no company profile for participant {name} (BIN {bin})",
    "form.profile_incomplete": "company profile of {name} (BIN {bin}) lacks: {fields}",
    "form.profile_extra": "company profile of {name} (BIN {bin}): not a participant of the package",
    "form.cash_flow_no_year": "quarterly cash flow: the first year is not given",
    "form.cash_flow_incomplete": "quarterly cash flow: {count} of {total} cells are empty (first: {first})",
    "form.events_no_year": "roadmap: the first year of the financing by year is not given",
    "form.events_group_empty": "roadmap: no event in group {group} “{title}”",
    "form.event_incomplete": "roadmap event {row} “{title}” lacks: {fields}",
    "form.pages_unknown": "{document}: the number of pages is not known (state it for a file that is not a PDF)",
    "form.annex_after_end": "{document}: the annexes are said to start at page {annex_from}, but the file has {pages} pages",
    "form.pages_outside": "{document}: {pages} pages without the annexes; {min}–{max} are required",
    "form.not_a4": "{document}: {count} page(s) are not {paper} (first: page {page})",
    # forms.py — values typed in a form or read from a spreadsheet
    "field.required": "{field}: a value is required",
    "field.bad_choice": "{field}: “{value}” is not one of: {options}",
    "field.bad_number": "{field}: “{value}” is not a number",
    "field.number_range": "{field}: {value} is outside {min}…{max}",
    "field.decimals": "{field}: {value} has more than {places} decimal places",
    "field.bad_date": "{field}: “{value}” is not a date (dd.mm.yyyy)",
    "field.date_range": "{field}: {value} is outside the years {min}–{max}",
    "field.too_long": "{field}: longer than {max} characters",
    "field.bad_bin": "{field}: {value} is not a valid BIN ({rule})",
    "field.bad_email": "{field}: “{value}” is not an e-mail address",
    "field.bad_url": "{field}: “{value}” is not a web address",
    "field.bad_phone": "{field}: “{value}” is not a phone number",
    "field.bad_oked": "{field}: “{value}” is not an OKED code",
    "field.unknown_oked": "{field}: OKED {value}: {why}",
    "field.end_before_start": "the end {end} is before the start {start}",
    # forms.py — records of §4, §9, §11
    "paper.missing": "the paper original and copy of the package have not been received",
    "paper.originals": "{count} paper original(s) received; {required} required",
    "paper.copies": "{count} paper copy(ies) received; {required} required",
    "paper.no_electronic": "the electronic copy did not come with the paper package",
    "paper.no_volumes": "the volumes of the paper package and their sheet counts are not recorded",
    "paper.list_not_first": "the list of documents is not bound first (volume 1, sheet 1)",
    "paper.document_unplaced": "{document}: its volume and sheets are not given in the list of documents",
    "paper.unknown_volume": "{document}: volume {volume} is not among the recorded volumes",
    "paper.document_outside": "{document}: sheets {first}–{last} lie outside volume {volume} ({sheets} sheets)",
    "publication.missing": "the announcement is not recorded as published in {medium}",
    "publication.late": "published in {medium} on {day}, less than {days} calendar days before intake closes on {closes} (latest {latest})",
}

#: Words the engine puts into messages (e.g. a list of who may take part), in the three languages.
STAGE1_WINNERS = Text(kk="бірінші кезеңнің жеңімпаздары", ru="победители первого этапа", en="stage-1 winners")


def value_in(value: Any, lang: str) -> str:
    """A parameter as text in ``lang``: a :class:`Text` in that language, a tuple joined with commas."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, (tuple, list)):
        return ", ".join(value_in(v, lang) for v in value)
    return str(value)


class Msg(EngineMessage):
    """An engine message: the English text, plus ``code`` and ``params`` for translation."""

    catalogue = MESSAGES
    value_in = staticmethod(value_in)


def render(code: str, params: dict, lang: str = "en") -> str:
    """The English text of ``code`` with ``params`` filled in (parameters rendered in ``lang``).

    Raises
    ------
    KeyError
        Unknown code.
    """
    return Msg.render(code, params, lang)


_PATTERNS: list[tuple[str, re.Pattern]] | None = None


def parse(text: str) -> Msg | None:
    """The :class:`Msg` whose English text is ``text`` (parameters as plain strings), or None.

    Used for engine messages that were stored as text (e.g. an automatic conflict of interest).
    """
    global _PATTERNS
    if _PATTERNS is None:
        pats = []
        for code, tpl in MESSAGES.items():
            parts = re.split(r"\{(\w+)\}", tpl)
            rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
            pats.append((code, re.compile(rx + r"\Z", re.S)))
        _PATTERNS = pats
    for code, rx in _PATTERNS:
        m = rx.match(text)
        if m:
            return Msg(code, **m.groupdict())
    return None

