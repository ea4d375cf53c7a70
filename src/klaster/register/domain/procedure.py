"""The register procedure: how a cluster enters the register, is kept in it and leaves it.

* **On an association's application** (steps 2–3 of the ЦКП algorithm, regulation
  ``cluster-programme-cofinancing``): :func:`apply_new_cluster` creates the register entry (status
  "applied") with its association and the participants the association lists, and submits the
  application; the organizer decides with
  :func:`klaster.register.domain.services.decide_inclusion`.
* **From a competition's winners** (Decree 535, §24 and §38): :func:`winners` lists the winning
  applications of the competition records (stage 2: state ``winner``; stage 1: ``passed``, the
  winners of stage 1 in the words of Decree 440, §5.1, 4)) with the Commission's positive decision;
  :func:`include_winner` creates the entry from the winning package — its participants, its
  region and sector, the association that won — and records the stage won and the decision
  (:class:`~klaster.register.models.ClusterWin`); :func:`link_winner` records a win of a cluster
  already in the register. The stage is never typed by an applicant: support reads it here
  (:func:`stage_for`).
* **Exclusion** with its reasons and day (:func:`exclude`).
* **Eligibility re-checked on every membership change** (:func:`recheck_eligibility`, called by
  :func:`~klaster.register.domain.services.join`, :func:`~klaster.register.domain.services.leave`
  and the import): an included cluster failing a mandatory check (Criteria 1.1 of Decree 535)
  gets an :class:`~klaster.register.models.EligibilityAlert` addressed to the organizers and to the
  users of its association; the alert is resolved when eligibility is restored or the cluster is
  excluded.

Every operation is atomic and audited (:func:`klaster.common.audit.record`); days are checked by
:func:`klaster.common.dates.check_recorded_day`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

from klaster.accounts.roles import Role
from klaster.common import audit, dates
from klaster.common.dates import Follows
from klaster.reference.models import Region
from klaster.register.domain import services
from klaster.register.domain.services import RegisterError
from klaster.register.models import Cluster, ClusterStatus, ClusterWin, EligibilityAlert, InclusionApplication, Membership, Participant, ParticipantKind

#: Competition participant kinds (Decree 535, §2.6–§2.8) whose organisation is recorded as the
#: cluster's association when it wins; other winners (a regional chamber, an SPK, a SEZ managing
#: company) are recorded as the cluster's representing organisation of kind "other".
ASSOCIATION_KINDS = ("cluster_association", "business_association")
#: OKED of associations and other membership organisations (94.11) — the activity recorded for the
#: organisation that won when the package does not list it among the participants.
ASSOCIATION_OKED = "9411"

#: Codes a cluster cannot take: they are addresses of the register's own pages.
RESERVED_CODES = ("new", "winners", "rankings", "api", "applications", "import-template", "export", "extract", "alerts", "quarterly", "budget")

INCLUDED_ON = gettext_lazy("Date of inclusion")
EXCLUDED_ON = gettext_lazy("Date of exclusion")
SUBMITTED_ON = gettext_lazy("submitted on")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _free_code(code: str) -> str:
    """``code`` as a register code (a slug) that is free and not a page of the register.

    Raises
    ------
    RegisterError
    """
    code = slugify(code or "")[:50]
    if not code:
        raise RegisterError(_("give the cluster a register code (Latin letters, digits and hyphens)"))
    if code in RESERVED_CODES or Cluster.objects.filter(code=code).exists():
        raise RegisterError(_("the register code %(code)s is taken"), code=code)
    return code


# --- stage won ----------------------------------------------------------------------------------

def stage_for(cluster: Cluster | None, participant: Participant | None) -> dict:
    """The stage of the competitive selection ``participant`` won for ``cluster``, from the
    register's wins (:class:`ClusterWin`, read from the competition's records).

    Returns
    -------
    dict
        ``{"stage": the applicant's stage (0 unless it is the winning organisation),
        "cluster_stage", "title", "decided_on" (ISO), "stage2_decided_on" (ISO or None),
        "winner_name", "winner_bin", "win_id", "demo"}``; ``{"stage": 0}`` when the cluster won nothing.
    """
    if cluster is None:
        return {"stage": 0}
    wins = list(cluster.wins.order_by("-stage", "-decided_on"))
    if not wins:
        return {"stage": 0}
    top = wins[0]
    mine = [w for w in wins if participant is not None and w.winner_bin == participant.bin]
    best = mine[0] if mine else top
    stage2 = next((w for w in wins if w.stage == 2), None)
    return {
        "stage": best.stage if mine else 0, "cluster_stage": top.stage, "title": best.competition_title or best.source,
        "decided_on": best.decided_on.isoformat(), "stage2_decided_on": stage2.decided_on.isoformat() if stage2 else None,
        "winner_name": best.winner_name, "winner_bin": best.winner_bin, "win_id": best.pk, "demo": best.is_demo,
    }


def support_year(cluster: Cluster | None, on: dt.date) -> int | None:
    """The year of support on ``on`` counted from the calendar year of the cluster's stage-2 win
    (year 1; instrument 8, parameters of seed 002); None when no stage-2 win is recorded."""
    if cluster is None:
        return None
    win = cluster.wins.filter(stage=2).order_by("decided_on").first()
    return None if win is None else on.year - win.decided_on.year + 1


def _sync_stage(cluster: Cluster) -> None:
    top = max((w.stage for w in cluster.wins.all()), default=0)
    if cluster.competition_stage_won != top:
        before = audit.snapshot(cluster)
        cluster.competition_stage_won = top
        cluster.save(update_fields=["competition_stage_won"])
        audit.record(actor=None, action="register.cluster.stage", obj=cluster, before=before, note="the highest stage of the wins recorded")


# --- winners of the competition -----------------------------------------------------------------

def winners():
    """Winning applications of the competition records with the Commission's positive decision:
    stage-2 winners (§38) and stage-1 applications that passed (§24), newest decisions first.

    Returns
    -------
    list of dict
        ``{"application", "stage", "decision", "linked" (the ClusterWin or None), "cluster"
        (a register entry whose association has the winner's BIN, or None)}``.
    """
    from klaster.competition.models import Application as CompetitionApplication

    apps = (CompetitionApplication.objects.filter(state__in=("winner", "passed"), decision__positive=True)
            .select_related("competition", "decision").order_by("-decision__decided_on", "-id"))
    linked = {w.competition_application_id: w for w in ClusterWin.objects.filter(competition_application__in=apps).select_related("cluster")}
    out = []
    for a in apps:
        win = linked.get(a.pk)
        cluster = win.cluster if win else Cluster.objects.filter(association__bin=a.organisation_bin).first()
        out.append({"application": a, "stage": 2 if a.state == "winner" else 1, "decision": a.decision, "linked": win, "cluster": cluster})
    return out


def _winning(application):
    """The stage ``application`` won and the Commission's decision; refused when it won nothing."""
    decision = getattr(application, "decision", None)
    if application.state not in ("winner", "passed") or decision is None or not decision.positive:
        raise RegisterError(_("%(application)s did not win a stage of the competition (no positive decision of the Commission)"), application=application)
    return (2 if application.state == "winner" else 1), decision


def _win(*, actor, cluster: Cluster, application, stage: int, decision, on: dt.date) -> ClusterWin:
    if ClusterWin.objects.filter(competition_application=application).exists():
        raise RegisterError(_("the win of %(application)s is already recorded in the register"), application=application)
    c = application.competition
    win = ClusterWin.objects.create(
        cluster=cluster, stage=stage, competition_application=application, competition_title=c.title[:300], decided_on=decision.decided_on,
        winner_bin=application.organisation_bin, winner_name=application.organisation_name[:300], support_recommended=decision.support or "",
        recorded_on=on, recorded_by=_user(actor), source=f"competition #{c.pk}, application {application.registration_number or application.pk}, "
                                                        f"decision of {decision.decided_on.isoformat()}",
    )
    audit.record(actor=actor, action="register.win.record", obj=win, note=win.source)
    return win


def _stage1_of(application):
    """The stage-1 application a stage-2 winner came from, when it passed (§24)."""
    s1 = getattr(application, "stage1_application", None)
    if s1 is None or s1.state != "passed" or getattr(s1, "decision", None) is None or not s1.decision.positive:
        return None
    return s1


@transaction.atomic
def include_winner(*, actor, application, code: str, name_kk: str = "", name_en: str = "", oked: str = "", on: dt.date | None = None,
                   today: dt.date | None = None) -> Cluster:
    """Create the register entry of a competition winner and include it (the organizer's act).

    The entry takes from the competition's records: the cluster's name (Russian), its region
    (KATO), its sector (OKED, unless given), the winning organisation as its association, the
    participants of the submitted package as members from ``on``, and the win — stage and
    Commission's decision — of this application and of the stage-1 application it came from.

    Parameters
    ----------
    application : klaster.competition.models.Application
        A stage-2 winner (§38) or a stage-1 application that passed (§24).
    code : str
        The register code (a slug, unique).
    on : date, optional
        The day of inclusion: today (the organizer's act); not before the Commission's decision.

    Raises
    ------
    RegisterError
        The application won nothing, its win is already recorded, the code is taken, the package
        has no participants, or the cluster it forms fails a mandatory eligibility check.
    django.core.exceptions.ValidationError
        A participant of the package has an invalid BIN, OKED or KATO.
    klaster.common.dates.DayRefused
        ``on`` in the future, before the decision, or earlier than today.
    """
    stage, decision = _winning(application)
    on = on or dates.today()
    dates.check_recorded_day(on, follows=[Follows(decision.decided_on, gettext_lazy("the Commission's decision"), "Decree 535, §24, §38")],
                             field=INCLUDED_ON, on=today)
    code = _free_code(code)
    if ClusterWin.objects.filter(competition_application=application).exists():
        raise RegisterError(_("the win of %(application)s is already recorded in the register"), application=application)
    version = application.submitted_version() or application.current_version()
    listed = list(version.participants.all()) if version else []
    if not listed:
        raise RegisterError(_("the package of %(application)s lists no participants"), application=application)
    sector = (oked or application.sector_oked or "").replace(".", "").strip()
    if not sector:
        raise RegisterError(_("give the cluster's sector (OKED): the package does not state it"))
    region = Region.objects.filter(kato=application.region_kato).first()
    cluster = Cluster.objects.create(
        code=code, name_ru=application.cluster_name[:200], name_kk=(name_kk or application.cluster_name)[:200], name_en=(name_en or application.cluster_name)[:200],
        oked=sector[:5], status=ClusterStatus.INCLUDED, included_on=on,
        source=f"competition «{application.competition.title}», decision of {decision.decided_on.isoformat()}"[:300],
    )
    if region is not None:
        cluster.regions.add(region)
    audit.record(actor=actor, action="register.cluster.create", obj=cluster, note=f"from the competition's winner {application.organisation_name} ({application.organisation_bin})")
    by_bin = {p.bin: p for p in listed}
    winner = by_bin.get(application.organisation_bin)
    assoc = services.save_participant(
        actor=actor, bin=application.organisation_bin, name=application.organisation_name,
        kind=ParticipantKind.ASSOCIATION if application.kind in ASSOCIATION_KINDS else ParticipantKind.OTHER,
        oked_main=(winner.oked if winner else ASSOCIATION_OKED), oked_additional=[], kato=(winner.kato if winner else application.region_kato),
        specialised=False,
    )
    cluster.association = assoc
    cluster.save()
    services.join(actor=actor, cluster=cluster, participant=assoc, joined_on=on, recheck=False, today=today)
    for p in listed:
        if p.bin == application.organisation_bin:
            continue
        member = services.save_participant(actor=actor, bin=p.bin, name=p.name, kind=ParticipantKind.ENTERPRISE, oked_main=p.oked, oked_additional=[],
                                           kato=p.kato, affiliation_group=p.affiliation_group[:100])
        services.join(actor=actor, cluster=cluster, participant=member, joined_on=on, recheck=False, today=today)
    findings = services.eligibility(cluster, on)
    if not services.is_eligible(findings):
        failed = "; ".join(f"{f['clause']}: {f['actual']} < {f['required']}" for f in findings if not f["passed"] and f["severity"] == "error")
        raise RegisterError(_("%(cluster)s does not meet %(failed)s"), cluster=cluster.name_ru, failed=failed)
    _win(actor=actor, cluster=cluster, application=application, stage=stage, decision=decision, on=on)
    s1 = _stage1_of(application) if stage == 2 else None
    if s1 is not None and not ClusterWin.objects.filter(competition_application=s1).exists():
        _win(actor=actor, cluster=cluster, application=s1, stage=1, decision=s1.decision, on=on)
    _sync_stage(cluster)
    audit.record(actor=actor, action="register.cluster.status", obj=cluster, changes={"status": [None, ClusterStatus.INCLUDED], "included_on": [None, on.isoformat()]},
                 note=f"included from the competition: stage {stage} won, decision of {decision.decided_on.isoformat()}")
    return cluster


@transaction.atomic
def link_winner(*, actor, cluster: Cluster, application, on: dt.date | None = None) -> ClusterWin:
    """Record a win of ``application`` for a cluster already in the register; the winner must be
    the cluster's association (same BIN).

    Raises
    ------
    RegisterError
        The application won nothing, its win is recorded already, or the winner is not the
        cluster's association.
    """
    stage, decision = _winning(application)
    on = on or dates.today()
    if cluster.association is None or cluster.association.bin != application.organisation_bin:
        raise RegisterError(_("the winner %(winner)s (BIN %(bin)s) is not the association of %(cluster)s"),
                            winner=application.organisation_name, bin=application.organisation_bin, cluster=cluster)
    win = _win(actor=actor, cluster=cluster, application=application, stage=stage, decision=decision, on=on)
    s1 = _stage1_of(application) if stage == 2 else None
    if s1 is not None and not ClusterWin.objects.filter(competition_application=s1).exists():
        _win(actor=actor, cluster=cluster, application=s1, stage=1, decision=s1.decision, on=on)
    _sync_stage(cluster)
    return win


# --- the association's application for a new register entry --------------------------------------

@transaction.atomic
def apply_new_cluster(*, actor, code: str, name_ru: str, name_kk: str, name_en: str, oked: str, regions: list[str], association: dict,
                      on: dt.date | None = None, today: dt.date | None = None) -> InclusionApplication:
    """The association applies to enter its cluster in the register (step 2 of the ЦКП algorithm):
    the entry is created with status "applied", the association joins it, and the application
    waits for the organizer's decision (:func:`~klaster.register.domain.services.decide_inclusion`).

    Parameters
    ----------
    association : dict
        The association's fields for :func:`~klaster.register.domain.services.save_participant`
        (``bin``, ``name``, ``oked_main``, ``kato``…); its kind is "association".
    regions : list of str
        KATO codes of the cluster's regions (at least one).

    Raises
    ------
    RegisterError
        The code is taken or empty; no region or an unknown one; the association's BIN is the
        association of another entry with an open application.
    django.core.exceptions.ValidationError
        The association's fields are invalid.
    klaster.common.dates.DayRefused
        ``on`` is not today.
    """
    on = on or dates.today()
    dates.check_recorded_day(on, field=SUBMITTED_ON, on=today)
    code = _free_code(code)
    found = list(Region.objects.filter(kato__in=regions))
    if not regions or len(found) != len(set(regions)):
        raise RegisterError(_("choose the cluster's regions among the regions of Kazakhstan"))
    if not (oked or "").strip():
        raise ValidationError({"oked": [ValidationError(gettext_lazy("give the cluster's sector (OKED)"), code="required")]})
    from klaster.reference.validators import validate_oked

    sector = validate_oked(oked.strip()).code
    cluster = Cluster.objects.create(code=code, name_ru=name_ru, name_kk=name_kk or name_ru, name_en=name_en or name_ru, oked=sector[:5], status=ClusterStatus.APPLIED,
                                     source="application of the cluster association")
    cluster.regions.set(found)
    audit.record(actor=actor, action="register.cluster.create", obj=cluster, note="on the association's application")
    assoc = services.save_participant(actor=actor, kind=ParticipantKind.ASSOCIATION, specialised=False, **association)
    if Cluster.objects.filter(association=assoc).exclude(pk=cluster.pk).filter(applications__status=InclusionApplication.Status.SUBMITTED).exists():
        raise RegisterError(_("%(association)s already has an application awaiting the organizer's decision"), association=assoc.name)
    cluster.association = assoc
    cluster.save()
    services.join(actor=actor, cluster=cluster, participant=assoc, joined_on=on, recheck=False, today=today)
    app = services.submit_inclusion(actor=actor, cluster=cluster, on=on, today=today)
    app.new_cluster = True
    app.save(update_fields=["new_cluster"])
    return app


# --- exclusion ------------------------------------------------------------------------------------

@transaction.atomic
def exclude(*, actor, cluster: Cluster, on: dt.date, note: str, reason: str = "", today: dt.date | None = None) -> Cluster:
    """Exclude ``cluster`` from the register from ``on`` (the first day it is no longer in it),
    with the organizer's reasons; open eligibility alerts are resolved by it.

    Raises
    ------
    RegisterError
        The cluster is not included; no reasons.
    klaster.common.dates.DayRefused
        ``on`` in the future, not after the inclusion, or earlier than today without ``reason``.
    """
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    if cluster.status != ClusterStatus.INCLUDED:
        raise RegisterError(_("%(cluster)s is not in the register"), cluster=cluster)
    if not (note or "").strip():
        raise RegisterError(_("an exclusion needs written reasons"))
    dates.check_recorded_day(on, follows=[Follows(cluster.included_on, gettext_lazy("the inclusion"), "")], reason=reason, field=EXCLUDED_ON, on=today)
    if cluster.included_on and on <= cluster.included_on:
        raise RegisterError(_("the exclusion on %(day)s must be after the inclusion on %(included)s"), day=on, included=cluster.included_on)
    before = audit.snapshot(cluster)
    cluster.status = ClusterStatus.EXCLUDED
    cluster.excluded_on = on
    cluster.exclusion_reason = note.strip()
    cluster.save()
    audit.record(actor=actor, action="register.cluster.exclude", obj=cluster, before=before,
                 note="; ".join(x for x in (note.strip(), dates.backdating_note(on, reason, on=today)) if x))
    for alert in cluster.alerts.filter(resolved_on__isnull=True):
        _resolve(actor=actor, alert=alert, on=on, text=f"the cluster was excluded on {on.isoformat()}")
    return cluster


# --- eligibility alerts ---------------------------------------------------------------------------

def recipients_for(cluster: Cluster) -> list[str]:
    """Usernames an eligibility alert is addressed to: the organizers and the users acting for the
    cluster's association (profile BIN)."""
    User = get_user_model()
    organizers = User.objects.filter(groups__name=Role.ORGANIZER.value, is_active=True)
    names = set(organizers.values_list("username", flat=True))
    if cluster.association is not None:
        names |= set(User.objects.filter(profile__organisation_bin=cluster.association.bin, is_active=True).values_list("username", flat=True))
    return sorted(names)


def _resolve(*, actor, alert: EligibilityAlert, on: dt.date, text: str) -> None:
    before = audit.snapshot(alert)
    alert.resolved_on = on
    alert.resolution = text[:300]
    alert.save(update_fields=["resolved_on", "resolution"])
    audit.record(actor=actor, action="register.alert.resolve", obj=alert, before=before)


def recheck_eligibility(*, actor, cluster: Cluster, cause: str, today: dt.date | None = None, cause_params: dict | None = None) -> EligibilityAlert | None:
    """Re-check an included cluster's eligibility on today's membership after a change; raise an
    alert when a mandatory check fails (one open alert per cluster), resolve the open alert when
    the cluster is eligible again. Audited.

    ``cause`` is the change in English (audit trail); ``cause_params`` the same for pages in any
    language (``{"event": "joined" | "left" | "import" | "recheck", "participant", "bin", "day"}``).

    Returns
    -------
    EligibilityAlert or None
        The alert raised now (None when none was raised).
    """
    cluster = Cluster.objects.get(pk=cluster.pk)
    if cluster.status != ClusterStatus.INCLUDED:
        return None
    day = today or dates.today()
    findings = services.eligibility(cluster, day)
    open_alert = cluster.alerts.filter(resolved_on__isnull=True).first()
    if services.is_eligible(findings):
        if open_alert is not None:
            _resolve(actor=actor, alert=open_alert, on=day, text=f"eligible again after: {cause}")
        return None
    failed = [f for f in findings if not f["passed"] and f["severity"] == "error"]
    if open_alert is not None:
        open_alert.findings = failed
        open_alert.save(update_fields=["findings"])
        return None
    alert = EligibilityAlert.objects.create(cluster=cluster, day=day, cause=cause[:300], cause_params=cause_params or {}, findings=failed, recipients=recipients_for(cluster))
    audit.record(actor=actor, action="register.alert.raise", obj=alert,
                 note="; ".join(f"{f['clause']}: {f['actual']} < {f['required']}" for f in failed) + f"; to: {', '.join(alert.recipients)}")
    return alert


def alerts_for(user) -> list[EligibilityAlert]:
    """Open eligibility alerts addressed to ``user`` (newest first)."""
    if not getattr(user, "is_authenticated", False):
        return []
    name = user.get_username()
    return [a for a in EligibilityAlert.objects.filter(resolved_on__isnull=True).select_related("cluster") if name in (a.recipients or [])]


# --- the public card --------------------------------------------------------------------------------

def history(cluster: Cluster) -> list[dict]:
    """The cluster's public history, oldest first: applications and decisions, wins, members
    joining and leaving, eligibility alerts, exclusion.

    Returns
    -------
    list of dict
        ``{"day", "kind", "text" (English, with the details), "params", "demo"}``; ``kind`` is one
        of ``applied``, ``included``, ``refused``, ``won``, ``joined``, ``left``, ``alert``,
        ``alert-resolved``, ``excluded``.
    """
    out: list[dict] = []
    for a in cluster.applications.all():
        out.append({"day": a.submitted_on, "kind": "applied", "params": {}, "demo": a.is_demo})
        if a.decided_on:
            out.append({"day": a.decided_on, "kind": "included" if a.status == InclusionApplication.Status.APPROVED else "refused",
                        "params": {"note": a.decision_note}, "demo": a.is_demo})
    if cluster.included_on and not cluster.applications.filter(status=InclusionApplication.Status.APPROVED).exists():
        out.append({"day": cluster.included_on, "kind": "included", "params": {"note": cluster.source}, "demo": cluster.is_demo})
    for w in cluster.wins.all():
        out.append({"day": w.decided_on, "kind": "won", "params": {"stage": w.stage, "competition": w.competition_title or w.source, "winner": w.winner_name}, "demo": w.is_demo})
    for m in Membership.objects.filter(cluster=cluster).select_related("participant"):
        out.append({"day": m.joined_on, "kind": "joined", "params": {"participant": m.participant.name}, "demo": m.participant.is_demo})
        if m.left_on:
            out.append({"day": m.left_on, "kind": "left", "params": {"participant": m.participant.name, "note": m.note}, "demo": m.participant.is_demo})
    for al in cluster.alerts.all():
        out.append({"day": al.day, "kind": "alert", "params": {"findings": al.findings, "cause": al.cause, "cause_params": al.cause_params}, "demo": False})
        if al.resolved_on:
            out.append({"day": al.resolved_on, "kind": "alert-resolved", "params": {"note": al.resolution}, "demo": False})
    if cluster.excluded_on:
        out.append({"day": cluster.excluded_on, "kind": "excluded", "params": {"note": cluster.exclusion_reason}, "demo": cluster.is_demo})
    order = ["applied", "refused", "won", "included", "joined", "left", "alert", "alert-resolved", "excluded"]
    out.sort(key=lambda e: (e["day"], order.index(e["kind"])))
    return out


def support_received(cluster: Cluster) -> list[dict]:
    """Support paid under "Productivity 2020" to the cluster's association and members (the
    applications of the cluster), per instrument: ``{"component", "count", "paid" (Decimal,
    tenge), "refunded" (Decimal), "demo" (any of them invented)}``."""
    from decimal import Decimal

    from klaster.support.models import Application

    rows: dict[str, dict] = {}
    for a in Application.objects.filter(cluster=cluster, status__in=("paid", "breached", "refunded")).select_related("agreement"):
        r = rows.setdefault(a.component, {"component": a.component, "count": 0, "paid": Decimal(0), "refunded": Decimal(0), "demo": False})
        r["count"] += 1
        r["paid"] += a.amount or Decimal(0)
        ag = getattr(a, "agreement", None)
        if a.status == "refunded" and ag is not None and ag.refund_amount:
            r["refunded"] += ag.refund_amount
        r["demo"] = r["demo"] or a.is_demo
    return [rows[k] for k in sorted(rows)]
