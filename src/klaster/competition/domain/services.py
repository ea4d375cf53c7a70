"""Operations of the competition: each calls the engine for the rule, stores the result and audits it.

Every function takes keyword-only arguments, the acting user first, and raises
:class:`DomainError` (a user-facing message naming the clause) when the regulation forbids the
action. Every state change goes through :func:`klaster.common.audit.record`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from klaster.common import audit
from klaster.common.calendar import default_calendar
from klaster.competition.i18n import bin_error_text, clause_in, day_in, engine_text, problem_text, transition_text
from klaster.competition.models import (
    BODIES,
    Application,
    Competition,
    CompetitionEvent,
    CommissionDecision,
    Conclusion,
    ExpertAssignment,
    PackageDocument,
    PackageVersion,
    Participant,
    ScoreSheet,
)
from klaster.engine.competition import deadlines as eng_deadlines
from klaster.engine.competition import experts as eng_experts
from klaster.engine.competition import outcome as eng_outcome
from klaster.engine.competition import package as eng_package
from klaster.engine.competition import scoring as eng_scoring
from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import load_rules
from klaster.engine.competition.states import TransitionError, application_transition, competition_transition
from klaster.reference.codes import normalize_oked


class DomainError(ValueError):
    """The action is not allowed; the message (in the active language) names the rule."""


class StaleEdit(DomainError):
    """The score sheet was changed elsewhere (another tab) since this page was loaded."""


def today() -> dt.date:
    return timezone.localdate()


def _moment(on: dt.date) -> dt.datetime:
    """The time of an action recorded for the day ``on``: now when ``on`` is today, else the start of that day
    (a package received on paper and registered later keeps the day it was received, §11)."""
    now = timezone.now()
    if on == timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(on, dt.time(0, 0)))


def _event(competition, name, day, *, application=None, actor=None, note=""):
    return CompetitionEvent.objects.create(competition=competition, application=application, name=name, day=day,
                                           recorded_by=actor if getattr(actor, "pk", None) else None, note=note)


def _comp_transition(competition, action, *, actor, **guards):
    try:
        new, clause = competition_transition(competition.state, action, **guards)
    except TransitionError as e:
        raise DomainError(transition_text(e)) from e
    before = audit.snapshot(competition)
    competition.state = new
    competition.save()
    audit.record(actor=actor, action=f"competition.{action}", obj=competition, before=before, note=clause)
    return clause


def _app_transition(app, action, *, actor, day=None, notice=""):
    try:
        new, clause = application_transition(app.state, action, stage=app.stage, day=day,
                                             intake_closes=app.competition.intake_closes(app.stage), notice=notice)
    except TransitionError as e:
        raise DomainError(transition_text(e)) from e
    before = audit.snapshot(app)
    app.state = new
    if notice:
        app.notice = notice
    app.save()
    audit.record(actor=actor, action=f"application.{action}", obj=app, before=before, note=notice or clause)
    return clause


# ----------------------------------------------------------------------------- competition


@transaction.atomic
def announce_competition(*, actor, title: str, stage1_intake_closes: dt.date, announced_on: dt.date | None = None,
                         criteria: tuple[str, str | None] | None = None, public_note: str = "",
                         rerun_of: Competition | None = None, scoring: dict | None = None) -> Competition:
    """Announce a competition and pin its regulation (§3–§5): the announcement must be at least 60
    calendar days before intake closes. ``scoring`` overrides the default scoring configuration
    (the seed is silent on it); it is validated and recorded with the competition."""
    from klaster.engine.competition.rules import RulesFormatError

    announced_on = announced_on or today()
    rules = load_rules(criteria=criteria)
    if scoring:
        try:
            rules = rules.with_scoring(scoring)
        except RulesFormatError as e:
            raise DomainError(_("invalid scoring configuration: %(detail)s") % {"detail": str(e).split(": ", 1)[-1]}) from e
    problem = eng_outcome.announcement_problem(rules, default_calendar(), announced_on=announced_on, intake_closes=stage1_intake_closes)
    if problem:
        raise DomainError(engine_text(problem))
    c = Competition.objects.create(title=title, stage1_intake_closes=stage1_intake_closes, announced_on=announced_on,
                                   rules_pins=rules.pins, scoring=rules.scoring.as_dict(), public_note=public_note,
                                   created_by=actor, rerun_of=rerun_of)
    audit.record(actor=actor, action="competition.create", obj=c)
    _comp_transition(c, "announce", actor=actor)
    _event(c, "announced", announced_on, actor=actor)
    _event(c, "stage1_intake_closes", stage1_intake_closes, actor=actor)
    if rerun_of is not None:
        _comp_transition(rerun_of, "announce_rerun", actor=actor)
        _event(rerun_of, "rerun_announced", announced_on, actor=actor)
    return c


def timeline(competition: Competition, on: dt.date | None = None):
    """Deadline rows (engine :func:`~klaster.engine.competition.deadlines.timeline`) of a competition and its applications."""
    evs = [eng_deadlines.Event(e.name, e.day, e.application.key if e.application_id else None)
           for e in competition.events.select_related("application")]
    with_events = set(competition.events.exclude(application=None).values_list("application_id", flat=True))
    apps = [eng_deadlines.AppRef(a.key, a.stage, a.skipped_stage1, str(a))
            for a in competition.applications.exclude(state__in=("refused_late", "withdrawn"))
            if a.state != "draft" or a.pk in with_events]
    return eng_deadlines.timeline(competition.rules, default_calendar(), evs, on or today(), apps)


def application_label(a: Application) -> str:
    """``cluster — organisation (stage N)`` in the active language."""
    return _("%(cluster)s — %(organisation)s (stage %(stage)s)") % {"cluster": a.cluster_name, "organisation": a.organisation_name,
                                                                    "stage": a.stage}


def timeline_labelled(competition: Competition, on: dt.date | None = None, lang: str = "ru"):
    """``[(deadline row, application or None, step text in lang, actor name in lang, deadline spec)]`` for the pages.

    The application is the :class:`Application` the row belongs to (None for competition rows);
    the deadline spec (:class:`~klaster.engine.competition.rules.DeadlineSpec`) gives its length and
    unit (working or calendar days, months) for the "term" column."""
    rules = competition.rules
    apps = {a.key: a for a in competition.applications.all()}
    actors = {x.id: x.name.get(lang) for x in rules.actors}
    return [(r, apps.get(r.subject), rules.step(r.step_id).text.get(lang), actors.get(r.actor, r.actor), rules.step(r.step_id).deadline)
            for r in timeline(competition, on)]


CONCLUSION_STEPS = {("akimat", 1): "akimat_conclusion", ("akimat", 2): "akimat_conclusion",
                    ("authorized_body", 1): "authorized_body_conclusion", ("authorized_body", 2): "strategy_review",
                    ("regional_body", 1): "regional_body_conclusion", ("regional_body", 2): "stage2_regional_conclusion"}


def conclusion_term(conclusion: Conclusion):
    """The deadline (:class:`~klaster.engine.competition.rules.DeadlineSpec` or None) of a requested conclusion."""
    app = conclusion.application
    return app.competition.rules.step(CONCLUSION_STEPS[(conclusion.body, app.stage)]).deadline


def scoring_due(application: Application):
    """``(due date or None, deadline spec, clause)`` of the expert council's scoring of the application's
    stage (§20 for stage 1), or None when that stage's analysis has no deadline (§34–§35)."""
    rules = application.competition.rules
    for step in rules.procedure:
        if step.actor == "expert_council" and step.scope == "competition" and step.stage == application.stage and step.deadline:
            due = next((r.due for r in timeline(application.competition) if r.step_id == step.id), None)
            return due, step.deadline, step.clause
    return None


