"""Operations on the register: participants, membership, eligibility, inclusion, rankings.

Functions take keyword-only arguments; every change of state is recorded with
:func:`klaster.common.audit.record`. Recorded days (joining, leaving, submission and decision of
an inclusion application) are checked by :func:`klaster.common.dates.check_recorded_day`: never
in the future, never before the event they follow, and, when earlier than today, recorded with
the reason the audit note keeps. A participant's profile is saved under optimistic locking
(:mod:`klaster.common.locking`): an edit made on a stale page raises
:class:`~klaster.common.locking.StaleEdit` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

from klaster import regulations
from klaster.common import audit, dates, locking
from klaster.common.acts import act_notice
from klaster.common.bin import InvalidBIN, validate_bin
from klaster.common.dates import Follows
from klaster.engine.programmes.ranking import Methodology, sensitivity
from klaster.reference.validators import validate_kato, validate_oked
from klaster.register.i18n import Refusal
from klaster.register.models import (
    Cluster,
    ClusterStatus,
    InclusionApplication,
    Membership,
    Participant,
    ParticipantIndicator,
    ParticipantKind,
    Ranking,
    RankingMethodology,
)

#: The regulation whose thresholds the register's eligibility applies (Criteria 1.1 and App. 2 §3.1
#: of Decree 535). Order 873 (2016, ``competition-criteria-2016``), in force 2016-12-23 – 2022-06-27,
#: names the "critical mass" criterion (its Criteria 1.1) without a number, so no act in the data
#: gives a threshold for later dates; pages show :func:`eligibility_notice` beside the figures.
ELIGIBILITY_DOC = "competition-decree-535"
MAX_ADDITIONAL_OKED = 4  # App. 2 §7: "main activity and up to four additional"
#: The co-financing regulation whose ЦКП algorithm orders application (step 2) and inclusion (step 3).
ALGORITHM_DOC = "cluster-programme-cofinancing"

JOINED = gettext_lazy("joined on")
LEFT = gettext_lazy("left on")
SUBMITTED = gettext_lazy("submitted on")
DECIDED = gettext_lazy("decided on")


class RegisterError(Refusal):
    """An operation on the register was refused; the message says why (``str``: English;
    :meth:`~klaster.register.i18n.Refusal.text`: the active language)."""


#: rules of :class:`klaster.common.bin.InvalidBIN` in the interface languages
BIN_RULES = {
    "format": gettext_lazy("must be exactly 12 digits"),
    "check digit": gettext_lazy("the check digit is wrong"),
    "registration month": gettext_lazy("the registration month (digits 3–4) is not 01–12"),
    "registration date": gettext_lazy("the registration date is in the future"),
    "entity type": gettext_lazy("the 5th digit is not a BIN entity type (4, 5 or 6)"),
    "division": gettext_lazy("the 6th digit is not a division code (0–3)"),
}


# --- participants ------------------------------------------------------------------------------

def clean_participant_fields(*, bin: str, name: str, kind: str, oked_main: str, oked_additional=(), kato: str, today: dt.date | None = None) -> dict:
    """Validate a participant's identifying fields; returns normalised values.

    Raises
    ------
    django.core.exceptions.ValidationError
        With a ``{field: [message]}`` dict: BIN (check digit, structure), type, OKED codes (main
        plus at most four additional, App. 2 §7), KATO.
    """
    errors: dict[str, list[str]] = {}
    out: dict = {"name": (name or "").strip()}
    try:
        out["bin"] = validate_bin(str(bin), today=today).bin
    except InvalidBIN as e:
        rule = BIN_RULES.get(e.rule, str(e))
        errors.setdefault("bin", []).append(ValidationError(gettext_lazy("%(bin)s: %(rule)s"), code="bin", params={"bin": bin, "rule": rule}))
    if not out["name"]:
        errors.setdefault("name", []).append(ValidationError(gettext_lazy("the name is empty"), code="required"))
    if kind not in ParticipantKind.values:
        errors.setdefault("kind", []).append(ValidationError(gettext_lazy("%(kind)s is not one of %(kinds)s"), code="kind", params={"kind": repr(kind), "kinds": ", ".join(ParticipantKind.values)}))
    out["kind"] = kind
    try:
        out["oked_main"] = validate_oked(str(oked_main)).code
    except ValidationError as e:
        errors.setdefault("oked_main", []).extend(e.error_list)
    extra = [c for c in (oked_additional or []) if str(c).strip()]
    if len(extra) > MAX_ADDITIONAL_OKED:
        errors.setdefault("oked_additional", []).append(ValidationError(gettext_lazy("%(count)s additional OKED codes; at most %(max)s (App. 2 §7)"), code="too_many", params={"count": len(extra), "max": MAX_ADDITIONAL_OKED}))
    codes = []
    for c in extra:
        try:
            codes.append(validate_oked(str(c).strip()).code)
        except ValidationError as e:
            errors.setdefault("oked_additional", []).extend(e.error_list)
    out["oked_additional"] = codes
    try:
        out["kato"] = validate_kato(str(kato).strip()).code
    except ValidationError as e:
        errors.setdefault("kato", []).extend(e.error_list)
    if errors:
        raise ValidationError(errors)
    return out


def save_participant(*, actor, bin: str, name: str, kind: str, oked_main: str, oked_additional=(), kato: str, version: int | None = None, **extra) -> Participant:
    """Create or update (by BIN) a participant after validation; audited.

    Parameters
    ----------
    version : int, optional
        The version of the participant the user's page showed (:mod:`klaster.common.locking`);
        None when a program saves (an import, the demo) — then the version read here is checked.

    Raises
    ------
    django.core.exceptions.ValidationError
        A field is not valid (see :func:`clean_participant_fields`).
    klaster.common.locking.StaleEdit
        Someone else saved the participant after the page was loaded.
    """
    clean = clean_participant_fields(bin=bin, name=name, kind=kind, oked_main=oked_main, oked_additional=oked_additional, kato=kato)
    obj = Participant.objects.filter(bin=clean["bin"]).first()
    before = audit.snapshot(obj) if obj else {}
    if obj is None:
        obj = Participant(bin=clean["bin"])
    for k, v in {**clean, **extra}.items():
        setattr(obj, k, v)
    if obj.pk is None:
        obj.save()
    else:
        locking.save(obj, version)
    audit.record(actor=actor, action="register.participant.save", obj=obj, before=before)
    return obj


@transaction.atomic
def add_participant(*, actor, cluster: Cluster, joined_on: dt.date, reason: str = "", note: str = "", today: dt.date | None = None, **fields) -> Membership:
    """Add a participant to ``cluster`` from ``joined_on``: create it (or update the legal entity
    with that BIN) and open its membership; both audited; nothing is written on a refusal.

    Parameters
    ----------
    joined_on : date
        The first day of membership: not in the future; earlier than today only with ``reason``
        (kept in the audit note).
    today : date, optional
        Today (default :func:`klaster.common.dates.today`; tests pass a day).

    Raises
    ------
    django.core.exceptions.ValidationError
        A field is not valid (see :func:`clean_participant_fields`).
    klaster.common.dates.DayRefused
        ``joined_on`` in the future, outside 1992–2100, or earlier than today without a reason.
    RegisterError
        The participant is already a member of the cluster on ``joined_on``.
    """
    dates.check_recorded_day(joined_on, reason=reason, field=JOINED, on=today)
    participant = save_participant(actor=actor, **fields)
    later = Membership.objects.filter(cluster=cluster, participant=participant).filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on)).order_by("joined_on").first()
    if later is not None:  # the history stays a sequence of periods that do not overlap
        raise RegisterError(_("%(participant)s is a member of %(cluster)s from %(day)s; record its leaving first or give a later date"),
                            participant=participant, cluster=cluster, day=later.joined_on)
    return join(actor=actor, cluster=cluster, participant=participant, joined_on=joined_on, note=note,
                audit_note=dates.backdating_note(joined_on, reason, on=today), today=today)


@transaction.atomic
def update_participant(*, actor, participant: Participant, version: int | None = None, **fields) -> Participant:
    """Edit a participant's profile (the BIN stays: it identifies the legal entity); audited.

    Raises
    ------
    django.core.exceptions.ValidationError
        A field is not valid.
    klaster.common.locking.StaleEdit
        The participant was saved by someone else since ``version`` (nothing is written).
    """
    fields["bin"] = participant.bin
    return save_participant(actor=actor, version=version, **fields)


# --- membership ---------------------------------------------------------------------------------

def members_on(cluster: Cluster, day: dt.date):
    """Participants that were members of ``cluster`` on ``day`` (the register as it stood then)."""
    q = Q(memberships__cluster=cluster, memberships__joined_on__lte=day) & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=day))
    return Participant.objects.filter(q).distinct().order_by("name")


def members_of(clusters, day: dt.date) -> dict[int, list[Participant]]:
    """:func:`members_on` for many clusters in one query: cluster id → its members on ``day``
    (ordered by name; a cluster without members maps to ``[]``)."""
    out: dict[int, list[Participant]] = {c.pk: [] for c in clusters}
    seen: set[tuple[int, int]] = set()
    rows = (Membership.objects.filter(cluster__in=list(out), joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .select_related("participant").order_by("participant__name", "participant_id"))
    for m in rows:
        if (m.cluster_id, m.participant_id) not in seen:
            seen.add((m.cluster_id, m.participant_id))
            out[m.cluster_id].append(m.participant)
    return out


def _not_future(day: dt.date, field, today: dt.date | None = None) -> None:
    """A day of the register's history may be any past day (loads of history: the import, the
    demo — the day is a fact the record states), never a day in the future nor outside the
    calendar's years."""
    dates.check_recorded_day(day, field=field, on=today, require_reason=False)


