"""The records the lists show, as plain data: the API serializes them, the exports flatten them.

One function per kind of record, each reading through the pages' own domain functions (the
register on a date: :func:`klaster.register.domain.services.register_on` and ``members_of``; a
programme's targets and actuals: :func:`klaster.programmes.domain.monitoring_rows`; deadlines:
the competition's timeline and the support procedure's schedule), so that the API, the exports
and the pages cannot disagree. Values are machine values (codes, ``datetime.date``, ``Decimal``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch

#: What the demo invents about a real pilot cluster of seed 003 (its name, region, sector and
#: programme figures are real and carry their source line).
INVENTED_CLUSTER_FIELDS = ["included_on", "applications", "association", "members", "participant_indicators", "competition_wins"]


def _names(obj, prefix: str) -> dict:
    return {lang: getattr(obj, f"{prefix}_{lang}", "") or "" for lang in ("kk", "ru", "en")}


def _demo_account(user) -> bool:
    return bool(user is not None and getattr(getattr(user, "profile", None), "is_demo", False))


# ------------------------------------------------------------------------------------------ register


def regions_prefetch():
    """A cluster's regions without their boundaries (about 1 MB of GeoJSON no list shows)."""
    from klaster.reference.models import Region

    return Prefetch("regions", queryset=Region.objects.defer("boundary"))


def eligibility_act(day: dt.date) -> dict:
    """The act the register's eligibility figures are computed under: ``{"id", "version", "in_force_on_date"}``."""
    from klaster.register.domain import services

    doc = services.eligibility_act()
    return {"id": doc.id, "version": doc.version, "in_force_on_date": doc.force_status(day).in_force}


def register_clusters(day: dt.date, clusters=None) -> list[dict]:
    """The register on ``day`` (or the given clusters of it): one dict per cluster with its members
    on that day — ``{"code", "is_demo", "invented", "name", "oked", "regions", "status",
    "included_on", "association_bin", "members", "eligibility", "member_list", "cluster"}``.
    Three queries whatever the number of clusters (clusters, regions, memberships)."""
    from klaster.register.domain import services

    if clusters is None:
        clusters = services.register_on(day).select_related("association").prefetch_related(regions_prefetch())
    clusters = list(clusters)
    members = services.members_of(clusters, day)
    return [cluster_record(c, day, members[c.pk]) for c in clusters]


def cluster_record(c, day: dt.date, members: list) -> dict:
    """A cluster on ``day`` given its members then (see :func:`register_clusters`)."""
    from klaster.register.domain import services

    findings = services.eligibility(c, day, members=members)
    return {
        "cluster": c, "code": c.code, "is_demo": c.is_demo, "invented": INVENTED_CLUSTER_FIELDS if c.is_demo else [],
        "name": _names(c, "name"), "oked": c.oked, "regions": [r.kato for r in c.regions.all()], "status": c.status,
        "included_on": c.included_on, "association_bin": c.association.bin if c.association else None, "members": len(members),
        "eligibility": [{k: f[k] for k in ("id", "clause", "required", "actual", "passed")} for f in findings],
        "eligible": services.is_eligible(findings),
        "member_list": [member_record(p) for p in members],
    }


def member_record(p) -> dict:
    """A register participant as the API shows it: BIN, name, kind, main and additional OKED, KATO,
    ``is_demo`` (invented data). ``p``: register ``Participant``."""
    return {"bin": p.bin, "name": p.name, "kind": p.kind, "oked_main": p.oked_main, "oked_additional": list(p.oked_additional or []),
            "kato": p.kato, "is_demo": p.is_demo}


def cluster_detail(c, day: dt.date) -> dict:
    """A cluster's public profile on ``day``: :func:`cluster_record` with ``source``, the ESCA
    label, ``members_on_date`` and the stages it won (``wins``)."""
    from klaster.register.domain import services

    members = list(services.members_on(c, day))
    rec = cluster_record(c, day, members)
    rec.update({
        "source": c.source, "esca_label": c.esca_label or None, "esca_source": c.esca_source or None, "members_on_date": rec["member_list"],
        "wins": [{"stage": w.stage, "decided_on": w.decided_on, "competition": w.competition_title, "winner_bin": w.winner_bin, "is_demo": w.is_demo}
                 for w in c.wins.all()],
    })
    return rec