def conclusion_due(conclusion: Conclusion) -> tuple[dt.date | None, str]:
    """Due date and clause of a requested conclusion (§6, §17, §28.2; §33 has no deadline)."""
    app = conclusion.application
    rules = app.competition.rules
    step = rules.step(CONCLUSION_STEPS[(conclusion.body, app.stage)])
    if step.deadline is None:
        return None, step.clause
    return eng_deadlines.due_date(rules, step, default_calendar(), conclusion.requested_on), step.clause


@transaction.atomic
def record_roadmap_event(*, actor, application: Application, name: str, on: dt.date) -> None:
    """Record the §28.1 steps of the authorized body: roadmap forwarded to / agreed by the interested bodies."""
    if name not in ("roadmap_forwarded", "roadmap_agreed") or application.stage != 2:
        raise DomainError(_("only the §28.1 roadmap steps of a stage-2 application are recorded here"))
    _event(application.competition, name, on, application=application, actor=actor)
    audit.record(actor=actor, action=f"application.{name}", obj=application, changes={name: [None, on.isoformat()]}, note="§28.1")


@transaction.atomic
def close_intake(*, actor, competition: Competition, on: dt.date | None = None) -> None:
    """Close the intake of the current stage (§13): only after the closing day."""
    on = on or today()
    stage = 1 if competition.state == "stage1_intake" else 2
    _comp_transition(competition, "close_intake", actor=actor, today=on, intake_closes=competition.intake_closes(stage))