def join(*, actor, cluster: Cluster, participant: Participant, joined_on: dt.date, note: str = "", audit_note: str = "", today: dt.date | None = None,
         recheck: bool = True) -> Membership:
    """Record that ``participant`` joined ``cluster`` on ``joined_on`` (the primitive of
    :func:`add_participant` and the import, which carry the reason of a back-dated record).

    ``recheck``: re-check the cluster's eligibility after the change
    (:func:`klaster.register.domain.procedure.recheck_eligibility`; an import re-checks once, at
    its end).

    Raises
    ------
    klaster.common.dates.DayRefused
        ``joined_on`` in the future or outside 1992–2100.
    RegisterError
        The participant is already a member on that date.
    """
    _not_future(joined_on, JOINED, today)
    if members_on(cluster, joined_on).filter(pk=participant.pk).exists():
        raise RegisterError(_("%(participant)s is already a member of %(cluster)s on %(day)s"), participant=participant, cluster=cluster, day=joined_on)
    m = Membership.objects.create(cluster=cluster, participant=participant, joined_on=joined_on, note=note)
    audit.record(actor=actor, action="register.membership.join", obj=m, note=audit_note)
    if recheck:
        from klaster.register.domain.procedure import recheck_eligibility

        recheck_eligibility(actor=actor, cluster=cluster, cause=f"{participant.name} ({participant.bin}) joined on {joined_on.isoformat()}", today=today,
                            cause_params={"event": "joined", "participant": participant.name, "bin": participant.bin, "day": joined_on.isoformat()})
    return m