def memberships(day: dt.date, clusters) -> list[dict]:
    """The members of ``clusters`` on ``day`` with their membership: ``{"cluster", "bin", "name",
    "kind", "oked_main", "oked_additional", "kato", "joined_on", "left_on", "is_demo"}`` (one query)."""
    from django.db.models import Q

    from klaster.register.models import Membership

    rows = (Membership.objects.filter(cluster__in=list(clusters), joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .select_related("participant", "cluster").order_by("cluster__code", "participant__name", "joined_on"))
    return [{"cluster": m.cluster.code, **member_record(m.participant), "joined_on": m.joined_on, "left_on": m.left_on,
             "is_demo": m.participant.is_demo or m.cluster.is_demo} for m in rows]


# ------------------------------------------------------------------------------------------ competition


def public_competitions():
    """Competitions the public sees (every one but drafts), as the competitions page lists them."""
    from klaster.competition.models import Competition

    return Competition.objects.exclude(state="draft").select_related("created_by__profile")


def competition_record(c) -> dict:
    """A competition as the API shows it: id, title, state, announcement and intake dates, the
    pinned rules (id, version), minimum score, blind mode, its public page's address, ``is_demo``.
    ``c``: ``Competition``."""
    from django.urls import reverse

    reg = (c.rules_pins or {}).get("rules") or {}  # {"rules": {id, version, sha256}, "forms": …}; none: the current rules
    return {
        "id": c.pk, "title": c.title, "state": c.state, "announced_on": c.announced_on, "stage1_intake_closes": c.stage1_intake_closes,
        "stage2_intake_closes": c.stage2_intake_closes, "public_note": c.public_note, "rerun_of": c.rerun_of_id,
        "regulation": {"id": reg.get("id"), "version": reg.get("version")}, "is_demo": _demo_account(c.created_by),
        "url": reverse("competition:public", args=[c.pk]), "minimum_score": c.minimum_score, "blind": c.blind,
    }


def results():
    """Winners of the competitions whose results are published (§40), as their public pages show them."""
    from klaster.competition.models import Application

    return (Application.objects.filter(competition__state="published", stage=2, state="winner")
            .select_related("competition__created_by__profile", "decision").order_by("-competition__stage1_intake_closes", "competition_id", "id"))


def result_record(a) -> dict:
    """A winner's published result (Decree 535 §40): competition, day of publication, cluster,
    participant, day of the Commission's decision and the support it recommends, ``is_demo``.
    ``a``: ``Application``."""
    from klaster.competition.domain import services as svc

    decision = getattr(a, "decision", None)
    return {"competition": a.competition_id, "competition_title": a.competition.title,
            "published_on": svc.event_day(a.competition, "results_published"), "cluster_name": a.cluster_name,
            "participant": a.organisation_name, "decided_on": decision.decided_on if decision else None,
            "recommended_support": decision.support if decision else "", "is_demo": _demo_account(a.competition.created_by)}


def deadline_record(r) -> dict:
    """A timeline row of the engine (step, clause, actor, start, due, done, state; dates as
    ``datetime.date``)."""
    return {"step": r.step_id, "clause": r.clause, "actor": r.actor, "start": r.start, "due": r.due, "done": r.done, "state": r.state}


def application_records(apps) -> list[dict]:
    """Competition applications with their deadlines (the competition's timeline, computed once per
    competition): ``{"id", "competition", "competition_title", "stage", "state", "registration_number",
    "registered_at", "organisation_name", "organisation_bin", "cluster_name", "region_kato", "notice",
    "deadlines", "is_demo"}``."""
    from klaster.competition.domain import services as svc

    apps = list(apps)
    by_comp = {}
    for a in apps:
        by_comp.setdefault(a.competition_id, a.competition)
    deadlines = defaultdict(list)
    for c in by_comp.values():
        for r in svc.timeline(c):
            if r.subject:
                deadlines[(c.pk, r.subject)].append(deadline_record(r))
    return [{
        "id": a.pk, "competition": a.competition_id, "competition_title": a.competition.title, "stage": a.stage, "state": a.state,
        "registration_number": a.registration_number, "registered_at": a.registered_at, "organisation_name": a.organisation_name,
        "organisation_bin": a.organisation_bin, "cluster_name": a.cluster_name, "region_kato": a.region_kato, "notice": a.notice,
        "deadlines": deadlines.get((a.competition_id, a.key), []), "is_demo": _demo_account(a.applicant),
    } for a in apps]


# ------------------------------------------------------------------------------------------ programmes


def programme_record(p) -> dict:
    """A targeted cluster programme as the API shows it: cluster code and names (kk/ru/en), title,
    years, source, ``is_demo``. ``p``: ``Programme``."""
    return {"programme": p, "code": p.cluster.code, "cluster": _names(p.cluster, "name"), "title": _names(p, "title"),
            "start_year": p.start_year, "end_year": p.end_year, "source": p.source, "is_demo": p.is_demo}


def indicator_records(p, *, year: int | None = None) -> list[dict]:
    """A programme's targets against actuals (:func:`klaster.programmes.domain.monitoring_rows`)."""
    from klaster.programmes import domain

    out = []
    for r in domain.monitoring_rows(p):
        if year is not None and r["year"] != year:
            continue
        ob, v = r["obligation"], r["variance"]
        out.append({
            "obligation": ob.pk, "indicator": _names(ob, "indicator"), "kind": ob.kind, "unit": ob.unit, "higher_is_better": ob.higher_is_better,
            "base_year": ob.base_year, "base_value": ob.base_value, "year": r["year"], "quarter": r["quarter"], "target": r["target"],
            "actual": r["actual"], "difference": v.difference if v else None, "percent": v.percent if v else None, "missed": r["missed"],
            "report_due": r["report_due"], "timing": r["timing"].status, "days_late": r["timing"].days_late, "is_demo": r["demo"],
        })
    return out


# ------------------------------------------------------------------------------------------ support


def support_applications_for(user):
    """The support applications ``user`` sees on the support list page: an organizer every one, an
    applicant those of :func:`klaster.support.rules.applications_for`."""
    from klaster.accounts.roles import Role, has_role
    from klaster.support import rules as support_rules
    from klaster.support.models import Application

    qs = Application.objects.all() if has_role(user, Role.ORGANIZER) else support_rules.applications_for(user)
    return qs.select_related("participant", "cluster", "applicant", "agreement").prefetch_related("costs").order_by("-created_at", "-id")


def support_record(a) -> dict:
    """A reimbursement application as the API shows it: participant, cluster, instrument component,
    status, the costs claimed and the amount decided (tenge, ``Decimal``), its deadlines with their
    clauses (Decree 440's procedure), the agreement (amount, signature, payment, refund),
    ``is_demo``. ``a``: support ``Application``; pinned rules that no longer load leave the
    deadlines empty."""
    from klaster import regulations
    from klaster.support import domain

    try:
        deadlines = [{"step": d.step, "clause": d.clause, "due": d.due, "status": d.status, "done_on": d.done_on} for d in domain.deadlines(a)]
    except regulations.RegulationError:  # the pinned rules changed since registration (the list page says so)
        deadlines = []
    ag = getattr(a, "agreement", None)
    return {
        "id": a.pk, "participant_bin": a.participant.bin, "participant": a.participant.name, "cluster": a.cluster.code if a.cluster_id else None,
        "component": a.component, "procedure": a.procedure, "status": a.status, "claimed": sum((c.amount for c in a.costs.all()), Decimal(0)),
        "amount": a.amount, "created_at": a.created_at, "deadlines": deadlines, "is_demo": a.is_demo, "applicant": a.applicant.get_username(),
        "agreement": {"amount": ag.amount, "signed_on": ag.signed_on, "paid_on": ag.paid_on, "refund_amount": ag.refund_amount,
                      "refunded_on": ag.refunded_on} if ag else None,
    }
