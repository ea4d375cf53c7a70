"""Operations on the register: participants, membership, eligibility, inclusion, rankings.

Functions take keyword-only arguments; every change of state is recorded with
:func:`klaster.common.audit.record`.
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
from klaster.common import audit
from klaster.common.bin import InvalidBIN, validate_bin
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

ELIGIBILITY_DOC = "competition-decree-535"
MAX_ADDITIONAL_OKED = 4  # App. 2 §7: "main activity and up to four additional"


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


def save_participant(*, actor, bin: str, name: str, kind: str, oked_main: str, oked_additional=(), kato: str, **extra) -> Participant:
    """Create or update (by BIN) a participant after validation; audited."""
    clean = clean_participant_fields(bin=bin, name=name, kind=kind, oked_main=oked_main, oked_additional=oked_additional, kato=kato)
    obj = Participant.objects.filter(bin=clean["bin"]).first()
    before = audit.snapshot(obj) if obj else {}
    if obj is None:
        obj = Participant(bin=clean["bin"])
    for k, v in {**clean, **extra}.items():
        setattr(obj, k, v)
    obj.save()
    audit.record(actor=actor, action="register.participant.save", obj=obj, before=before)
    return obj


@transaction.atomic
def add_participant(*, actor, cluster: Cluster, joined_on: dt.date, note: str = "", **fields) -> Membership:
    """Add a participant to ``cluster`` from ``joined_on``: create it (or update the legal entity
    with that BIN) and open its membership; both audited; nothing is written on a refusal.

    Raises
    ------
    django.core.exceptions.ValidationError
        A field is not valid (see :func:`clean_participant_fields`).
    RegisterError
        The participant is already a member of the cluster on ``joined_on``.
    """
    participant = save_participant(actor=actor, **fields)
    later = Membership.objects.filter(cluster=cluster, participant=participant).filter(Q(left_on__isnull=True) | Q(left_on__gt=joined_on)).order_by("joined_on").first()
    if later is not None:  # the history stays a sequence of periods that do not overlap
        raise RegisterError(_("%(participant)s is a member of %(cluster)s from %(day)s; record its leaving first or give a later date"),
                            participant=participant, cluster=cluster, day=later.joined_on.isoformat())
    return join(actor=actor, cluster=cluster, participant=participant, joined_on=joined_on, note=note)


def update_participant(*, actor, participant: Participant, **fields) -> Participant:
    """Edit a participant's profile (the BIN stays: it identifies the legal entity); audited.

    Raises
    ------
    django.core.exceptions.ValidationError
        A field is not valid.
    """
    fields["bin"] = participant.bin
    return save_participant(actor=actor, **fields)


# --- membership ---------------------------------------------------------------------------------

def members_on(cluster: Cluster, day: dt.date):
    """Participants that were members of ``cluster`` on ``day`` (the register as it stood then)."""
    q = Q(memberships__cluster=cluster, memberships__joined_on__lte=day) & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=day))
    return Participant.objects.filter(q).distinct().order_by("name")


def join(*, actor, cluster: Cluster, participant: Participant, joined_on: dt.date, note: str = "") -> Membership:
    """Record that ``participant`` joined ``cluster`` on ``joined_on``.

    Raises
    ------
    RegisterError
        The participant is already a member on that date.
    """
    if members_on(cluster, joined_on).filter(pk=participant.pk).exists():
        raise RegisterError(_("%(participant)s is already a member of %(cluster)s on %(day)s"), participant=participant, cluster=cluster.localized_name(), day=joined_on.isoformat())
    m = Membership.objects.create(cluster=cluster, participant=participant, joined_on=joined_on, note=note)
    audit.record(actor=actor, action="register.membership.join", obj=m)
    return m


def leave(*, actor, membership: Membership, left_on: dt.date, note: str = "") -> Membership:
    """Close a membership on ``left_on`` (the participant is no longer a member from that day)."""
    if membership.left_on is not None:
        raise RegisterError(_("%(participant)s already left on %(day)s"), participant=membership.participant, day=membership.left_on.isoformat())
    if left_on <= membership.joined_on:
        raise RegisterError(_("the leaving date %(left)s must be after the joining date %(joined)s"), left=left_on.isoformat(), joined=membership.joined_on.isoformat())
    before = audit.snapshot(membership)
    membership.left_on = left_on
    membership.note = note or membership.note
    membership.save()
    audit.record(actor=actor, action="register.membership.leave", obj=membership, before=before, note=note)
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


def eligibility(cluster: Cluster, on: dt.date | None = None) -> list[dict]:
    """The register's eligibility checks for ``cluster`` on ``on`` (default today).

    Thresholds are read from the regulation ``competition-decree-535`` (``eligibility``):
    at least 10 unaffiliated legal entities (Criteria 1.1) and at least 6 specialised companies
    and organisations (App. 2 §3.1).

    Returns
    -------
    list of dict
        ``{"id", "clause", "required", "actual", "passed", "severity", "text"}``.
    """
    on = on or dt.date.today()
    members = list(members_on(cluster, on))
    doc = regulations.load(ELIGIBILITY_DOC)
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

@transaction.atomic
def submit_inclusion(*, actor, cluster: Cluster, on: dt.date) -> InclusionApplication:
    """The association applies to include its cluster in the register (step 2 of the ЦКП algorithm).

    Raises
    ------
    RegisterError
        The cluster has no association, is already included, or has an open application.
    """
    if cluster.association is None:
        raise RegisterError(_("%(cluster)s: only a cluster association may apply; record the association first"), cluster=cluster)
    if cluster.status == ClusterStatus.INCLUDED:
        raise RegisterError(_("%(cluster)s is already in the register"), cluster=cluster)
    if cluster.applications.filter(status=InclusionApplication.Status.SUBMITTED).exists():
        raise RegisterError(_("%(cluster)s already has an application awaiting the organizer's decision"), cluster=cluster)
    app = InclusionApplication.objects.create(cluster=cluster, submitted_by=actor if getattr(actor, "pk", None) else None, submitted_on=on, eligibility=eligibility(cluster, on))
    before = audit.snapshot(cluster)
    cluster.status = ClusterStatus.APPLIED
    cluster.save()
    audit.record(actor=actor, action="register.inclusion.submit", obj=app)
    audit.record(actor=actor, action="register.cluster.status", obj=cluster, before=before)
    return app


@transaction.atomic
def decide_inclusion(*, actor, application: InclusionApplication, approve: bool, on: dt.date, note: str = "") -> InclusionApplication:
    """The organizer includes the cluster (step 3) or refuses, with reasons; audited.

    Raises
    ------
    RegisterError
        Already decided; approving a cluster that fails a mandatory eligibility check; refusing
        without reasons.
    """
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
    audit.record(actor=actor, action="register.inclusion.decide", obj=application, before=before_app, note=note)
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
}


def indicator_table(year: int, clusters=None) -> pd.DataFrame:
    """Cluster × indicator table for ``year`` from the participants' App. 2 §7 indicators.

    Clusters: those given, default the clusters in the register now; members are those on
    31 December of ``year``. Money in thousand tenge; ``rd_staff_pct`` is weighted by employees;
    ``export_share`` = export / turnover × 100.
    """
    day = dt.date(year, 12, 31)
    clusters = list(clusters if clusters is not None else Cluster.objects.filter(status=ClusterStatus.INCLUDED).order_by("code"))
    rows = {}
    for c in clusters:
        members = list(members_on(c, day))
        ind = {i.participant_id: i for i in ParticipantIndicator.objects.filter(participant__in=members, year=year)}
        def s(field):
            return float(sum((getattr(i, field) or Decimal(0)) for i in ind.values()))
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
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def save_methodology(*, actor, methodology: Methodology) -> RankingMethodology:
    """Save (or replace by name) a named methodology after validating it; audited."""
    methodology.validate()
    obj, created = RankingMethodology.objects.get_or_create(name=methodology.name, defaults={"definition": methodology.to_dict(), "created_by": actor if getattr(actor, "pk", None) else None})
    before = {} if created else audit.snapshot(obj)
    if not created:
        obj.definition = methodology.to_dict()
        obj.save()
    audit.record(actor=actor, action="register.methodology.save", obj=obj, before=before)
    return obj


def compute_ranking(*, actor, methodology: RankingMethodology, year: int, clusters=None, data: pd.DataFrame | None = None) -> Ranking:
    """Rank the register's clusters with a saved methodology; stores result and sensitivity; audited.

    ``data`` (cluster code × indicator) overrides the table built from the participants'
    indicators (:func:`indicator_table`), e.g. for sector figures of a source document.
    """
    m = Methodology.from_dict(methodology.definition)
    if data is None:
        data = indicator_table(year, clusters)
    result = m.rank(data)
    sens = sensitivity(m, data)
    r = Ranking.objects.create(
        methodology=methodology,
        methodology_snapshot=m.to_dict(),
        year=year,
        created_by=actor if getattr(actor, "pk", None) else None,
        data={k: {c: float(v) for c, v in row.items()} for k, row in data.to_dict(orient="index").items()},
        result=[{"cluster": idx, "score": float(row["score"]), "rank": float(row["rank"])} for idx, row in result.iterrows()],
        sensitivity=[{**row, "swaps": [list(p) for p in row["swaps"]]} for row in sens.to_dict(orient="records")],
    )
    audit.record(actor=actor, action="register.ranking.compute", obj=r, changes={"methodology": methodology.name, "year": year})
    return r
