"""Eligibility of an applicant and qualification of its executor (seed 004, programme §5.1–5.2).

Each check returns :class:`Finding` objects (rule, clause, passed, message) so a page can show
why an application is or is not admissible; :func:`is_eligible` folds them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from klaster.reference.priority import priority_group

from decimal import Decimal

from klaster.common.money import Money

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
        The stage the *applicant* won — read from the competition's records by the caller
        (never typed by the applicant): the cluster's stage when the applicant is the winner.
    declarations : dict of str to bool
        Yes/no conditions of the act the applicant declares (e.g. ``in-industrialisation-map``).
    competition : dict, optional
        Where the stage comes from: ``title`` of the competition, ``decided_on`` (ISO) of the
        Commission's decision, ``cluster_stage`` (the stage the applicant's cluster won),
        ``winner_name`` and ``winner_bin`` (the winning organisation), ``demo`` (invented).
    support_year : int, optional
        The year of support counted from the cluster's stage-2 win (instrument 8).
    """

    oked_codes: tuple[str, ...] = ()
    activity_since: dt.date | None = None
    competition_stage_won: int = 0
    declarations: dict[str, bool] = field(default_factory=dict)
    competition: dict | None = None
    support_year: int | None = None


@dataclass(frozen=True)
class ExecutorFacts:
    """The executor the applicant hired: its kind, years of experience, prior projects, licence."""

    kind: str
    years_experience: int = 0
    prior_projects: int = 0
    licence_required: bool = False
    has_licence: bool = False
    accredited: bool = False
    prior_projects_positive_expertise: int = 0


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
            src = facts.competition or {}
            if facts.competition_stage_won and src:
                msg = Msg("stage.won_in", stage=facts.competition_stage_won, competition=src.get("title") or "—", day=src.get("decided_on") or "—", required=r.stage)
            elif facts.competition_stage_won:
                msg = Msg("stage.won", stage=facts.competition_stage_won, required=r.stage)
            elif src.get("cluster_stage"):
                msg = Msg("stage.not_winner", stage=src["cluster_stage"], competition=src.get("title") or "—", winner=src.get("winner_name") or "—",
                          winner_bin=src.get("winner_bin") or "—", required=r.stage)
            else:
                msg = Msg("stage.none", required=r.stage)
            out.append(Finding(r.type, r.clause, ok, msg))
        elif r.type == "declaration":
            ok = bool(facts.declarations.get(r.id))
            text = {k: v for k, v in r.text.items()} or {"en": r.id}
            out.append(Finding(f"declaration:{r.id}", r.clause, ok, Msg("declaration.yes" if ok else "declaration.no", text=text)))
    calc = component.calculation
    if calc.support_years:
        src = facts.competition or {}
        if facts.support_year is None:
            out.append(Finding("support-years", calc.support_years_clause, False, Msg("support.no_year")))
        else:
            ok = 1 <= facts.support_year <= calc.support_years
            out.append(Finding("support-years", calc.support_years_clause, ok, Msg("support.year", year=facts.support_year, day=src.get("stage2_decided_on") or src.get("decided_on") or "—", years=calc.support_years)))
    return out


@dataclass(frozen=True)
class LeasingFacts:
    """The applicant's leasing project (instrument 1): the leased asset's value, its own cash
    share, the term in years and the OKED codes of the activity (light industry is read from
    them, Programme §5.3, instrument 1)."""

    asset_value: Money
    own_cash: Money
    term_years: int
    oked_codes: tuple[str, ...] = ()


def is_light_industry(component: Component, oked_codes) -> bool:
    """Whether an OKED code of the activity is in the light-industry divisions of the regulation
    data (``light_industry_oked``, prefix rule)."""
    prefixes = component.calculation.leasing.light_industry_oked if component.calculation.leasing else ()
    digits = [str(c).replace(".", "").strip() for c in oked_codes]
    return any(d.startswith(p.replace(".", "")) for d in digits for p in prefixes)


def check_leasing(component: Component, facts: LeasingFacts) -> list[Finding]:
    """The leasing terms of instrument 1 (Programme §5.3, instrument 1): asset value ≥ 150 mln tenge
    (≥ 75 mln for light industry), own cash ≥ 15 % of it, term ≤ 10 years.

    Returns
    -------
    list of Finding
        ``leasing-asset-value``, ``leasing-own-share``, ``leasing-term``, each with its clause.
    """
    lz = component.calculation.leasing
    light = is_light_industry(component, facts.oked_codes)
    asset = facts.asset_value.to("tenge").amount
    own = facts.own_cash.to("tenge").amount
    minimum = lz.min_asset_value["light-industry" if light else "default"].to("tenge").amount
    share = (own / asset) if asset else Decimal(0)
    light_text = {"en": " (light industry)", "ru": " (лёгкая промышленность)", "kk": " (жеңіл өнеркәсіп)"} if light else ""
    pct = lambda d: format((d * 100).quantize(Decimal("0.01")).normalize(), "f")  # noqa: E731
    return [
        Finding("leasing-asset-value", lz.min_asset_value_clause, asset >= minimum, Msg("leasing.asset", asset=format(asset.normalize(), "f"), minimum=format(minimum.normalize(), "f"), light=light_text)),
        Finding("leasing-own-share", lz.min_own_share_clause, asset > 0 and share >= lz.min_own_share,
                Msg("leasing.own_share", own=format(own.normalize(), "f"), share=pct(share), required=pct(lz.min_own_share))),
        Finding("leasing-term", lz.max_term_clause, 0 < facts.term_years <= lz.max_term_years, Msg("leasing.term", years=facts.term_years, max=lz.max_term_years)),
    ]


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
    if variant.min_prior_projects is not None and variant.prior_projects_qualifier == "positive-expertise":
        n = executor.prior_projects_positive_expertise
        out.append(Finding("executor-projects", component.executor_clause, n >= variant.min_prior_projects, Msg("executor.projects_expertise", projects=n, required=variant.min_prior_projects)))
    elif variant.min_prior_projects is not None:
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


def document_checklist(component: Component, provided: set[str] | frozenset[str] = frozenset(), *, executor_kind: str | None = None,
                       cost_kinds=(), executor_licence_required: bool = False) -> list[dict]:
    """The component's document checklist with what is provided.

    An item the act requires only in a case (``required_when``: a reference for a specialised
    organisation, travel documents for travel costs…) is required when its case applies to the
    application (the executor's kind, the kinds of the costs claimed, a licence the law requires).

    Returns
    -------
    list of dict
        ``{"code", "required" (bool; False = only where it applies), "provided" (bool), "clause",
        "when" (the :class:`~klaster.engine.support.rules.RequiredWhen` of a conditional item, or
        None)}`` in the order of the act.
    """
    ctx = {"executor_kind": executor_kind, "cost_kinds": tuple(cost_kinds), "executor_licence_required": executor_licence_required}
    when = {r.code: r for r in component.documents_required_when}
    rows = [{"code": c, "required": True, "provided": c in provided, "clause": component.documents_clause, "when": None} for c in component.documents_required]
    for c in component.documents_conditional:
        rw = when.get(c)
        rows.append({"code": c, "required": bool(rw and rw.applies(**ctx)), "provided": c in provided, "clause": rw.clause if rw else component.documents_clause, "when": rw})
    return rows


def missing_documents(component: Component, provided, **context) -> list[str]:
    """Codes of required documents not provided (the completeness check); ``context`` as in
    :func:`document_checklist` (items required in a case count when the case applies)."""
    return [r["code"] for r in document_checklist(component, set(provided), **context) if r["required"] and not r["provided"]]
