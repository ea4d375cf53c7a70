"""The expert council's work: experts' profiles (sectors, affiliates, declared interests), a suggested
allocation of experts to packages and its bulk assignment, the load and progress of every expert, the
discussion of each application (with the consensus note), requests to the participant to
substantiate information (§16, §32), the blind mode, and the ranked list with every criterion's
scores and the spread between experts, exportable.

Every function takes keyword-only arguments, the acting user first, checks the state on the server,
writes atomically and audits; a refusal is a :class:`~klaster.competition.domain.services.DomainError`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klaster.accounts.roles import Role, has_role
from klaster.common import audit, locking
from klaster.common.dates import Follows
from klaster.competition.models import (
    Application,
    ClarificationRequest,
    Competition,
    DiscussionPost,
    ExpertAssignment,
    ExpertProfile,
    ScoreSheet,
)
from klaster.engine.competition import experts as eng_experts
from klaster.engine.competition import scoring as eng_scoring
from klaster.engine.competition.registry import enforces

REVIEW_STATES = ("admitted", "under_review")


def _svc():
    from klaster.competition.domain import services

    return services


# ------------------------------------------------------------------------------------------------ experts' profiles


def profile_of(user) -> ExpertProfile | None:
    """The expert's profile (sectors, affiliates, declared interests), or ``None`` for a user
    without one or an unsaved user."""
    return ExpertProfile.objects.filter(user=user).first() if getattr(user, "pk", None) else None


def expert_of(user) -> eng_experts.Expert:
    """The engine's view of an expert: experience, employer's BIN, affiliates, interests, sectors."""
    prof = getattr(user, "profile", None)
    ep = profile_of(user)
    return eng_experts.Expert(user.get_username(), getattr(prof, "years_experience", None), getattr(prof, "organisation_bin", "") or "",
                              tuple(ep.affiliate_bins) if ep else (), tuple(ep.interest_bins) if ep else (), tuple(ep.sectors) if ep else ())


def _bins(values, label: str) -> list[str]:
    from klaster.common.bin import InvalidBIN, validate_bin
    from klaster.competition.i18n import bin_error_text

    out = []
    for v in values:
        v = str(v).strip()
        if not v:
            continue
        try:
            out.append(validate_bin(v).bin)
        except InvalidBIN as e:
            raise _svc().DomainError(f"{label}: {bin_error_text(e)}") from None
    return sorted(set(out))


def _sectors(values) -> list[str]:
    from django.core.exceptions import ValidationError

    from klaster.reference.validators import validate_oked

    out = []
    for v in values:
        v = str(v).strip()
        if not v:
            continue
        try:
            out.append(validate_oked(v).code)
        except ValidationError as e:
            raise _svc().DomainError(_("sector: %(error)s") % {"error": " ".join(e.messages)}) from None
    return sorted(set(out))


@transaction.atomic
def save_expert_profile(*, actor, sectors, affiliate_bins, interest_bins, interests_text: str = "", version: int | None = None) -> ExpertProfile:
    """The expert records the sectors it knows (OKED codes of any level), the BINs of organisations
    affiliated with its employer, and its declared interests (BINs, with a description). They decide
    the automatic conflicts and the sector matching of the allocation; audited.

    Raises
    ------
    DomainError
        Not an expert; an unknown OKED code; an invalid BIN; more than 50 entries in a list; changed
        since (:class:`StaleEdit`).
    """
    svc = _svc()
    if not has_role(actor, Role.EXPERT):
        raise svc.DomainError(_("only an expert records an expert's profile"))
    if max(len(list(sectors)), len(list(affiliate_bins)), len(list(interest_bins))) > 50:
        raise svc.DomainError(_("at most %(n)s entries in a list") % {"n": 50})
    p = profile_of(actor) or ExpertProfile(user=actor)
    before = audit.snapshot(p) if p.pk else {}
    p.sectors = _sectors(sectors)
    p.affiliate_bins = _bins(affiliate_bins, _("affiliated organisations"))
    p.interest_bins = _bins(interest_bins, _("declared interests"))
    p.interests_text = (interests_text or "").strip()[:2000]
    svc._stale(lambda: locking.save(p, version) if p.pk else p.save())
    audit.record(actor=actor, action="expert.profile", obj=p, before=before, note="§2.10, §19")
    return p


# ------------------------------------------------------------------------------------------------ allocation


def _stage(competition: Competition) -> int:
    return 2 if competition.state.startswith("stage2") or competition.state in ("decided", "published") else 1


def council():
    """The expert council: active users holding the expert role."""
    return get_user_model().objects.filter(groups__name=Role.EXPERT.value, is_active=True).distinct().select_related("profile").order_by("username")


def _need(a: Application) -> eng_experts.Need:
    from klaster.competition.domain.records import sector_of

    v = a.submitted_version()
    return eng_experts.Need(str(a.pk), sector_of(a), a.organisation_bin, tuple(p.bin for p in v.participants.all()) if v else (),
                            tuple(x.expert.get_username() for x in a.assignments.select_related("expert")))


def current_load() -> dict:
    """``{username: assignments}`` of packages still under review (the expert council's open work)."""
    load = {}
    for u, n in ExpertAssignment.objects.filter(application__state__in=REVIEW_STATES).values_list("expert__username", "application_id"):
        load[u] = load.get(u, 0) + 1
    return load


@dataclass
class Suggestion:
    """The suggested allocation of a stage with the objects it names."""

    allocation: eng_experts.Allocation
    applications: dict
    experts: dict
    per_application: int


def suggest(competition: Competition, *, per_application: int | None = None) -> Suggestion:
    """The suggested allocation for the stage's packages under review (admitted or routed):
    ``per_application`` experts each (default: the quorum), balancing load, matching sectors and
    excluding conflicts and experts without the §19 experience."""
    rules = competition.rules
    stage = _stage(competition)
    apps = {str(a.pk): a for a in competition.applications.filter(stage=stage, state__in=REVIEW_STATES).order_by("id")}
    users = {u.get_username(): u for u in council()}
    per = per_application or rules.scoring.quorum
    alloc = eng_experts.suggest_allocation(rules, [_need(a) for a in apps.values()], [expert_of(u) for u in users.values()],
                                           per_application=per, load=current_load())
    return Suggestion(alloc, apps, users, per)


@enforces("experts.independence")
@transaction.atomic
def bulk_assign(*, actor, competition: Competition, pairs) -> list[ExpertAssignment]:
    """Assign experts to packages in one go (``pairs``: ``(application, expert user)``): each through
    :func:`~klaster.competition.domain.services.assign_expert` (§19 experience, packages under review,
    conflicts recorded). All or nothing: one refusal assigns none.

    Raises
    ------
    DomainError
        An application of another competition or stage; any refusal of a single assignment (named).
    """
    svc = _svc()
    stage = _stage(competition)
    out = []
    for app, expert in pairs:
        if app.competition_id != competition.pk or app.stage != stage:
            raise svc.DomainError(_("no such application in this competition"))
        out.append(svc.assign_expert(actor=actor, application=app, expert=expert))
    audit.record(actor=actor, action="expert.bulk_assign", obj=competition, changes={"assignments": [None, len(out)]}, note=f"stage {stage}")
    return out


@dataclass
class ExpertLoad:
    """One expert's load in a competition's council (§19–§20): the user and profile, applications
    assigned, declarations made, conflicts declared, sheets submitted."""
    user: object
    profile: ExpertProfile | None
    assigned: int
    declared: int
    conflicts: int
    drafts: int
    submitted: int

    @property
    def pending(self) -> int:
        return self.assigned - self.conflicts - self.submitted


def progress(competition: Competition) -> list[ExpertLoad]:
    """Every council member's load and progress in the competition's current stage: assignments,
    declarations made, conflicts, drafts and submitted sheets."""
    stage = _stage(competition)
    rows = []
    asg = list(ExpertAssignment.objects.filter(application__competition=competition, application__stage=stage)
               .select_related("sheet", "expert"))
    for u in council():
        mine = [a for a in asg if a.expert_id == u.pk]
        sheets = [getattr(a, "sheet", None) for a in mine]
        rows.append(ExpertLoad(u, profile_of(u), len(mine), sum(a.declared_at is not None for a in mine), sum(a.conflicted for a in mine),
                               sum(1 for s in sheets if s is not None and s.submitted_at is None and s.scores),
                               sum(1 for s in sheets if s is not None and s.submitted_at is not None)))
    return rows


# ------------------------------------------------------------------------------------------------ blind mode


@transaction.atomic
def set_blind(*, actor, competition: Competition, blind: bool) -> Competition:
    """Switch the blind mode (experts do not see who applied) before the first expert is assigned; audited.

    Raises
    ------
    DomainError
        An expert is assigned already in the competition.
    """
    svc = _svc()
    if ExpertAssignment.objects.filter(application__competition=competition).exists():
        raise svc.DomainError(_("the blind mode is chosen before the first expert is assigned"))
    before = audit.snapshot(competition)
    competition.blind = bool(blind)
    competition.save()
    audit.record(actor=actor, action="competition.blind", obj=competition, before=before)
    return competition


def hidden_from(user, application: Application) -> bool:
    """Whether ``application``'s identity is hidden from ``user`` (an expert, in a blind competition)."""
    from klaster.competition.rules import is_organizer

    return bool(application.competition.blind) and has_role(user, Role.EXPERT) and not is_organizer(user)


def blind_label(application: Application) -> str:
    """How an application is named to experts in the blind mode."""
    return _("Application %(number)s") % {"number": application.registration_number or application.key}


# ------------------------------------------------------------------------------------------------ discussion


def may_read_discussion(user, application: Application) -> bool:
    """The organizer, and an assigned expert who declared no conflict on the application."""
    from klaster.competition.rules import is_organizer

    if is_organizer(user):
        return True
    return application.assignments.filter(expert=user, auto_conflict="", declared_conflict=False, declared_at__isnull=False).exists()


@transaction.atomic
def post(*, actor, application: Application, text: str, kind: str = "comment") -> DiscussionPost:
    """A post in the council's discussion of an application, while its stage is under review; ``kind``
    ``consensus`` (the council's consensus note) is recorded by the organizer.

    Raises
    ------
    DomainError
        Not a member of the discussion; empty text; not under review; a consensus note by an expert.
    """
    from klaster.competition.rules import is_organizer

    svc = _svc()
    if not may_read_discussion(actor, application):
        raise svc.DomainError(_("only the organizer and the application's experts (after their declaration) take part in its discussion"))
    text = (text or "").strip()
    if not text:
        raise svc.DomainError(_("write the text of the post"))
    if kind not in ("comment", "consensus"):
        raise svc.DomainError(_("unknown kind of post"))
    if kind == "consensus" and not is_organizer(actor):
        raise svc.DomainError(_("the consensus note is recorded by the organizer"))
    comp = application.competition
    if comp.state != f"stage{application.stage}_review" or application.state not in REVIEW_STATES:
        raise svc.DomainError(_("the discussion is open while the packages of the stage are under review (§20, §34)"))
    p = DiscussionPost.objects.create(application=application, author=actor, kind=kind, text=text[:10000])
    audit.record(actor=actor, action=f"discussion.{kind}", obj=p)
    return p


# ------------------------------------------------------------------------------------------------ §16 / §32 clarifications


@transaction.atomic
def ask_clarification(*, actor, application: Application, question: str, on: dt.date | None = None, reason: str = "") -> ClarificationRequest:
    """The organizer asks the participant to substantiate information in its package (§16, §32), while
    the package is checked (submitted) or reviewed; on or after its registration.

    Raises
    ------
    DomainError
        Empty question; the package is not registered or is decided; a bad day.
    """
    svc = _svc()
    if not (question or "").strip():
        raise svc.DomainError(_("write the question"))
    if application.state not in ("submitted", "admitted", "under_review"):
        raise svc.DomainError(_("information is asked of a registered package before its decision (§16, §32)"))
    reg = timezone.localdate(application.registered_at) if application.registered_at else None
    on = svc._recorded(on, reason=reason, follows=[Follows(reg, _("the registration of the application"), "§16, §32")])
    r = ClarificationRequest.objects.create(application=application, asked_by=actor, asked_on=on, question=question.strip()[:5000])
    audit.record(actor=actor, action="clarification.ask", obj=r, note="§16" if application.stage == 1 else "§32")
    return r


@transaction.atomic
def answer_clarification(*, actor, request: ClarificationRequest, answer: str) -> ClarificationRequest:
    """The participant answers a request for clarification, once.

    Raises
    ------
    DomainError
        Not the applicant; answered already; empty answer.
    """
    svc = _svc()
    if request.application.applicant_id != actor.pk:
        raise svc.DomainError(_("only the participant answers"))
    if request.answered_at is not None:
        raise svc.DomainError(_("this request was answered already"))
    if not (answer or "").strip():
        raise svc.DomainError(_("write the answer"))
    before = audit.snapshot(request)
    request.answer, request.answered_by, request.answered_at = answer.strip()[:10000], actor, timezone.now()
    request.save()
    audit.record(actor=actor, action="clarification.answer", obj=request, before=before)
    return request


# ------------------------------------------------------------------------------------------------ ranked list with the spread


def ranked_breakdown(competition: Competition, stage: int):
    """``[(ranked entry, application, breakdown or None)]`` of a stage: the engine's ranked list with, per
    application, each expert's total, the spread of the totals, and each criterion's scores, aggregate,
    lowest, highest and spread (:func:`klaster.engine.competition.scoring.breakdown`)."""
    svc = _svc()
    rules = competition.rules
    rows = svc.ranked(competition, stage)
    sheets = [eng_scoring.ScoreSheet(s.assignment.expert.get_username(), s.assignment.application.key, s.scores, s.justifications)
              for s in ScoreSheet.objects.filter(assignment__application__in=[a for _e, a in rows], submitted_at__isnull=False)
              .select_related("assignment__expert", "assignment__application")]
    bd = eng_scoring.breakdown(rules.scoring, rules.criteria, sheets)
    return [(e, a, bd.get(a.key)) for e, a in rows]


def ranked_table(competition: Competition, stage: int, language: str = "en") -> list[list]:
    """The ranked list as rows for an export (machine format: numbers with a point, not localized):
    rank, registration No., participant, cluster, score, experts, quorum met, spread of the totals,
    standard deviation, then per criterion the aggregate and the spread."""
    rules = competition.rules
    crit = [c.id for c in rules.criteria.criteria]
    head = ["rank", "registration_no", "participant", "cluster", "score", "experts", "quorum_met", "total_spread", "total_stdev"]
    head += [x for c in crit for x in (f"criterion_{c}", f"criterion_{c}_spread")]
    rows = [head]
    for e, a, b in ranked_breakdown(competition, stage):
        r = [e.rank, a.registration_number or a.key, a.organisation_name, a.cluster_name, e.score, e.experts, e.quorum_met,
             b.spread if b else None, b.stdev if b else None]
        for c in crit:
            cs = b.criteria.get(c) if b else None
            r += [cs.aggregate if cs else None, cs.spread if cs else None]
        rows.append(r)
    return rows
