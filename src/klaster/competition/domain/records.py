"""Records the Rules name: the publication of the announcement (§4), the paper original and copy
(§9, §11), the participant's statement (§12), the authorized body of the cluster's sector (§17, §27)
and the admission protocol — drafted with the engine's proposal per package, reviewed by the
organizer (a decision and an editable notice per package, an override with its reason), then signed
(§15/§16, §31/§32, §41).

Every function takes keyword-only arguments, the acting user first, checks the state and the dates
on the server (:func:`klaster.competition.domain.services._recorded`), writes atomically and audits
(:func:`klaster.common.audit.record`); a refusal is a
:class:`~klaster.competition.domain.services.DomainError` naming the rule, and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from klaster.common import audit, locking
from klaster.common.dates import Follows
from klaster.competition.i18n import clause_in, day_in, lang
from klaster.competition.models import (
    AdmissionDecision,
    AdmissionProtocol,
    Application,
    AuthorizedBodyUser,
    Competition,
    PaperReceipt,
    Publication,
)
from klaster.engine.competition import forms as eng_forms
from klaster.engine.competition.registry import enforces


def _svc():
    from klaster.competition.domain import services

    return services


# ------------------------------------------------------------------------------------------------ §4 publication


@enforces("records.publication")
@transaction.atomic
def record_publication(*, actor, competition: Competition, medium: str, outlet: str, day: dt.date, reference: str = "",
                       reason: str = "") -> Publication:
    """Record a publication of the announcement (§4): in official print media (the outlet, its issue)
    or on the organizer's website (its address). The day follows the announcement's decision and is
    not in the future (an earlier day than today needs ``reason``); one published less than 60 days
    before intake closes is recorded, and shown as a §5 finding (:func:`publication_findings`).

    Raises
    ------
    DomainError
        The rules in force give no media (their regulation data has no forms); unknown medium; no
        outlet; the competition is not announced; a day in the future, before the announcement, or
        back-dated without a reason.
    """
    svc = _svc()
    forms = competition.rules.forms
    if forms is None:  # the media are the regulation's (records.publication.media), never assumed
        raise svc.DomainError(_("the rules in force name no publication media (§4): their regulation data has no forms"))
    media = {m.id for m in forms.records.media}
    if medium not in media:
        raise svc.DomainError(_("unknown medium %(medium)s") % {"medium": repr(medium)[:30]})
    if not (outlet or "").strip():
        raise svc.DomainError(_("name the outlet (the print media or the website)"))
    if competition.state == "draft" or competition.announced_on is None:
        raise svc.DomainError(_("the competition is not announced"))
    day = svc._recorded(day, reason=reason, field=_("published on"), require_reason=True,
                        follows=[Follows(competition.announced_on, _("the announcement"), "§3, §4")])
    p = Publication.objects.create(competition=competition, medium=medium, outlet=outlet.strip()[:300], day=day,
                                   reference=(reference or "").strip()[:500], recorded_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="competition.publication", obj=p, note="; ".join(x for x in ("§4", svc._note(day, reason)) if x))
    return p


def publication_findings(competition: Competition, publications=None) -> list:
    """The §4/§5 findings on the announcement's publications (missing medium, published late);
    ``publications`` (default: the competition's) when the caller has them already."""
    forms = competition.rules.forms
    if forms is None or competition.announced_on is None:
        return []
    step = competition.rules.step("announce")
    before = step.deadline if step.deadline and step.deadline.type == "before" else None
    pubs = competition.publications.all() if publications is None else publications
    return eng_forms.check_publications(forms.records, [(p.medium, p.day) for p in pubs],
                                        intake_closes=competition.stage1_intake_closes,
                                        days_before=before.days if before else None, clause=step.clause if before else "")


# ------------------------------------------------------------------------------------------------ §9, §11 paper receipt


def paper_of(application: Application):
    """The engine's view of the application's paper receipt (:class:`~klaster.engine.competition.forms.Paper`), or None."""
    r = PaperReceipt.objects.filter(application=application).first() if application.pk else None
    if r is None:
        return None
    return eng_forms.Paper(r.originals, r.copies, r.electronic, tuple(int(x) for x in r.volumes),
                           {k: eng_forms.PaperDocument(*[int(x) for x in v]) for k, v in (r.documents or {}).items()})


@enforces("records.paper")
@transaction.atomic
def record_paper(*, actor, application: Application, received_on: dt.date, received_by: str, originals: int, copies: int,
                 electronic: bool, volumes: list[int], documents: dict, reason: str = "", version: int | None = None) -> PaperReceipt:
    """Record (or correct) the paper original and copy of a package received by the organizer (§9, §11):
    how many originals and copies, whether the electronic copy came with them, the sheets of each
    volume (``volumes``: sheets of volume 1, 2, …) and, per document, ``[volume, first sheet, last sheet]``.

    The package must be registered (submitted); paper received after intake closed is not accepted
    (§13). The day is not in the future (an earlier day than today needs ``reason``). What falls short
    of §9/§11 is recorded as it is and shown as completeness findings. ``version`` is the receipt's
    lock version when it is corrected (a stale page raises :class:`StaleEdit`).

    Raises
    ------
    DomainError
        The rules in force give no limits (their regulation data has no forms); not a submitted
        package; received after intake closed; no name of who received it; more volumes or sheets
        than the regulation data allows; a document not of the package, or a
        volume or sheet out of range; a bad day; changed since (:class:`StaleEdit`).
    """
    svc = _svc()
    if application.state not in ("submitted", "admitted", "returned", "under_review"):
        raise svc.DomainError(_("the paper package is recorded for a registered application"))
    forms = application.competition.rules.forms
    if forms is None:  # the limits are the regulation's (records.paper), never assumed
        raise svc.DomainError(_("the rules in force give no limits of the paper package (§9, §11): their regulation data has no forms"))
    max_vol, max_sheets = forms.records.paper.max_volumes, forms.records.paper.max_sheets
    if not (received_by or "").strip():
        raise svc.DomainError(_("name who received the paper package"))
    received_on = svc._recorded(received_on, reason=reason, field=_("received on"))
    closes = application.competition.intake_closes_effective(application.stage)
    if closes is not None and received_on > closes:
        raise svc.DomainError(_("late package refused: intake closed on %(closes)s; a package submitted on %(day)s is not accepted or considered (§13)")
                              % {"closes": day_in(closes), "day": day_in(received_on)})
    vols = [int(x) for x in volumes]
    if len(vols) > max_vol or any(not (1 <= x <= max_sheets) for x in vols):
        raise svc.DomainError(_("at most %(volumes)s volumes of 1–%(sheets)s sheets each") % {"volumes": max_vol, "sheets": max_sheets})
    names = {d.id for d in application.competition.rules.package(application.stage).documents}
    docs = {}
    for doc_id, place in (documents or {}).items():
        if doc_id not in names:
            raise svc.DomainError(_("%(doc)s is not a document of the stage-%(stage)s package (%(clause)s)") % {
                "doc": repr(doc_id)[:40], "stage": application.stage, "clause": clause_in("§11")})
        vol, first, last = (int(x) for x in place)
        if not (1 <= vol <= max_vol and 1 <= first <= last <= max_sheets):
            raise svc.DomainError(_("%(doc)s: volume %(volume)s, sheets %(first)s–%(last)s are out of range") % {
                "doc": doc_id, "volume": vol, "first": first, "last": last})
        docs[doc_id] = [vol, first, last]
    r = PaperReceipt.objects.filter(application=application).first()
    before = audit.snapshot(r) if r else {}
    if r is None:
        r = PaperReceipt(application=application)
    r.received_on, r.received_by, r.originals, r.copies, r.electronic = received_on, received_by.strip()[:200], originals, copies, electronic
    r.volumes, r.documents = vols, docs
    r.recorded_by = actor if getattr(actor, "pk", None) else None
    svc._stale(lambda: locking.save(r, version) if r.pk else r.save())
    audit.record(actor=actor, action="package.paper_receipt", obj=r, before=before, note="; ".join(x for x in ("§9, §11", svc._note(received_on, reason)) if x))
    return r


# ------------------------------------------------------------------------------------------------ §12 statement


def statement_text(competition: Competition, language: str | None = None) -> str:
    """The participant's statement of §12 in ``language`` (from the regulation data)."""
    forms = competition.rules.forms
    if forms is None:
        return ""
    return forms.records.statement.get(language or lang())


# ------------------------------------------------------------------------------------------------ §17, §27 authorized body of the sector


def sector_of(application: Application) -> str:
    """The OKED code of the cluster's specialisation: the one given on the application, else the most
    frequent division among the participants of the submitted (or current) version, else ``""``."""
    if application.sector_oked:
        return application.sector_oked
    v = application.submitted_version() or application.current_version()
    codes = [p.oked[:2] for p in v.participants.all() if p.oked] if v else []
    if not codes:
        return ""
    return max(sorted(set(codes)), key=codes.count)


def ministry_for(application: Application):
    """``(body, matched rule)`` of the authorized body of the cluster's sector (§2.11, §17, §27), or
    ``(None, None)`` when the regulation has no sector data."""
    sb = application.competition.rules.sector_bodies
    if sb is None:
        return None, None
    return sb.body_for(sector_of(application))


def ministry_of(user) -> str:
    """The ministry (an id of the sector data) an authorized-body user works for, or ``""``."""
    row = AuthorizedBodyUser.objects.filter(user=user).first() if getattr(user, "pk", None) else None
    return row.ministry if row else ""


@transaction.atomic
def set_body_ministry(*, actor, user, ministry: str) -> AuthorizedBodyUser:
    """Record which ministry an authorized-body user works for (administrators; audited).

    Raises
    ------
    DomainError
        ``ministry`` is not a body of the sector data in force.
    """
    from klaster.engine.competition.rules import load_rules

    sb = load_rules().sector_bodies
    ids = {b.id for b in sb.bodies} if sb else set()
    if ministry not in ids:
        raise _svc().DomainError(_("unknown ministry %(id)s") % {"id": repr(ministry)[:30]})
    row, _c = AuthorizedBodyUser.objects.update_or_create(user=user, defaults={"ministry": ministry})
    audit.record(actor=actor, action="accounts.authorized_body_ministry", obj=row, note="§2.11, §17")
    return row


# ------------------------------------------------------------------------------------------------ admission protocol (§15/§16, §31/§32, §41)


def _stage_of_admission(competition: Competition) -> int:
    if competition.state not in ("stage1_admission", "stage2_admission"):
        raise _svc().DomainError(_("the completeness check comes after intake closes (§15, §31)"))
    return 1 if competition.state == "stage1_admission" else 2


def _findings(result) -> list[list[str]]:
    return [[str(p.message), p.clause, p.severity] for p in result.problems]


def _default_notice(findings) -> str:
    return "\n".join(f"{m} ({c})" for m, c, sev in findings if sev == "error")


def draft(competition: Competition) -> AdmissionProtocol | None:
    """The admission protocol of the competition's current stage, if drafted."""
    stage = 1 if competition.state.startswith("stage1") else 2
    return AdmissionProtocol.objects.filter(competition=competition, stage=stage).first()


@transaction.atomic
def draft_admission_protocol(*, actor, competition: Competition) -> AdmissionProtocol:
    """Draft (or refresh) the admission protocol of the stage: for every submitted package, the engine's
    proposal (admit when complete, return otherwise) with its findings and a notice listing them.

    On a refresh, a package whose decision or notice the organizer changed keeps them; the others
    follow the new proposal.

    Raises
    ------
    DomainError
        The stage's intake is not closed yet (or the protocol is signed).
    """
    svc = _svc()
    stage = _stage_of_admission(competition)
    proto, created = AdmissionProtocol.objects.get_or_create(competition=competition, stage=stage,
                                                             defaults={"drafted_by": actor if getattr(actor, "pk", None) else None})
    if proto.state == "signed":
        raise svc.DomainError(_("the admission protocol is signed"))
    apps = list(competition.applications.filter(stage=stage, state="submitted"))
    keep = {d.application_id: d for d in proto.decisions.all()}
    for a in apps:
        res = svc.completeness(a)
        proposed = "admit" if res.complete else "return"
        findings = _findings(res)
        d = keep.pop(a.pk, None)
        if d is None:
            AdmissionDecision.objects.create(protocol=proto, application=a, proposed=proposed, decision=proposed, findings=findings,
                                             notice=_default_notice(findings) if proposed == "return" else "")
            continue
        edited = d.decision != d.proposed or d.notice != (_default_notice(d.findings) if d.decision == "return" else "")
        d.proposed, d.findings = proposed, findings
        if not edited:
            d.decision = proposed
            d.notice = _default_notice(findings) if proposed == "return" else ""
        d.save()
    for d in keep.values():  # withdrawn since the last draft
        d.delete()
    locking.save(proto)
    audit.record(actor=actor, action="admission.draft", obj=proto, note=f"stage {stage}: {len(apps)} package(s)")
    return proto


@transaction.atomic
def review_admission_protocol(*, actor, protocol: AdmissionProtocol, decisions: dict, version: int | None) -> AdmissionProtocol:
    """The organizer's review of the draft: ``decisions`` maps an application id to
    ``(decision, notice, override reason)``; ``decision`` is ``admit`` or ``return``.

    A returned package needs its written notice (§16, §32); a decision other than the engine's proposal
    needs the reason for the override (admitting a package the check finds incomplete, or returning a
    complete one whose information is not substantiated, §16). Every change is audited.

    Raises
    ------
    DomainError
        The protocol is signed; an application not in it; a decision not admit/return; a return
        without a notice; an override without a reason; changed since (:class:`StaleEdit`).
    """
    svc = _svc()
    if protocol.state != "draft":
        raise svc.DomainError(_("the admission protocol is signed"))
    rows = {d.application_id: d for d in protocol.decisions.select_related("application")}
    for pk, (decision, notice, reason) in decisions.items():
        d = rows.get(int(pk))
        if d is None:
            raise svc.DomainError(_("no such application in this protocol"))
        if decision not in ("admit", "return"):
            raise svc.DomainError(_("a decision is to admit or to return"))
        notice, reason = (notice or "").strip(), (reason or "").strip()
        if decision == "return" and not notice:
            raise svc.DomainError(_("%(application)s: a returned package needs its written notice (§16, §32)") % {"application": d.application})
        if decision != d.proposed and not reason:
            raise svc.DomainError(_("%(application)s: state the reason for deciding otherwise than the completeness check") % {"application": d.application})
        before = audit.snapshot(d)
        d.decision, d.notice = decision, notice if decision == "return" else ""
        d.override_reason = reason if decision != d.proposed else ""
        d.save()
        if audit.diff(before, audit.snapshot(d)):
            audit.record(actor=actor, action="admission.decision", obj=d, before=before,
                         note=d.override_reason or clause_in("§16" if protocol.stage == 1 else "§32"))
    svc._stale(lambda: locking.save(protocol, version))
    return protocol


@enforces("step.stage1_completeness_check", "step.stage2_completeness_check", "step.stage1_return", "step.stage2_return", "step.failure")
@transaction.atomic
def sign_admission_protocol(*, actor, competition: Competition, on: dt.date | None = None, reason: str = "", notices: dict | None = None,
                            version: int | None = None):
    """Sign the admission protocol of the stage: admit the packages the reviewed draft admits, return the
    others with their written notice (§16/§32), record the protocol (§15/§31) and fail the competition
    when fewer than two qualify (§41). Without a draft, one is drafted with the engine's proposals;
    ``notices`` (``{application id: text}``) replaces the notice of a returned package.

    The protocol is dated after the (effective) intake closing day, not in the future; an earlier day
    than today needs ``reason``. Packages submitted after the draft was made (none can be: intake is
    closed) or changed since are re-checked by refreshing the draft first.

    Returns the engine's :class:`~klaster.engine.competition.package.AdmissionProtocol` of the decisions.

    Raises
    ------
    DomainError
        Not after intake closed; a bad day; the draft changed since (:class:`StaleEdit`).
    """
    from klaster.engine.competition import package as eng_package

    svc = _svc()
    stage = _stage_of_admission(competition)
    closes = competition.intake_closes_effective(stage)
    on = svc._recorded(on, reason=reason, field=_("protocol date"),
                       follows=[Follows(closes + dt.timedelta(days=1) if closes else None, _("the day after intake closed"), "§13, §15, §31")])
    proto = AdmissionProtocol.objects.filter(competition=competition, stage=stage).first()
    if proto is not None and version is not None:
        svc._stale(lambda: locking.save(proto, version))
    proto = draft_admission_protocol(actor=actor, competition=competition)
    for pk, text in (notices or {}).items():
        d = proto.decisions.filter(application_id=int(pk), decision="return").first()
        if d is not None and (text or "").strip():
            d.notice = text.strip()
            d.save()
    admitted, returned = [], {}
    for d in proto.decisions.select_related("application"):
        a = d.application
        if d.decision == "admit":
            svc._app_transition(a, "admit", actor=actor)
            admitted.append(a.key)
        else:
            svc._app_transition(a, "return_package", actor=actor, notice=d.notice or _default_notice(d.findings))
            returned[a.key] = d.findings
    failure = competition.rules.step("failure")
    fails = len(admitted) < failure.extra["min_qualified"]
    proto.state, proto.signed_on, proto.signed_by = "signed", on, actor if getattr(actor, "pk", None) else None
    proto.save()
    audit.record(actor=actor, action="admission.sign", obj=proto, note="; ".join(x for x in (f"stage {stage}", svc._note(on, reason)) if x))
    svc._event(competition, f"stage{stage}_admission_protocol_signed", on, actor=actor, note=svc._note(on, reason))
    if fails:
        svc._comp_transition(competition, "fail", actor=actor)
        svc._event(competition, "failed", on, actor=actor, note=f"{len(admitted)} qualified ({failure.clause})")
    else:
        svc._comp_transition(competition, "sign_admission_protocol", actor=actor)
    step = competition.rules.step(f"stage{stage}_completeness_check")
    return eng_package.AdmissionProtocol(stage, step.clause, admitted, returned, fails, failure.clause)


def findings_text(findings) -> list[str]:
    """Stored findings (English engine texts with their clauses) in the active language."""
    from klaster.competition.i18n import stored_text

    return [f"{stored_text(m)} ({clause_in(c)})" for m, c, _sev in findings]