# ----------------------------------------------------------------------------- applications


@transaction.atomic
def create_application(*, actor, competition: Competition, stage: int = 1, organisation_name: str, organisation_bin: str,
                       kind: str, cluster_name: str, region_kato: str, signatory_position: str = "", signatory_name: str = "",
                       skipped_stage1: bool = False, stage1_application: Application | None = None) -> Application:
    """Start an application (a draft package, version 1). Checks who may take part in the stage (§2.7, §2.8, §8)."""
    rules = competition.rules
    winner = bool(stage1_application and stage1_application.state == "passed")
    p = eng_package.may_take_part(rules, stage=stage, kind=kind, stage1_winner=winner)
    if p:
        raise DomainError(problem_text(p))
    app = Application.objects.create(
        competition=competition, stage=stage, applicant=actor, organisation_name=organisation_name, organisation_bin=organisation_bin,
        kind=kind, cluster_name=cluster_name, region_kato=region_kato, signatory_position=signatory_position,
        signatory_name=signatory_name, skipped_stage1=skipped_stage1 and not winner, stage1_application=stage1_application)
    PackageVersion.objects.create(application=app, number=1)
    audit.record(actor=actor, action="application.create", obj=app)
    return app


def _draft(app: Application) -> PackageVersion:
    v = app.current_version()
    if v is None or v.frozen:
        raise DomainError(_("the submitted package is frozen; start an amendment (a new version, §10) to change it"))
    return v