@transaction.atomic
def leave(*, actor, membership: Membership, left_on: dt.date, reason: str = "", note: str = "", today: dt.date | None = None,
          recheck: bool = True) -> Membership:
    """Close a membership on ``left_on`` (the participant is no longer a member from that day).

    Parameters
    ----------
    left_on : date
        After the joining day (a period has at least one day); not in the future; earlier than
        today only with ``reason``, which the audit note keeps.
    note : str
        Shown in the membership history (e.g. "moved away").
    recheck : bool
        Re-check the cluster's eligibility after the change (an alert to the organizer and the
        association when a mandatory check fails).

    Raises
    ------
    RegisterError
        The membership is already closed, or ``left_on`` is not after the joining day.
    klaster.common.dates.DayRefused
        ``left_on`` in the future, outside 1992–2100, or earlier than today without a reason.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise RegisterError(_("%(participant)s already left on %(day)s"), participant=membership.participant, day=membership.left_on)
    if left_on <= membership.joined_on:
        raise RegisterError(_("the leaving date %(left)s must be after the joining date %(joined)s"), left=left_on, joined=membership.joined_on)
    dates.check_recorded_day(left_on, reason=reason, field=LEFT, on=today)
    before = audit.snapshot(membership)
    membership.left_on = left_on
    membership.note = note or membership.note
    membership.save()
    audit_note = "; ".join(x for x in (note, dates.backdating_note(left_on, reason, on=today)) if x)
    audit.record(actor=actor, action="register.membership.leave", obj=membership, before=before, note=audit_note)
    if recheck:
        from klaster.register.domain.procedure import recheck_eligibility

        p = membership.participant
        recheck_eligibility(actor=actor, cluster=membership.cluster, cause=f"{p.name} ({p.bin}) left on {left_on.isoformat()}", today=today,
                            cause_params={"event": "left", "participant": p.name, "bin": p.bin, "day": left_on.isoformat()})
    return membership


# --- eligibility (Criteria 1.1, App. 2 §3.1 of Decree 535) -------------------------------------

def count_unaffiliated(participants) -> int:
    """Number of mutually unaffiliated legal entities: each affiliation group counts once, a
    participant without a group counts alone; the cluster association itself is not counted."""
    groups = set()
    n = 0
    for p in participants:
        if p.kind == ParticipantKind.ASSOCIATION:
            continue
        if p.affiliation_group:
            groups.add(p.affiliation_group)
        else:
            n += 1
    return n + len(groups)


def count_specialised(participants) -> int:
    return sum(1 for p in participants if p.specialised and p.kind != ParticipantKind.ASSOCIATION)


def eligibility_act():
    """The regulation document whose thresholds :func:`eligibility` applies (Decree 535)."""
    return regulations.load(ELIGIBILITY_DOC)


def eligibility_notice(day: dt.date | None, lang: str | None = None) -> str | None:
    """The warning a page or document shows beside eligibility computed for ``day`` when Decree
    535 is not in force on that day (:func:`klaster.common.acts.act_notice`); None when it is."""
    return act_notice(eligibility_act(), day, lang)


def eligibility(cluster: Cluster, on: dt.date | None = None, members=None) -> list[dict]:
    """The register's eligibility checks for ``cluster`` on ``on`` (default today).

    Thresholds are read from the regulation ``competition-decree-535`` (``eligibility``):
    at least 10 unaffiliated legal entities (Criteria 1.1) and at least 6 specialised companies
    and organisations (App. 2 §3.1). The Decree was in force from 2015-07-26 to 2016-02-18;
    for other days the figures are computed by it all the same and pages show
    :func:`eligibility_notice`.

    Parameters
    ----------
    members : list of Participant, optional
        The cluster's members on ``on`` when the caller has them (:func:`members_of`, one query
        for a whole list of clusters); default :func:`members_on`.

    Returns
    -------
    list of dict
        ``{"id", "clause", "required", "actual", "passed", "severity", "text"}``.
    """
    on = on or dates.today()
    members = list(members_on(cluster, on) if members is None else members)
    doc = eligibility_act()
    counters = {"min_unaffiliated_legal_entities": count_unaffiliated, "concept_min_specialised_companies": count_specialised}
    out = []
    for rule in doc.content["eligibility"]:
        fn = counters.get(rule["id"])
        if fn is None:
            continue
        actual = fn(members)
        out.append({
            "id": rule["id"], "clause": rule["clause"], "required": rule["value"], "actual": actual,
            "passed": actual >= rule["value"], "severity": rule.get("severity", "error"), "text": rule["text"],
        })
    return out


def is_eligible(findings: list[dict]) -> bool:
    return all(f["passed"] for f in findings if f["severity"] == "error")


# --- inclusion on application --------------------------------------------------------------------

def _algorithm_clause() -> str:
    return regulations.load(ALGORITHM_DOC).content["algorithm"]["clause"]


@transaction.atomic
def submit_inclusion(*, actor, cluster: Cluster, on: dt.date, reason: str = "", today: dt.date | None = None) -> InclusionApplication:
    """The association applies to include its cluster in the register (step 2 of the ЦКП algorithm).

    Parameters
    ----------
    on : date
        The day of submission — today on the web; an earlier day only with ``reason`` (a load
        of history), kept in the audit note.

    Raises
    ------
    RegisterError
        The cluster has no association, is already included, or has an open application.
    klaster.common.dates.DayRefused
        ``on`` in the future or earlier than today without a reason.
    """
    dates.check_recorded_day(on, reason=reason, field=SUBMITTED, on=today)
    if cluster.association is None:
        raise RegisterError(_("%(cluster)s: only a cluster association may apply; record the association first"), cluster=cluster)
    if cluster.status == ClusterStatus.INCLUDED:
        raise RegisterError(_("%(cluster)s is already in the register"), cluster=cluster)
    if cluster.status == ClusterStatus.EXCLUDED:
        raise RegisterError(_("%(cluster)s was excluded from the register on %(day)s; a new application is a new register entry"), cluster=cluster, day=cluster.excluded_on)
    if cluster.applications.filter(status=InclusionApplication.Status.SUBMITTED).exists():
        raise RegisterError(_("%(cluster)s already has an application awaiting the organizer's decision"), cluster=cluster)
    app = InclusionApplication.objects.create(cluster=cluster, submitted_by=actor if getattr(actor, "pk", None) else None, submitted_on=on, eligibility=eligibility(cluster, on))
    before = audit.snapshot(cluster)
    cluster.status = ClusterStatus.APPLIED
    cluster.save()
    audit.record(actor=actor, action="register.inclusion.submit", obj=app, note=dates.backdating_note(on, reason, on=today))
    audit.record(actor=actor, action="register.cluster.status", obj=cluster, before=before)
    return app


@transaction.atomic
def decide_inclusion(*, actor, application: InclusionApplication, approve: bool, on: dt.date, note: str = "", reason: str = "", today: dt.date | None = None) -> InclusionApplication:
    """The organizer includes the cluster (step 3) or refuses, with reasons; audited.

    Parameters
    ----------
    on : date
        The day of the decision — today on the web; not before the submission (steps 2–3 of the
        ЦКП algorithm, regulation ``cluster-programme-cofinancing``); an earlier day than today
        only with ``reason``.
    note : str
        The decision's reasons (required for a refusal).

    Raises
    ------
    RegisterError
        Already decided; approving a cluster that fails a mandatory eligibility check; refusing
        without reasons.
    klaster.common.dates.DayRefused
        ``on`` in the future, before the submission, or earlier than today without a reason.
    """
    application = InclusionApplication.objects.select_for_update().get(pk=application.pk)
    dates.check_recorded_day(on, follows=[Follows(application.submitted_on, gettext_lazy("the submission of the application"), _algorithm_clause())],
                             reason=reason, field=DECIDED, on=today)
    if application.status != InclusionApplication.Status.SUBMITTED:
        raise RegisterError(_("the application was already %(status)s"), status=InclusionApplication.Status(application.status).label)
    cluster = application.cluster
    findings = eligibility(cluster, on)
    if approve and not is_eligible(findings):
        failed = "; ".join(f"{f['clause']}: {f['actual']} < {f['required']}" for f in findings if not f["passed"] and f["severity"] == "error")
        raise RegisterError(_("%(cluster)s does not meet %(failed)s"), cluster=cluster, failed=failed)
    if not approve and not note.strip():
        raise RegisterError(_("a refusal needs written reasons"))
    before_app = audit.snapshot(application)
    before_cluster = audit.snapshot(cluster)
    application.status = InclusionApplication.Status.APPROVED if approve else InclusionApplication.Status.REJECTED
    application.decided_by = actor if getattr(actor, "pk", None) else None
    application.decided_on = on
    application.decision_note = note
    application.eligibility = findings
    application.save()
    cluster.status = ClusterStatus.INCLUDED if approve else ClusterStatus.REJECTED
    if approve:
        cluster.included_on = on
    cluster.save()
    audit.record(actor=actor, action="register.inclusion.decide", obj=application, before=before_app,
                 note="; ".join(x for x in (note, dates.backdating_note(on, reason, on=today)) if x))
    audit.record(actor=actor, action="register.cluster.status", obj=cluster, before=before_cluster, note=note)
    return application


def register_on(day: dt.date):
    """Clusters in the register on ``day``: included on or before it and not excluded by then."""
    return Cluster.objects.filter(included_on__isnull=False, included_on__lte=day).filter(Q(excluded_on__isnull=True) | Q(excluded_on__gt=day)).order_by("code")


# --- ranking --------------------------------------------------------------------------------------

INDICATORS = {
    # code: (label en, unit, benefit)
    "participants": ("participants", "legal entities", True),
    "employees": ("employees", "persons", True),
    "turnover": ("turnover", "thousand tenge", True),
    "export": ("export", "thousand tenge", True),
    "export_share": ("export share of turnover", "%", True),
    "gva": ("gross value added", "thousand tenge", True),
    "rd_spending": ("R&D spending", "thousand tenge", True),
    "rd_staff_pct": ("staff in R&D (employee-weighted)", "%", True),
    "turnover_growth": ("growth of actual turnover against the year before", "%", True),
}


#: labels of :data:`INDICATORS` in the interface languages
INDICATOR_LABELS = {
    "participants": gettext_lazy("unaffiliated participants"),
    "employees": gettext_lazy("employees"),
    "turnover": gettext_lazy("turnover"),
    "export": gettext_lazy("export"),
    "export_share": gettext_lazy("export share of turnover"),
    "gva": gettext_lazy("gross value added"),
    "rd_spending": gettext_lazy("R&D spending"),
    "rd_staff_pct": gettext_lazy("staff in R&D (employee-weighted)"),
    "turnover_growth": gettext_lazy("growth of actual turnover against the year before"),
}


def indicator_table(year: int, clusters=None) -> pd.DataFrame:
    """Cluster × indicator table for ``year`` from the participants' App. 2 §7 indicators.

    Clusters: those given, default the clusters in the register now; members are those on
    31 December of ``year``. Money in thousand tenge; ``rd_staff_pct`` is weighted by employees;
    ``export_share`` = export / turnover × 100; ``turnover_growth`` = the members' turnover of
    ``year`` against ``year`` − 1, % (members reporting both years; 0 when none does).
    """
    day = dt.date(year, 12, 31)
    clusters = list(clusters if clusters is not None else Cluster.objects.filter(status=ClusterStatus.INCLUDED).order_by("code"))
    rows = {}
    demo = False
    for c in clusters:
        members = list(members_on(c, day))
        ind = {i.participant_id: i for i in ParticipantIndicator.objects.filter(participant__in=members, year=year)}
        demo = demo or any(i.is_demo for i in ind.values())
        def s(field):
            return float(sum((getattr(i, field) or Decimal(0)) for i in ind.values()))
        prev = {i.participant_id: i for i in ParticipantIndicator.objects.filter(participant__in=members, year=year - 1)}
        both = [pid for pid in ind if pid in prev and ind[pid].turnover is not None and prev[pid].turnover]
        now_t = sum((ind[pid].turnover for pid in both), Decimal(0))
        before_t = sum((prev[pid].turnover for pid in both), Decimal(0))
        emp = sum((i.employees or 0) for i in ind.values())
        rd_w = sum(float(i.rd_staff_pct or 0) * (i.employees or 0) for i in ind.values())
        turnover = s("turnover")
        rows[c.code] = {
            "participants": float(count_unaffiliated(members)),
            "employees": float(emp),
            "turnover": turnover,
            "export": s("export"),
            "export_share": (s("export") / turnover * 100) if turnover else 0.0,
            "gva": s("gross_value_added"),
            "rd_spending": s("rd_spending"),
            "rd_staff_pct": (rd_w / emp) if emp else 0.0,
            "turnover_growth": float((now_t / before_t - 1) * 100) if before_t else 0.0,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.attrs["demo"] = demo  # computed from indicators invented for the demonstration
    return table


def save_methodology(*, actor, methodology: Methodology, meta: dict | None = None) -> RankingMethodology:
    """Save (or replace by name) a named methodology after validating it; audited.

    ``meta``: what the definition keeps beside the engine's (e.g. ``development_level``, its
    source and weights rule: :func:`klaster.register.domain.ranking.meta`)."""
    methodology.validate()
    definition = {**methodology.to_dict(), **(meta or {})}
    obj, created = RankingMethodology.objects.get_or_create(name=methodology.name, defaults={"definition": definition, "created_by": actor if getattr(actor, "pk", None) else None})
    before = {} if created else audit.snapshot(obj)
    if not created:
        obj.definition = definition
        obj.save()
    audit.record(actor=actor, action="register.methodology.save", obj=obj, before=before)
    return obj


def compute_ranking(*, actor, methodology: RankingMethodology, year: int, clusters=None, data: pd.DataFrame | None = None) -> Ranking:
    """Rank the register's clusters with a saved methodology; stores result and sensitivity; audited.

    ``data`` (cluster code × indicator) overrides the table built from the participants'
    indicators (:func:`indicator_table`), e.g. for sector figures of a source document.
    """
    m = Methodology.from_dict(methodology.definition)
    demo = False
    if data is None:
        data = indicator_table(year, clusters)
        demo = bool(data.attrs.get("demo"))
    result = m.rank(data)
    sens = sensitivity(m, data)
    extra = {k: v for k, v in methodology.definition.items() if k not in ("name", "method", "normalisation", "indicators")}
    r = Ranking.objects.create(
        methodology=methodology, is_demo=demo,
        methodology_snapshot={**m.to_dict(), **extra},
        year=year,
        created_by=actor if getattr(actor, "pk", None) else None,
        data={k: {c: float(v) for c, v in row.items()} for k, row in data.to_dict(orient="index").items()},
        result=[{"cluster": idx, "score": float(row["score"]), "rank": float(row["rank"])} for idx, row in result.iterrows()],
        sensitivity=[{**row, "swaps": [list(p) for p in row["swaps"]]} for row in sens.to_dict(orient="records")],
    )
    audit.record(actor=actor, action="register.ranking.compute", obj=r, changes={"methodology": methodology.name, "year": year})
    return r
