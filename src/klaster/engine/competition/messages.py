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
