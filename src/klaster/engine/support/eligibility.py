"""Eligibility of an applicant and qualification of its executor (seed 004, programme §5.1–5.2).

Each check returns :class:`Finding` objects (rule, clause, passed, message) so a page can show
why an application is or is not admissible; :func:`is_eligible` folds them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from klaster.reference.priority import priority_group

from .messages import Msg
from .rules import Component, ExecutorVariant


@dataclass(frozen=True)
class ApplicantFacts:
    """What an applicant states about itself.

    Parameters
    ----------
    oked_codes : sequence of str
        OKED codes of the activities the costs relate to (main first), with or without dots.
    activity_since : date, optional
        Since when the applicant carries on that activity (for "at least N years of activity").
    competition_stage_won : int
        0 none; 1 winner of stage 1; 2 winner of stage 2 (of the competitive selection of
        territorial clusters).
    declarations : dict of str to bool
        Yes/no conditions of the act the applicant declares (e.g. ``in-industrialisation-map``).
    """

    oked_codes: tuple[str, ...] = ()
    activity_since: dt.date | None = None
    competition_stage_won: int = 0
    declarations: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ExecutorFacts:
    """The executor the applicant hired: its kind, years of experience, prior projects, licence."""

    kind: str
    years_experience: int = 0
    prior_projects: int = 0
    licence_required: bool = False
    has_licence: bool = False
    accredited: bool = False


@dataclass(frozen=True)
class Finding:
    rule: str
    clause: str
    passed: bool
    message: Msg
    """English text carrying ``code`` and ``params`` (:mod:`klaster.engine.support.messages`)."""

    def as_dict(self) -> dict:
        """JSON-serialisable form (stored with the application; translated by code when shown)."""
        return {"rule": self.rule, "clause": self.clause, "passed": self.passed, "message": str(self.message),
                "code": getattr(self.message, "code", ""), "params": getattr(self.message, "params", {})}


def _full_years(since: dt.date, on: dt.date) -> int:
    return relativedelta(on, since).years if on >= since else -1


def check_eligibility(component: Component, facts: ApplicantFacts, *, on: dt.date, priority_regulation=None) -> list[Finding]:
    """Check the applicant against the component's eligibility rules.

    Parameters
    ----------
    component : Component
    facts : ApplicantFacts
    on : date
        The application date (years of activity are counted up to it).
    priority_regulation : RegulationDocument, optional
        A pinned version of the priority-sector list; default the latest.

    Returns
    -------
    list of Finding
        One per rule, in the order of the regulation data.
    """
    out: list[Finding] = []
    for r in component.eligibility:
        if r.type == "priority-oked":
            matched = []
            bad = []
            for code in facts.oked_codes:
                try:
                    g = priority_group(code, priority_regulation)
                except ValueError:
                    bad.append(code)
                    continue
                if g:
                    name = g["name"]
                    matched.append({lang: f"{code} → {g['matched_code']} ({name.get(lang) or name['en']})" for lang in ("kk", "ru", "en")})
            if matched:
                out.append(Finding(r.type, r.clause, True, Msg("priority.matched", matches=matched)))
            else:
                codes = ", ".join(facts.oked_codes) or "—"
                msg = Msg("priority.none_bad", codes=codes, bad=", ".join(bad)) if bad else Msg("priority.none", codes=codes)
                out.append(Finding(r.type, r.clause, False, msg))
        elif r.type == "min-years-activity":
            if facts.activity_since is None:
                out.append(Finding(r.type, r.clause, False, Msg("activity.unknown", required=r.years)))
            else:
                yrs = _full_years(facts.activity_since, on)
                ok = yrs >= r.years
                out.append(Finding(r.type, r.clause, ok, Msg("activity.years", years=max(yrs, 0), since=facts.activity_since.isoformat(), required=r.years)))
        elif r.type == "competition-stage-won":
            ok = facts.competition_stage_won >= r.stage
            msg = Msg("stage.won", stage=facts.competition_stage_won, required=r.stage) if facts.competition_stage_won else Msg("stage.none", required=r.stage)
            out.append(Finding(r.type, r.clause, ok, msg))
        elif r.type == "declaration":
            ok = bool(facts.declarations.get(r.id))
            text = {k: v for k, v in r.text.items()} or {"en": r.id}
            out.append(Finding(f"declaration:{r.id}", r.clause, ok, Msg("declaration.yes" if ok else "declaration.no", text=text)))
    return out


def check_executor(component: Component, executor: ExecutorFacts) -> list[Finding]:
    """Check the hired executor against the qualification of its kind (programme §5.2).

    An executor of a kind the component does not list fails; a component with no variants
    (the act states none) passes with a note.
    """
    if not component.executor_variants:
        return [Finding("executor", component.executor_clause, True, Msg("executor.none_stated"))]
    variant: ExecutorVariant | None = next((v for v in component.executor_variants if v.kind == executor.kind), None)
    if variant is None:
        kinds = ", ".join(v.kind for v in component.executor_variants)
        return [Finding("executor-kind", component.executor_clause, False, Msg("executor.kind", kind=executor.kind, kinds=kinds))]
    out = []
    if variant.min_years_experience is not None:
        ok = executor.years_experience >= variant.min_years_experience
        out.append(Finding("executor-experience", component.executor_clause, ok, Msg("executor.experience", years=executor.years_experience, required=variant.min_years_experience)))
    if variant.min_prior_projects is not None:
        ok = executor.prior_projects >= variant.min_prior_projects
        out.append(Finding("executor-projects", component.executor_clause, ok, Msg("executor.projects", projects=executor.prior_projects, required=variant.min_prior_projects)))
    if variant.licence_if_required and executor.licence_required:
        out.append(Finding("executor-licence", component.executor_clause, executor.has_licence, Msg("executor.licence_yes" if executor.has_licence else "executor.licence_no")))
    if variant.accredited:
        out.append(Finding("executor-accredited", component.executor_clause, executor.accredited, Msg("executor.accredited_yes" if executor.accredited else "executor.accredited_no")))
    return out


def is_eligible(findings: list[Finding]) -> bool:
    """True when every finding passed."""
    return all(f.passed for f in findings)


def document_checklist(component: Component, provided: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """The component's document checklist with what is provided.

    Returns
    -------
    list of dict
        ``{"code", "required" (bool; False = only where it applies), "provided" (bool), "clause"}``
        in the order of the act.
    """
    rows = [{"code": c, "required": True, "provided": c in provided, "clause": component.documents_clause} for c in component.documents_required]
    rows += [{"code": c, "required": False, "provided": c in provided, "clause": component.documents_clause} for c in component.documents_conditional]
    return rows


def missing_documents(component: Component, provided) -> list[str]:
    """Codes of required documents not provided (the completeness check)."""
    return [c for c in component.documents_required if c not in provided]