MAGIC = {"pdf": (b"%PDF",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",)}


@transaction.atomic
def upload_document(*, actor, application: Application, doc_id: str, uploaded, pages: int | None = None,
                    volume: int | None = None) -> PackageDocument:
    """Attach a document of the package definition to the draft version (type by extension and magic bytes; size limit)."""
    rules = application.competition.rules
    spec = rules.package(application.stage)
    if doc_id not in {d.id for d in spec.documents}:
        raise DomainError(_("%(doc)s is not a document of the stage-%(stage)s package (%(clause)s)") % {"doc": repr(doc_id), "stage": application.stage, "clause": spec.clause})
    v = _draft(application)
    name = uploaded.name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in rules.upload_types:
        raise DomainError(_("%(name)s: file type .%(ext)s is not accepted; allowed: %(types)s") % {"name": name, "ext": ext, "types": ", ".join(rules.upload_types)})
    limit = rules.upload_max_mb * 1024 * 1024
    if uploaded.size > limit:
        raise DomainError(_("%(name)s: %(size)s MB exceeds the limit of %(limit)s MB") % {"name": name, "size": f"{uploaded.size / 1048576:.1f}", "limit": rules.upload_max_mb})
    head = uploaded.read(8)
    uploaded.seek(0)
    if not any(head.startswith(m) for m in MAGIC.get(ext, ())):
        raise DomainError(_("%(name)s: the content is not a .%(ext)s file") % {"name": name, "ext": ext})
    h = hashlib.sha256()
    for chunk in uploaded.chunks():
        h.update(chunk)
    uploaded.seek(0)
    old = v.documents.filter(doc_id=doc_id).first()
    if old:
        audit.record(actor=actor, action="package.document_replace", obj=old, changes={"file": [old.original_name, name]})
        old.delete()
    d = PackageDocument(version=v, doc_id=doc_id, original_name=name, size=uploaded.size, sha256=h.hexdigest(),
                        pages=pages, volume=volume, uploaded_by=actor)
    d.file.save(f"{doc_id}.{ext}", uploaded, save=False)
    d.save()
    audit.record(actor=actor, action="package.document_upload", obj=d)
    return d


def validate_participant_row(row: dict) -> list[str]:
    """Problems of one participants-table row: BIN (check digit, structure), OKED and KATO (reference data)."""
    from django.core.exceptions import ValidationError

    from klaster.common.bin import InvalidBIN, validate_bin
    from klaster.reference.validators import validate_kato, validate_oked

    errs = []
    if not str(row.get("name") or "").strip():
        errs.append(_("name: required"))
    try:
        validate_bin(str(row.get("bin") or ""))
    except InvalidBIN as e:
        errs.append(_("BIN: %(error)s") % {"error": bin_error_text(e)})
    for field, fn in (("oked", validate_oked), ("kato", validate_kato)):
        try:
            fn(str(row.get(field) or "").strip())
        except ValidationError as e:
            errs.append(f"{_(field.upper())}: {' '.join(e.messages)}")
    return errs


@transaction.atomic
def add_participant(*, actor, application: Application, name: str, bin: str, oked: str, kato: str, affiliation_group: str = "") -> Participant:
    v = _draft(application)
    row = dict(name=name, bin=bin.strip(), oked=normalize_oked(oked), kato=kato.strip(), affiliation_group=affiliation_group.strip())
    errs = validate_participant_row(row)
    if errs:
        raise DomainError("; ".join(errs))
    p = Participant.objects.create(version=v, row=v.participants.count() + 1, **row)
    audit.record(actor=actor, action="package.participant_add", obj=p)
    return p


@transaction.atomic
def remove_participant(*, actor, participant: Participant) -> None:
    _draft(participant.version.application)
    audit.record(actor=actor, action="package.participant_remove", obj=participant, before=audit.snapshot(participant), after={})
    participant.delete()


COLUMNS = {"name": ("name", "наименование", "атауы"), "bin": ("bin", "бин", "бсн"), "oked": ("oked", "окэд", "экжж"),
           "kato": ("kato", "като", "әакж"), "affiliation_group": ("affiliation", "affiliation group", "аффилированность", "группа аффилированности")}


def import_participants_xlsx(*, actor, application: Application, fileobj) -> tuple[int, list[tuple[int, str]]]:
    """Import participants from the first sheet of an XLSX file (header row: name, BIN, OKED, KATO, affiliation group).

    Returns ``(rows imported, [(row number, error), …])``. Nothing is imported when any row has an error.
    """
    import openpyxl

    try:
        wb = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is a user error
        raise DomainError(_("not a readable XLSX file (%(error)s)") % {"error": e.__class__.__name__}) from e
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise DomainError(_("the sheet is empty"))
    header = [str(h or "").strip().lower() for h in rows[0]]
    idx = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                idx[key] = i
    missing = [k for k in ("name", "bin", "oked", "kato") if k not in idx]
    if missing:
        raise DomainError(_("row 1: missing column(s) %(columns)s; expected name, BIN, OKED, KATO[, affiliation group]") % {"columns": ", ".join(missing)})
    errors, good = [], []
    for n, r in enumerate(rows[1:], start=2):
        if not any(r):
            continue
        rec = {k: ("" if r[i] is None else str(r[i]).strip()) for k, i in idx.items()}
        rec.setdefault("affiliation_group", "")
        rec["oked"] = normalize_oked(rec["oked"])
        if isinstance(r[idx["bin"]], (int, float)):
            rec["bin"] = f"{int(r[idx['bin']]):012d}"
        errs = validate_participant_row(rec)
        if errs:
            errors.extend((n, e) for e in errs)
        else:
            good.append(rec)
    if errors:
        return 0, errors
    with transaction.atomic():
        for rec in good:
            add_participant(actor=actor, application=application, **rec)
    return len(good), []


def _engine_participants(version: PackageVersion | None):
    if version is None:
        return []
    return [eng_package.Participant(p.name, p.bin, p.oked, p.kato, p.affiliation_group) for p in version.participants.all()]


def completeness(application: Application, version: PackageVersion | None = None):
    """The engine's completeness result for a package version (default: the submitted one, else the draft)."""
    v = version or application.submitted_version() or application.current_version()
    docs = [eng_package.DocumentInfo(d.doc_id, d.original_name, d.pages, d.volume) for d in v.documents.all()] if v else []
    # A document produced by a body (App. 3 akimat conclusion; the authorized body's conclusion, §7.4/§29)
    # is present when that body's positive conclusion is recorded in klaster, even without a scanned copy.
    spec = application.competition.rules.package(application.stage)
    issued = set(application.conclusions.filter(issued_on__isnull=False, positive=True).values_list("body", flat=True))
    if application.stage == 2 and application.stage1_application_id:
        issued |= set(application.stage1_application.conclusions.filter(issued_on__isnull=False, positive=True, body="akimat")
                      .values_list("body", flat=True))
    have = {d.doc_id for d in docs}
    docs += [eng_package.DocumentInfo(d.id, f"conclusion:{d.produced_by}") for d in spec.documents
             if d.produced_by in issued and d.id not in have]
    winner = bool(application.stage1_application and application.stage1_application.state == "passed")
    return eng_package.check_package(application.competition.rules, stage=application.stage, documents=docs,
                                     participants=_engine_participants(v), skipped_stage1=application.skipped_stage1,
                                     kind=application.kind, stage1_winner=winner)


def submit_application(*, actor, application: Application, on: dt.date | None = None, received_by: str = "") -> Application:
    """Submit (register) the draft package: refused after intake closes (§13) — the refusal is recorded;
    the version is frozen and a registration number given (receipt App. 1 / App. 4)."""
    on = on or today()
    _draft(application)
    closes = application.competition.intake_closes(application.stage)
    if closes is None or on > closes:
        if application.state == "draft":
            with transaction.atomic():
                _app_transition(application, "refuse_late", actor=actor)
        raise DomainError(_("late package refused: intake closed on %(closes)s; a package submitted on %(day)s is not accepted or considered (§13)")
                          % {"closes": day_in(closes) if closes else "—", "day": day_in(on)})
    return _register(actor=actor, application=application, on=on, received_by=received_by)


@transaction.atomic
def _register(*, actor, application: Application, on: dt.date, received_by: str) -> Application:
    v = _draft(application)
    comp = application.competition
    action = "amend" if application.state == "submitted" else "submit"
    _app_transition(application, action, actor=actor, day=on)
    v.frozen = True
    v.submitted_at = _moment(on)
    v.save()
    audit.record(actor=actor, action="package.freeze", obj=v, note=f"version {v.number}")
    if not application.registration_number:
        n = Application.objects.filter(competition=comp, stage=application.stage).exclude(registration_number="").count() + 1
        application.registration_number = f"{comp.pk}-{application.stage}-{n:03d}"
        application.registered_at = _moment(on)
        application.received_by = received_by or "klaster"
        application.save()
    _event(comp, "submitted", on, application=application, actor=actor, note=f"version {v.number}")
    return application


@transaction.atomic
def start_amendment(*, actor, application: Application, reason: str, on: dt.date | None = None) -> PackageVersion:
    """Start a new version of a submitted package, before intake closes (§10). The submitted version stays frozen
    and registered until the new one is submitted."""
    on = on or today()
    if application.state != "submitted":
        raise DomainError(_("only a submitted application can be amended (§10)"))
    if on > application.competition.intake_closes(application.stage):
        raise DomainError(_("a registered application can be amended only before intake closes (§10)"))
    if not reason.strip():
        raise DomainError(_("state the reasons for the change in writing (§10)"))
    old = application.current_version()
    if not old.frozen:
        return old
    new = PackageVersion.objects.create(application=application, number=old.number + 1, change_reason=reason)
    for d in old.documents.all():
        PackageDocument.objects.create(version=new, doc_id=d.doc_id, file=d.file.name, original_name=d.original_name, size=d.size,
                                       sha256=d.sha256, pages=d.pages, volume=d.volume, uploaded_by=d.uploaded_by)
    for p in old.participants.all():
        Participant.objects.create(version=new, row=p.row, name=p.name, bin=p.bin, oked=p.oked, kato=p.kato, affiliation_group=p.affiliation_group)
    audit.record(actor=actor, action="package.new_version", obj=new, note=reason)
    return new


@transaction.atomic
def withdraw_application(*, actor, application: Application, notice: str, on: dt.date | None = None) -> None:
    """Withdraw a registered application with a written reasoned notice, before intake closes (§10)."""
    _app_transition(application, "withdraw", actor=actor, day=on or today(), notice=notice)


# ----------------------------------------------------------------------------- admission (§15/§16, §31/§32, §41)


@enforces("step.stage1_completeness_check", "step.stage2_completeness_check", "step.failure")
@transaction.atomic
def sign_admission_protocol(*, actor, competition: Competition, on: dt.date | None = None, notices: dict | None = None):
    """Check every submitted package of the stage, admit the complete ones, return the others with a written
    notice (§16/§32), record the protocol (§15/§31), and fail the competition when fewer than two qualify (§41)."""
    on = on or today()
    stage = 1 if competition.state == "stage1_admission" else 2
    if competition.state not in ("stage1_admission", "stage2_admission"):
        raise DomainError(_("the completeness check comes after intake closes (§15, §31)"))
    apps = list(competition.applications.filter(stage=stage, state="submitted"))
    results = {a.key: completeness(a) for a in apps}
    proto = eng_package.admission_protocol(competition.rules, stage=stage, results=results)
    notices = notices or {}
    for a in apps:
        if a.key in proto.admitted:
            _app_transition(a, "admit", actor=actor)
        else:
            text = notices.get(a.pk) or "\n".join(f"{p.message} ({p.clause})" for p in proto.returned[a.key])
            _app_transition(a, "return_package", actor=actor, notice=text)
    _event(competition, f"stage{stage}_admission_protocol_signed", on, actor=actor)
    if proto.fails:
        _comp_transition(competition, "fail", actor=actor)
        _event(competition, "failed", on, actor=actor, note=f"{len(proto.admitted)} qualified ({proto.failure_clause})")
    else:
        _comp_transition(competition, "sign_admission_protocol", actor=actor)
    return proto


# ----------------------------------------------------------------------------- conclusions (§6, §17, §27–§29, §33)


@transaction.atomic
def request_conclusion(*, actor, application: Application, body: str, on: dt.date | None = None) -> Conclusion:
    """Register a request for a conclusion (akimat App. 3 §6; authorized body §17/§27; regional body §17/§33)."""
    on = on or today()
    c, created = Conclusion.objects.get_or_create(application=application, body=body, defaults={"requested_on": on})
    if created:
        audit.record(actor=actor, action="conclusion.request", obj=c)
        name = "akimat_request_registered" if body == "akimat" else f"conclusion_requested:{body}"
        _event(application.competition, name, on, application=application, actor=actor)
    return c


@transaction.atomic
def route_for_conclusions(*, actor, application: Application, on: dt.date | None = None) -> list[Conclusion]:
    """Send an admitted package to the bodies the engine names for its stage (§17, §27, §33)."""
    routes = eng_outcome.routing(application.competition.rules, default_calendar(), stage=application.stage,
                                 registered=on or today(), skipped_stage1=application.skipped_stage1)
    out = [request_conclusion(actor=actor, application=application, body=r.body, on=on) for r in routes]
    if application.state == "admitted":
        _app_transition(application, "start_review", actor=actor)
    return out


@transaction.atomic
def issue_conclusion(*, actor, conclusion: Conclusion, positive: bool, text: str, on: dt.date | None = None) -> Conclusion:
    """Record a body's conclusion; it is final once issued."""
    if conclusion.issued_on:
        raise DomainError(_("this conclusion has already been issued"))
    if not text.strip():
        raise DomainError(_("the conclusion needs its text"))
    on = on or today()
    before = audit.snapshot(conclusion)
    conclusion.issued_on, conclusion.positive, conclusion.text, conclusion.author = on, positive, text, actor
    conclusion.save()
    audit.record(actor=actor, action="conclusion.issue", obj=conclusion, before=before)
    name = "akimat_conclusion_issued" if conclusion.body == "akimat" else f"conclusion_issued:{conclusion.body}"
    _event(conclusion.application.competition, name, on, application=conclusion.application, actor=actor)
    return conclusion


# ----------------------------------------------------------------------------- expert council (§19–§21, §34–§35)


def _expert(user) -> eng_experts.Expert:
    prof = getattr(user, "profile", None)
    return eng_experts.Expert(user.get_username(), getattr(prof, "years_experience", None), getattr(prof, "organisation_bin", "") or "")


@transaction.atomic
def assign_expert(*, actor, application: Application, expert) -> ExpertAssignment:
    """Assign an expert (§19: ≥ 5 years of experience); an automatic conflict is recorded when the expert's
    organisation BIN is the applicant's or a participant's."""
    rules = application.competition.rules
    why = eng_experts.expert_admissible(rules, _expert(expert))
    if why:
        raise DomainError(f"{expert.get_username()}: {engine_text(why)}")
    v = application.submitted_version()
    conflict = eng_experts.conflict_of_interest(_expert(expert), participant_bins=[p.bin for p in v.participants.all()] if v else [],
                                                applicant_bin=application.organisation_bin)
    a, created = ExpertAssignment.objects.get_or_create(application=application, expert=expert,
                                                        defaults={"auto_conflict": "; ".join(conflict.reasons)})
    if created:
        audit.record(actor=actor, action="expert.assign", obj=a, note=a.auto_conflict)
        if not a.conflicted:
            ScoreSheet.objects.create(assignment=a)
    return a


@transaction.atomic
def declare_interest(*, actor, assignment: ExpertAssignment, conflicted: bool, text: str = "") -> None:
    """The expert's conflict-of-interest declaration for one application (required before scoring)."""
    if assignment.expert_id != actor.pk:
        raise DomainError(_("only the assigned expert declares"))
    before = audit.snapshot(assignment)
    assignment.declared_at, assignment.declared_conflict, assignment.declaration_text = timezone.now(), conflicted, text
    assignment.save()
    audit.record(actor=actor, action="expert.declare", obj=assignment, before=before)


def _ensure_can_score(actor, sheet: ScoreSheet):
    a = sheet.assignment
    if a.expert_id != actor.pk:
        raise DomainError(_("this score sheet belongs to another expert"))
    if a.conflicted:
        raise DomainError(_("a conflicted expert does not score this application"))
    if a.declared_at is None:
        raise DomainError(_("declare any conflict of interest before scoring"))
    if sheet.submitted_at:
        raise DomainError(_("the score sheet was submitted and is final"))


@enforces("scoring.scoring")
@transaction.atomic
def save_scores(*, actor, sheet: ScoreSheet, scores: dict, justifications: dict, version: int, submit: bool = False) -> ScoreSheet:
    """Save a draft (or submit) the expert's scores. ``version`` is the sheet version the page was loaded with;
    when the sheet changed since (another tab), :class:`StaleEdit` is raised and nothing is written."""
    _ensure_can_score(actor, sheet)
    comp = sheet.assignment.application.competition
    rules = comp.rules
    if submit:
        errs = eng_scoring.validate_sheet(rules.scoring, rules.criteria,
                                          eng_scoring.ScoreSheet(actor.get_username(), "x", scores, justifications))
        if errs:
            raise DomainError("; ".join(engine_text(e) for e in errs))
    before = audit.snapshot(sheet)
    n = ScoreSheet.objects.filter(pk=sheet.pk, version=version, submitted_at__isnull=True).update(
        scores=scores, justifications=justifications, version=F("version") + 1,
        submitted_at=timezone.now() if submit else None, updated_at=timezone.now())
    if n == 0:
        raise StaleEdit(_("these scores were changed in another window since you opened this page; reload to see the current values — your edit was not saved"))
    sheet.refresh_from_db()
    audit.record(actor=actor, action="score.submit" if submit else "score.save", obj=sheet, before=before)
    return sheet


def ranked(competition: Competition, stage: int):
    """The engine's ranked list of the stage's applications under review, from submitted score sheets."""
    rules = competition.rules
    apps = list(competition.applications.filter(stage=stage).exclude(state__in=("draft", "refused_late", "withdrawn", "returned", "submitted")))
    sheets = [eng_scoring.ScoreSheet(s.assignment.expert.get_username(), s.assignment.application.key, s.scores, s.justifications)
              for s in ScoreSheet.objects.filter(assignment__application__in=apps, submitted_at__isnull=False)
              .select_related("assignment__expert", "assignment__application")]
    lst = eng_scoring.ranked_list(rules.scoring, rules.criteria, sheets, {a.key: a.registered_at for a in apps if a.registered_at},
                                  applications=[a.key for a in apps])
    by_key = {a.key: a for a in apps}
    if competition.minimum_score is not None and stage == 1:
        eng_scoring.apply_threshold(rules, lst, competition.minimum_score)
    return [(e, by_key[e.application]) for e in lst]


@transaction.atomic
def sign_review_protocol(*, actor, competition: Competition, on: dt.date | None = None) -> None:
    """Record the review protocol (§22 / §36) once every package under review has its conclusions and a quorum of scores."""
    on = on or today()
    stage = 1 if competition.state == "stage1_review" else 2
    rules = competition.rules
    unrouted = competition.applications.filter(stage=stage, state="admitted")
    if unrouted.exists():
        raise DomainError((_("%(application)s: not yet sent for conclusions (§17)") if stage == 1 else
                           _("%(application)s: not yet sent for conclusions (§27, §33)")) % {"application": unrouted.first()})
    for entry, app in ranked(competition, stage):
        recvd = set(app.conclusions.filter(issued_on__isnull=False).values_list("body", flat=True))
        miss = eng_outcome.missing_conclusions(rules, stage=stage, received=recvd, skipped_stage1=app.skipped_stage1)
        if miss:
            raise DomainError(_("%(application)s: conclusion of %(bodies)s missing (%(clauses)s)") % {
                "application": app, "bodies": ", ".join(str(dict(BODIES).get(m.body, m.body)) for m in miss),
                "clauses": clause_in(", ".join(m.clause for m in miss))})
        if not entry.quorum_met and (stage == 1 or rules.scoring.stage2_scored):
            raise DomainError(_("%(application)s: %(count)s submitted score sheet(s); the quorum is %(quorum)s") % {
                "application": app, "count": entry.experts, "quorum": rules.scoring.quorum})
    _comp_transition(competition, "sign_review_protocol", actor=actor)
    _event(competition, f"stage{stage}_scoring_completed", on, actor=actor)
    _event(competition, f"stage{stage}_review_protocol_signed", on, actor=actor)


@transaction.atomic
def send_to_commission(*, actor, competition: Competition, on: dt.date | None = None) -> None:
    """Record that the review protocol went to the Commission (§23 / §37)."""
    stage = 1 if competition.state == "stage1_commission" else 2
    _event(competition, f"stage{stage}_sent_to_commission", on or today(), actor=actor)
    audit.record(actor=actor, action="competition.send_to_commission", obj=competition, changes={"stage": [None, stage]})


# ----------------------------------------------------------------------------- Commission (§24–§26, §38–§39), results (§40)


@transaction.atomic
def record_stage1_decision(*, actor, competition: Competition, minimum_score: Decimal, meeting_on: dt.date,
                           protocol_on: dt.date, stage2_intake_closes: dt.date) -> None:
    """The Commission's minimum score (§24), who passes, the protocol (§25) and the stage-2 deadline it states (§26)."""
    if competition.state != "stage1_commission":
        raise DomainError(_("the stage-1 decision follows the review protocol (§22–§24)"))
    if not (meeting_on <= protocol_on <= today()):
        raise DomainError(_("the protocol (§25) follows the meeting, and neither is in the future"))
    if stage2_intake_closes <= protocol_on:
        raise DomainError(_("the deadline for strategies and roadmaps (§26) must be after the protocol"))
    before = audit.snapshot(competition)
    competition.minimum_score = Decimal(str(minimum_score))
    competition.stage2_intake_closes = stage2_intake_closes
    competition.save()
    audit.record(actor=actor, action="commission.minimum_score", obj=competition, before=before, note="§24, §26")
    for entry, app in ranked(competition, 1):
        CommissionDecision.objects.update_or_create(application=app, defaults=dict(
            positive=bool(entry.passes), score=entry.score, decided_on=meeting_on, recorded_by=actor))
        _app_transition(app, "pass_threshold" if entry.passes else "fail_threshold", actor=actor)
    _comp_transition(competition, "record_commission_decision", actor=actor)
    _event(competition, "stage1_commission_meeting", meeting_on, actor=actor)
    _event(competition, "stage1_commission_protocol_signed", protocol_on, actor=actor)
    _event(competition, "stage2_intake_closes", stage2_intake_closes, actor=actor)


@transaction.atomic
def record_stage2_decision(*, actor, competition: Competition, decisions: dict, meeting_on: dt.date, received_on: dt.date) -> None:
    """The Commission's stage-2 winners with the support recommended (§38) and its protocol received (§39).

    ``decisions``: ``{application id: (winner: bool, support: str)}``.
    """
    if competition.state != "stage2_commission":
        raise DomainError(_("the stage-2 decision follows the stage-2 review protocol (§36–§38)"))
    if not (meeting_on <= received_on <= today()):
        raise DomainError(_("the protocol is received (§39) after the meeting, and neither is in the future"))
    apps = {a.pk: a for a in competition.applications.filter(stage=2, state="under_review")}
    errs = eng_scoring.check_winner_decisions(competition.rules, [eng_scoring.WinnerDecision(str(k), w, s) for k, (w, s) in decisions.items()],
                                              [str(k) for k in apps])
    if errs:
        raise DomainError("; ".join(engine_text(e) for e in errs))
    scores = {e.application: e.score for e, _ in ranked(competition, 2)}
    for pk, (winner, support) in decisions.items():
        app = apps[int(pk)]
        CommissionDecision.objects.update_or_create(application=app, defaults=dict(
            positive=winner, support=support, score=scores.get(app.key), decided_on=meeting_on, recorded_by=actor))
        _app_transition(app, "declare_winner" if winner else "not_selected", actor=actor)
    _comp_transition(competition, "record_commission_decision", actor=actor)
    _event(competition, "stage2_commission_meeting", meeting_on, actor=actor)
    _event(competition, "stage2_commission_protocol_received", received_on, actor=actor)


@transaction.atomic
def publish_results(*, actor, competition: Competition, on: dt.date | None = None) -> None:
    """Publish the results on the organizer's website (§40)."""
    _comp_transition(competition, "publish_results", actor=actor)
    _event(competition, "results_published", on or today(), actor=actor)


def rerun_due(competition: Competition) -> dt.date | None:
    """Last day to announce the re-run of a failed competition (§42)."""
    ev = competition.events.filter(name="failed").first()
    if ev is None:
        return None
    return eng_outcome.failure(competition.rules, default_calendar(), qualified=0, decided_on=ev.day).rerun_due


def participants_io(version: PackageVersion) -> bytes:
    """The participants of a version as XLSX bytes (export; same columns as the import)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "BIN", "OKED", "KATO", "affiliation group"])
    for p in version.participants.all():
        ws.append([p.name, p.bin, p.oked, p.kato, p.affiliation_group])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
