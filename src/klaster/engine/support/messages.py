"""Messages of the support engine: a stable code, parameters, and the English text.

The engine is plain Python and speaks English; the Django app (:mod:`klaster.support.i18n`)
translates each code into Kazakh and Russian. A message is a :class:`Msg` — a ``str`` holding the
English text (logs, tests and the CLI read it as before) that also carries ``code`` and ``params``.

A parameter is a plain value, a dict of texts by language (``{"kk": …, "ru": …, "en": …}``, e.g. a
name from the regulation data) or a list of those (joined with ``"; "``). Parameters stay
JSON-serialisable so a finding can be stored and translated when it is shown.
"""

from __future__ import annotations

from typing import Any

from klaster.engine.messages import EngineMessage

#: code → English text with ``{name}`` placeholders.
MESSAGES: dict[str, str] = {
    # eligibility.py — applicant (programme §5.1)
    "priority.matched": "priority sector: {matches}",
    "priority.none": "no OKED code of the applicant ({codes}) is in the priority-sector list",
    "priority.none_bad": "no OKED code of the applicant ({codes}) is in the priority-sector list (not OKED codes: {bad})",
    "activity.unknown": "the start of activity is not stated; at least {required} year(s) required",
    "activity.years": "{years} full year(s) of activity since {since}; at least {required} required",
    "stage.won": "winner of stage {stage}; stage {required} required",
    "stage.none": "winner of no stage; stage {required} required",
    "stage.won_in": "winner of stage {stage} ({competition}, decision of {day}); stage {required} required",
    "stage.not_winner": "the cluster won stage {stage} ({competition}), but the winner is {winner} (BIN {winner_bin}), not the applicant; stage {required} required",
    "support.year": "support year {year} (from the stage-2 decision of {day}); support is given for {years} years",
    "support.no_year": "the cluster's stage-2 win is not recorded: the support year cannot be counted",
    "leasing.asset": "the leased asset is worth {asset} tenge; at least {minimum} tenge required{light}",
    "leasing.own_share": "own cash {own} tenge = {share}% of the asset; at least {required}% required",
    "leasing.term": "term {years} year(s); at most {max} allowed",
    "declaration.yes": "{text}: declared",
    "declaration.no": "{text}: not declared",
    # eligibility.py — executor (programme §5.2)
    "executor.none_stated": "the act states no executor qualification for this instrument",
    "executor.kind": "executor kind '{kind}' is not one of {kinds}",
    "executor.experience": "{years} year(s) of experience; at least {required} required",
    "executor.projects": "{projects} prior project(s); at least {required} required",
    "executor.projects_expertise": "{projects} prior project(s) with a positive conclusion of the comprehensive extra-departmental expertise; at least {required} required",
    "executor.licence_yes": "licence required by law: present",
    "executor.licence_no": "licence required by law: missing",
    "executor.accredited_yes": "accredited expert organisation or attested expert: yes",
    "executor.accredited_no": "accredited expert organisation or attested expert: no",
    # calculator.py
    "calc.not_computable": "instrument component {component} cannot be computed: {reason}",
    "calc.no_unit": "component {component} caps per {unit}: cost {cost} has no {unit} (unit_id)",
    "calc.no_size": "component {component}: the cap depends on the enterprise size; give enterprise_size as one of {sizes}",
    "calc.no_base": "component {component}: the cap is {share}% of '{base}'; give it in bases",
    "calc.reading": "component {component}: reading {reading} has no option '{option}'; options: {options}",
    "calc.leasing": "component {component} is leasing financing: its terms are checked, no reimbursement is computed",
    "calc.not_leasing": "component {component} is not leasing financing",
    "calc.own_exceeds": "component {component}: the own cash {own} exceeds the asset's value {asset}",
    "calc.no_period": "component {component} reimburses full calendar months: cost {cost} has no period of work",
    "calc.no_support_year": "component {component}: the rate depends on the year of support; the cluster's stage-2 win is not recorded",
}


def value_in(value: Any, lang: str = "en") -> str:
    """A parameter as text in ``lang``: a dict of languages in that language, a list joined."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    if isinstance(value, (list, tuple)):
        return "; ".join(value_in(v, lang) for v in value)
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
