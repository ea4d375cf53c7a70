"""Operations of the competition: each calls the engine for the rule, stores the result and audits it.

Every function takes keyword-only arguments, the acting user first, and raises
:class:`DomainError` (a user-facing message naming the clause) when the regulation forbids the
action. Every state change goes through :func:`klaster.common.audit.record`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klaster.common import audit, files, locking
from klaster.common.calendar import default_calendar
from klaster.common.dates import DayRefused, Follows, backdating_note, check_recorded_day
from klaster.common.money import MoneyError, parse_decimal
from klaster.competition.i18n import bin_error_text, clause_in, day_in, engine_text, problem_text, state_label, transition_text
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
    PaperReceipt,
    Participant,
    ScoreSheet,
    StructuredDocument,
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
    """The record (a score sheet, a package) was changed elsewhere since this page was loaded; nothing was saved."""


_replayed_day: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("klaster_competition_day", default=None)


def today() -> dt.date:
    """Today in Asia/Almaty — or the day being replayed (:func:`on_day`)."""
    return _replayed_day.get() or timezone.localdate()


@contextlib.contextmanager
def on_day(day: dt.date):
    """Replay a history day by day: inside the block :func:`today` is ``day``, so every act is
    recorded on the day it happened (demo data, imports of past competitions). Not for pages."""
    token = _replayed_day.set(day)
    try:
        yield day
    finally:
        _replayed_day.reset(token)


def _recorded(day: dt.date | None, *, follows=(), reason: str = "", field=None, allow_future: bool = False,
              require_reason: bool = True) -> dt.date:
    """Check the day an act is recorded for (:func:`klaster.common.dates.check_recorded_day` against
    this module's :func:`today`); a refusal becomes a :class:`DomainError`."""
    day = day or today()
    try:
        return check_recorded_day(day, follows=follows, reason=reason, field=str(field or _("date")), on=today(), allow_future=allow_future,
                                  require_reason=require_reason)
    except DayRefused as e:
        raise DomainError(e.text()) from None


def _note(day: dt.date, reason: str) -> str:
    return backdating_note(day, reason, on=today())


def event_day(competition, name: str, application=None) -> dt.date | None:
    """The (earliest) day of a recorded event, or None."""
    qs = competition.events.filter(name=name)
    if application is not None:
        qs = qs.filter(application=application)
    e = qs.order_by("day", "id").first()
    return e.day if e else None


def _stage_of(competition) -> int:
    return 2 if competition.state.startswith("stage2") or competition.state in ("decided", "published") else 1


def _stale(fn):
    """Run a lock-checked save; a :class:`klaster.common.locking.StaleEdit` becomes this module's StaleEdit."""
    try:
        return fn()
    except locking.StaleEdit as e:
        raise StaleEdit(e.text()) from None


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
                                             intake_closes=app.competition.intake_closes_effective(app.stage), notice=notice)
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


def council_size() -> int:
    """Number of members of the expert council (active users holding the expert role, §19)."""
    from django.contrib.auth import get_user_model

    from klaster.accounts.roles import Role

    return get_user_model().objects.filter(groups__name=Role.EXPERT.value, is_active=True).distinct().count()


def _check_quorum(rules) -> None:
    """A quorum set for a competition may not exceed the expert council (§19); the council may be
    formed after the announcement, so only a quorum a user sets is checked."""
    size = council_size()
    if rules.scoring.quorum > size:
        raise DomainError(_("a quorum of %(quorum)s experts can never be reached: the expert council has %(size)s members (§19)")
                          % {"quorum": rules.scoring.quorum, "size": size})


@transaction.atomic
def announce_competition(*, actor, title: str, stage1_intake_closes: dt.date, announced_on: dt.date | None = None, reason: str = "",
                         criteria: tuple[str, str | None] | None = None, public_note: str = "",
                         rerun_of: Competition | None = None, scoring: dict | None = None, readings: dict | None = None,
                         regulation: tuple[str, str] | None = None, blind: bool = False) -> Competition:
    """Announce a competition and pin its regulation (§3–§5).

    The announcement is dated the day it is made (``announced_on`` defaults to today; an earlier
    day is a historical record and needs ``reason``, audited); §5 — at least 60 calendar days
    before intake closes — is checked against that date, so a closing date in the past is
    refused. ``scoring`` overrides the default scoring configuration (the seed is silent on it;
    the quorum may not exceed the council, §19); ``readings`` chooses among the readings the
    regulation data names (default: the data's); both are validated and recorded with the
    competition. A re-run (§42) is announced on or after the failure it follows.

    Raises
    ------
    DomainError
    """
    from klaster.engine.competition.rules import RulesFormatError
    from klaster.regulations import RegulationError, check_readings

    announced_on = _recorded(announced_on, reason=reason, field=_("announced on"),
                             follows=[Follows(event_day(rerun_of, "failed"), _("the failure of the competition"), "§41, §42")] if rerun_of else ())
    if rerun_of is not None and rerun_of.state != "failed":
        raise DomainError(_("only a failed competition is re-run (§42)"))
    try:
        rules = load_rules(*(regulation or ()), criteria=criteria)
    except RegulationError as e:
        raise DomainError(str(e)) from e
    if scoring:
        try:
            rules = rules.with_scoring(scoring)
        except RulesFormatError as e:
            raise DomainError(_("invalid scoring configuration: %(detail)s") % {"detail": str(e).split(": ", 1)[-1]}) from e
    try:
        chosen = check_readings(rules.doc, readings)
    except RegulationError as e:
        raise DomainError(str(e)) from e
    if scoring and scoring.get("quorum") is not None:
        _check_quorum(rules)
    problem = eng_outcome.announcement_problem(rules, default_calendar(), announced_on=announced_on, intake_closes=stage1_intake_closes)
    if problem:
        raise DomainError(engine_text(problem))
    c = Competition.objects.create(title=title, stage1_intake_closes=stage1_intake_closes, announced_on=announced_on,
                                   rules_pins=rules.pins, scoring=rules.scoring.as_dict(), readings=chosen, public_note=public_note,
                                   created_by=actor, rerun_of=rerun_of, blind=bool(blind))
    audit.record(actor=actor, action="competition.create", obj=c, note=_note(announced_on, reason))
    _comp_transition(c, "announce", actor=actor)
    _event(c, "announced", announced_on, actor=actor, note=_note(announced_on, reason))
    _event(c, "stage1_intake_closes", c.intake_closes_effective(1), actor=actor)
    if rerun_of is not None:
        _comp_transition(rerun_of, "announce_rerun", actor=actor)
        _event(rerun_of, "rerun_announced", announced_on, actor=actor)
    return c


@transaction.atomic
def set_scoring(*, actor, competition: Competition, scoring: dict) -> Competition:
    """Change the competition's scoring configuration (aggregation, quorum) until the first score
    sheet is submitted; the quorum may not exceed the council (§19). Audited.

    Raises
    ------
    DomainError
    """
    from klaster.engine.competition.rules import RulesFormatError

    if ScoreSheet.objects.filter(assignment__application__competition=competition, submitted_at__isnull=False).exists():
        raise DomainError(_("the scoring configuration is fixed once a score sheet has been submitted"))
    if competition.state in ("decided", "published", "failed", "rerun_announced", "draft"):
        raise DomainError(_("the scoring configuration of a competition in this state cannot change"))
    base = load_pinned_rules(competition)
    try:
        rules = base.with_scoring({**competition.scoring, **scoring})
    except RulesFormatError as e:
        raise DomainError(_("invalid scoring configuration: %(detail)s") % {"detail": str(e).split(": ", 1)[-1]}) from e
    _check_quorum(rules)
    before = audit.snapshot(competition)
    competition.scoring = rules.scoring.as_dict()
    competition.save()
    audit.record(actor=actor, action="competition.scoring", obj=competition, before=before, note="§20–§21 (klaster defaults)")
    return competition


def load_pinned_rules(competition: Competition):
    """The competition's pinned regulation without its recorded scoring overrides."""
    from klaster.engine.competition.rules import load_pinned

    return load_pinned(competition.rules_pins) if competition.rules_pins else load_rules()


def timeline(competition: Competition, on: dt.date | None = None):
    """Deadline rows (engine :func:`~klaster.engine.competition.deadlines.timeline`) of a competition and its applications."""
    return _timeline_of(competition, list(competition.events.all()), competition.applications.exclude(state__in=TIMELINE_GONE),
                        default_calendar(), on or today())


#: Application states that have left the competition's timeline.
TIMELINE_GONE = ("refused_late", "withdrawn")


def _timeline_of(competition: Competition, events, applications, calendar, on: dt.date, rules=None):
    """The engine's deadline rows from a competition's recorded events (in day order) and its
    applications not in :data:`TIMELINE_GONE` (a draft counts only once an event names it)."""
    evs = [eng_deadlines.Event(e.name, e.day, Application(pk=e.application_id).key if e.application_id else None) for e in events]
    with_events = {e.application_id for e in events if e.application_id}
    apps = [eng_deadlines.AppRef(a.key, a.stage, a.skipped_stage1, str(a)) for a in applications
            if a.state not in TIMELINE_GONE and (a.state != "draft" or a.pk in with_events)]
    return eng_deadlines.timeline(rules or competition.rules, calendar, evs, on, apps)


def application_label(a: Application) -> str:
    """``cluster — organisation (stage N)`` in the active language."""
    return _("%(cluster)s — %(organisation)s (stage %(stage)s)") % {"cluster": a.cluster_name, "organisation": a.organisation_name,
                                                                    "stage": a.stage}


def timeline_labelled(competition: Competition, on: dt.date | None = None, lang: str = "ru"):
    """``[(deadline row, application or None, step text in lang, actor name in lang, deadline spec)]`` for the pages.

    The application is the :class:`Application` the row belongs to (None for competition rows);
    the deadline spec (:class:`~klaster.engine.competition.rules.DeadlineSpec`) gives its length and
    unit (working or calendar days, months) for the "term" column."""
    apps = {a.key: a for a in competition.applications.all()}
    return _labelled(competition.rules, timeline(competition, on), apps, lang)


def _labelled(rules, rows, apps: dict, lang: str):
    actors = {x.id: x.name.get(lang) for x in rules.actors}
    return [(r, apps.get(r.subject), rules.step(r.step_id).text.get(lang), actors.get(r.actor, r.actor), rules.step(r.step_id).deadline)
            for r in rows]


def timelines_labelled(competitions, on: dt.date | None = None, lang: str = "ru") -> dict[int, list]:
    """``{competition id: rows of timeline_labelled(competition, on, lang)}`` for many competitions in
    three queries whatever their number (their events, their applications, the calendar) — the
    organizer's dashboard. Same rows as :func:`timeline_labelled` competition by competition."""
    comps = list(competitions)
    ids = [c.pk for c in comps]
    events: dict[int, list] = {pk: [] for pk in ids}
    for e in CompetitionEvent.objects.filter(competition_id__in=ids).order_by("day", "id"):
        events[e.competition_id].append(e)
    apps: dict[int, list] = {pk: [] for pk in ids}
    for a in Application.objects.filter(competition_id__in=ids).order_by("stage", "id"):
        apps[a.competition_id].append(a)
    calendar, day = default_calendar(), on or today()
    out = {}
    for c in comps:
        rules = c.rules
        rows = _timeline_of(c, events[c.pk], apps[c.pk], calendar, day, rules=rules)
        out[c.pk] = _labelled(rules, rows, {a.key: a for a in apps[c.pk]}, lang)
    return out


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
def record_roadmap_event(*, actor, application: Application, name: str, on: dt.date | None = None, reason: str = "") -> None:
    """Record a §28.1 step of the authorized body, once: the roadmap forwarded to the interested
    bodies (on or after the request was registered) or agreed by them (on or after it was forwarded).

    Raises
    ------
    DomainError
        Not a stage-2 roadmap step; recorded already; a day in the future, before the step it follows,
        or back-dated without a reason.
    """
    if name not in ("roadmap_forwarded", "roadmap_agreed") or application.stage != 2:
        raise DomainError(_("only the §28.1 roadmap steps of a stage-2 application are recorded here"))
    comp = application.competition
    done = event_day(comp, name, application)
    if done:
        raise DomainError(_("this step was recorded already (%(day)s)") % {"day": day_in(done)})
    if name == "roadmap_forwarded":
        follows = [Follows(event_day(comp, "conclusion_requested:authorized_body", application), _("the registration of the request to the authorized body"), "§27, §28.1")]
    else:
        follows = [Follows(event_day(comp, "roadmap_forwarded", application), _("the forwarding of the roadmap"), "§28.1")]
    on = _recorded(on, follows=follows, reason=reason)
    _event(comp, name, on, application=application, actor=actor, note=_note(on, reason))
    audit.record(actor=actor, action=f"application.{name}", obj=application, changes={name: [None, on.isoformat()]},
                 note="; ".join(x for x in ("§28.1", _note(on, reason)) if x))


@transaction.atomic
def close_intake(*, actor, competition: Competition, on: dt.date | None = None, reason: str = "") -> None:
    """Close the intake of the current stage (§13): only after the (effective) closing day."""
    if competition.state not in ("stage1_intake", "stage2_intake"):
        raise DomainError(_("intake is not open"))
    stage = 1 if competition.state == "stage1_intake" else 2
    closes = competition.intake_closes_effective(stage)
    on = _recorded(on, reason=reason)
    _comp_transition(competition, "close_intake", actor=actor, today=on, intake_closes=closes)
    if reason:
        audit.record(actor=actor, action="competition.close_intake_backdated", obj=competition, changes={}, note=_note(on, reason))


# ----------------------------------------------------------------------------- applications


@transaction.atomic
def create_application(*, actor, competition: Competition, stage: int = 1, organisation_name: str, organisation_bin: str,
                       kind: str, cluster_name: str, region_kato: str, signatory_position: str = "", signatory_name: str = "",
                       skipped_stage1: bool = False, stage1_application: Application | None = None, sector_oked: str = "") -> Application:
    """Start an application (a draft package, version 1) while the stage's intake is open. Checks who
    may take part in the stage (§2.7, §2.8, §8). ``sector_oked`` is the OKED code of the cluster's
    specialisation: it decides the authorized body of §17 and §27 and the experts' sector matching.

    Raises
    ------
    DomainError
        Intake of the stage not open; the kind may not take part; an unknown OKED code.
    """
    if competition.state != f"stage{stage}_intake":
        raise DomainError(_("intake of stage %(stage)s is not open in this competition") % {"stage": stage})
    sector_oked = normalize_oked(sector_oked or "")
    if sector_oked:
        from django.core.exceptions import ValidationError

        from klaster.reference.validators import validate_oked

        try:
            validate_oked(sector_oked)
        except ValidationError as e:
            raise DomainError(_("sector: %(error)s") % {"error": " ".join(e.messages)}) from None
    rules = competition.rules
    winner = bool(stage1_application and stage1_application.state == "passed")
    p = eng_package.may_take_part(rules, stage=stage, kind=kind, stage1_winner=winner)
    if p:
        raise DomainError(problem_text(p))
    app = Application.objects.create(
        competition=competition, stage=stage, applicant=actor, organisation_name=organisation_name, organisation_bin=organisation_bin,
        kind=kind, cluster_name=cluster_name, region_kato=region_kato, signatory_position=signatory_position,
        signatory_name=signatory_name, skipped_stage1=skipped_stage1 and not winner, stage1_application=stage1_application,
        sector_oked=sector_oked or (stage1_application.sector_oked if stage1_application else ""))
    PackageVersion.objects.create(application=app, number=1)
    audit.record(actor=actor, action="application.create", obj=app)
    return app


def _draft(app: Application, version: int | None = None) -> PackageVersion:
    """The draft version of the package, claimed for an edit: ``version`` is the lock version the
    user's page showed (None: a program's edit); a change made since raises :class:`StaleEdit`."""
    v = app.current_version()
    if v is None or v.frozen:
        raise DomainError(_("the submitted package is frozen; start an amendment (a new version, §10) to change it"))
    return _stale(lambda: locking.touch(v, version))


@transaction.atomic
def upload_document(*, actor, application: Application, doc_id: str, uploaded, pages: int | None = None,
                    volume: int | None = None, version: int | None = None, annex_from: int | None = None) -> PackageDocument:
    """Attach a document of the package definition to the draft version.

    The file is checked by :func:`klaster.common.files.check_upload` (type from the content and
    the extension, a PDF opened by pypdf, size limit of the regulation data); for a PDF without a
    stated page count the count of its pages is recorded. ``annex_from`` is the page where the
    document's annexes begin (App. 2 counts the concept's pages without them); for a PDF without it,
    a top-level bookmark titled as an annex marks it, and pages that are not A4 are noted
    (:func:`klaster.competition.domain.structured.pdf_facts`). A replaced file is removed once no
    package version refers to it.

    Raises
    ------
    DomainError
        Not a document of the stage's package; the package is frozen or was changed since
        (:class:`StaleEdit`); the file is refused; the annexes start after the last page.
    """
    rules = application.competition.rules
    spec = rules.package(application.stage)
    if doc_id not in {d.id for d in spec.documents}:
        raise DomainError(_("%(doc)s is not a document of the stage-%(stage)s package (%(clause)s)") % {"doc": repr(doc_id), "stage": application.stage, "clause": spec.clause})
    v = _draft(application, version)
    try:
        checked = files.check_upload(uploaded, allowed=rules.upload_types, max_bytes=rules.upload_max_mb * 1024 * 1024)
    except files.UploadRejected as e:
        raise DomainError(e.text()) from None
    name = uploaded.name
    total = pages if pages is not None else checked.pages
    if annex_from is not None and total is not None and annex_from > total:
        raise DomainError(_("%(name)s: the annexes cannot start at page %(page)s of %(pages)s") % {"name": name, "page": annex_from, "pages": total})
    source, non_a4 = ("stated" if annex_from else ""), []
    if checked.ext == "pdf":
        from klaster.competition.domain.structured import pdf_facts

        uploaded.seek(0)
        bookmark, non_a4 = pdf_facts(uploaded.read())
        uploaded.seek(0)
        if annex_from is None and bookmark is not None:
            annex_from, source = bookmark, "bookmark"
    old = v.documents.filter(doc_id=doc_id).first()
    if old:
        audit.record(actor=actor, action="package.document_replace", obj=old, changes={"file": [old.original_name, name]})
        old_name = old.file.name
        old.delete()
        files.discard(old_name)
    d = PackageDocument(version=v, doc_id=doc_id, original_name=name, size=checked.size, sha256=checked.sha256,
                        pages=total, volume=volume, uploaded_by=actor, annex_from=annex_from, annex_source=source, non_a4=non_a4[:1000])
    d.file.save(f"{doc_id}.{checked.ext}", uploaded, save=False)
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
def add_participant(*, actor, application: Application, name: str, bin: str, oked: str, kato: str, affiliation_group: str = "",
                    version: int | None = None) -> Participant:
    """Add a participant row to the draft package (BIN, OKED, KATO validated)."""
    v = _draft(application, version)
    row = dict(name=name, bin=bin.strip(), oked=normalize_oked(oked), kato=kato.strip(), affiliation_group=affiliation_group.strip())
    errs = validate_participant_row(row)
    if errs:
        raise DomainError("; ".join(errs))
    p = Participant.objects.create(version=v, row=v.participants.count() + 1, **row)
    audit.record(actor=actor, action="package.participant_add", obj=p)
    return p


@transaction.atomic
def remove_participant(*, actor, participant: Participant, version: int | None = None) -> None:
    """Remove a participant row from the draft package."""
    _draft(participant.version.application, version)
    audit.record(actor=actor, action="package.participant_remove", obj=participant, before=audit.snapshot(participant), after={})
    participant.delete()


COLUMNS = {"name": ("name", "наименование", "атауы"), "bin": ("bin", "бин", "бсн"), "oked": ("oked", "окэд", "экжж", "эқжж"),
           "kato": ("kato", "като", "әакж"), "affiliation_group": ("affiliation", "affiliation group", "аффилированность", "группа аффилированности",
                                                                    "үлестес топ")}


#: Limits of a participants workbook (a cluster has tens to hundreds of participants).
PARTICIPANTS_XLSX = files.XlsxLimits(max_sheets=20, max_rows=5000, max_cols=50, max_cells=250_000, max_bytes=10 * 1024 * 1024)


def import_participants_xlsx(*, actor, application: Application, fileobj, version: int | None = None) -> tuple[int, list[tuple[int, str]]]:
    """Import participants from the first sheet of an XLSX file (header row: name, BIN, OKED, KATO,
    affiliation group), streamed with limits (:data:`PARTICIPANTS_XLSX`).

    Returns ``(rows imported, [(row number, error), …])``. Nothing is imported when any row has an error.

    Raises
    ------
    DomainError
        Not a readable XLSX, over a limit, a header without the columns, or the package changed since.
    """
    try:
        with files.open_xlsx(fileobj, limits=PARTICIPANTS_XLSX) as book:
            rows = list(book.rows(0))
    except files.UploadRejected as e:
        raise DomainError(e.text()) from None
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
    width = max(idx.values()) + 1
    errors, good = [], []
    for n, r in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in r):
            continue
        r = tuple(r) + (None,) * (width - len(r))
        rec = {k: ("" if r[i] is None else str(r[i]).strip()) for k, i in idx.items()}
        rec.setdefault("affiliation_group", "")
        rec["oked"] = normalize_oked(rec["oked"])
        if isinstance(r[idx["bin"]], int) or (isinstance(r[idx["bin"]], float) and r[idx["bin"]].is_integer() and 0 <= r[idx["bin"]] < 1e12):
            rec["bin"] = f"{int(r[idx['bin']]):012d}"
        for k, limit in (("name", 300), ("bin", 12), ("oked", 10), ("kato", 9), ("affiliation_group", 200)):
            if len(rec[k]) > limit:
                errors.append((n, _("%(field)s: at most %(limit)s characters") % {"field": k, "limit": limit}))
                rec[k] = rec[k][:limit]
        errs = validate_participant_row(rec)
        if errs:
            errors.extend((n, e) for e in errs)
        else:
            good.append(rec)
    if errors:
        return 0, errors
    with transaction.atomic():
        _draft(application, version)
        for rec in good:
            add_participant(actor=actor, application=application, **rec)
    return len(good), []


def _engine_participants(version: PackageVersion | None):
    if version is None:
        return []
    return [eng_package.Participant(p.name, p.bin, p.oked, p.kato, p.affiliation_group) for p in version.participants.all()]


def completeness(application: Application, version: PackageVersion | None = None):
    """The engine's completeness result for a package version (default: the submitted one, else the
    draft): documents (§6, §7), participants (Criteria 1.1), the content of the concept, strategy and
    roadmap (App. 2, 5, 6) with the concept's pages, and the paper package (§9, §11)."""
    from klaster.competition.domain.records import paper_of
    from klaster.competition.domain.structured import structured_map

    v = version or application.submitted_version() or application.current_version()
    issued = set(application.conclusions.filter(issued_on__isnull=False, positive=True).values_list("body", flat=True))
    if application.stage == 2 and application.stage1_application_id:
        issued |= set(application.stage1_application.conclusions.filter(issued_on__isnull=False, positive=True, body="akimat")
                      .values_list("body", flat=True))
    negative = {c.body: c.text for c in application.conclusions.filter(issued_on__isnull=False, positive=False)}
    winner = bool(application.stage1_application and application.stage1_application.state == "passed")
    return _check_package(application, application.competition.rules, v, issued=issued, negative=negative, winner=winner,
                          structured=structured_map(v), paper=paper_of(application))


def _check_package(application: Application, rules, v: PackageVersion | None, *, issued: set, negative: dict, winner: bool,
                   structured: dict, paper):
    """The engine's check of version ``v`` (its documents and participants read or prefetched) given
    the bodies whose positive conclusion is issued, the negative conclusions ``{body: text}``, whether
    the stage-1 application passed, the structured content and the paper receipt."""
    docs = [eng_package.DocumentInfo(d.doc_id, d.original_name, d.pages, d.volume, d.annex_from, tuple(d.non_a4 or ()))
            for d in v.documents.all()] if v else []
    # A document produced by a body (App. 3 akimat conclusion; the authorized body's conclusion, §7.4/§29)
    # is present when that body's positive conclusion is recorded in klaster, even without a scanned copy.
    spec = rules.package(application.stage)
    have = {d.doc_id for d in docs}
    docs += [eng_package.DocumentInfo(d.id, f"conclusion:{d.produced_by}") for d in spec.documents
             if d.produced_by in issued and d.id not in have]
    return eng_package.check_package(rules, stage=application.stage, documents=docs,
                                     participants=_engine_participants(v), skipped_stage1=application.skipped_stage1,
                                     kind=application.kind, stage1_winner=winner, negative_conclusions=negative,
                                     structured=structured, paper=paper, announced=application.competition.announced_on)


def completeness_of(applications) -> dict[int, object]:
    """``{application id: completeness(application)}`` for many applications in a fixed number of
    queries whatever their number (versions; the chosen versions' documents, participants and
    structured content; conclusions; stage-1 applications; paper receipts; competitions not already
    loaded) — the organizer's competition page. Same results as :func:`completeness` one by one
    (each application's submitted version, else its draft)."""
    from django.db.models import prefetch_related_objects

    from klaster.engine.competition import forms as eng_forms

    apps = list(applications)
    ids = [a.pk for a in apps]
    chosen: dict[int, PackageVersion] = {}  # the submitted version (last frozen), else the last one
    for v in PackageVersion.objects.filter(application_id__in=ids).order_by("application_id", "number"):
        best = chosen.get(v.application_id)
        if best is None or (v.frozen, v.number) > (best.frozen, best.number):
            chosen[v.application_id] = v
    prefetch_related_objects(list(chosen.values()), "documents", "participants", "structured")
    stage1 = {a.stage1_application_id for a in apps if a.stage1_application_id}
    stage1_state = dict(Application.objects.filter(pk__in=stage1).values_list("pk", "state")) if stage1 else {}
    issued: dict[int, set] = {pk: set() for pk in [*ids, *stage1]}
    negative: dict[int, dict] = {pk: {} for pk in ids}
    for c in Conclusion.objects.filter(application_id__in=[*ids, *stage1], issued_on__isnull=False):
        if c.positive:
            issued[c.application_id].add(c.body)
        elif c.positive is False and c.application_id in negative:
            negative[c.application_id][c.body] = c.text
    paper = {r.application_id: eng_forms.Paper(r.originals, r.copies, r.electronic, tuple(int(x) for x in r.volumes),  # as records.paper_of
                                                {k: eng_forms.PaperDocument(*[int(x) for x in v]) for k, v in (r.documents or {}).items()})
             for r in PaperReceipt.objects.filter(application_id__in=ids)}
    missing = {a.competition_id for a in apps if not Application.competition.is_cached(a)}
    comps = Competition.objects.in_bulk(missing) if missing else {}
    rules: dict[int, object] = {}
    out = {}
    for a in apps:
        if a.competition_id in comps:
            a.competition = comps[a.competition_id]
        if a.competition_id not in rules:
            rules[a.competition_id] = a.competition.rules
        got = set(issued[a.pk])
        if a.stage == 2 and a.stage1_application_id:
            got |= issued[a.stage1_application_id] & {"akimat"}
        v = chosen.get(a.pk)
        out[a.pk] = _check_package(a, rules[a.competition_id], v, issued=got, negative=negative[a.pk],
                                   winner=stage1_state.get(a.stage1_application_id) == "passed",
                                   structured={r.form_id: r.data for r in v.structured.all()} if v else {}, paper=paper.get(a.pk))
    return out


@enforces("records.statement")
def submit_application(*, actor, application: Application, on: dt.date | None = None, reason: str = "", received_by: str = "",
                       version: int | None = None, statement: bool = False) -> Application:
    """Submit (register) the draft package: refused after intake closes (§13) — nothing is recorded
    for a refused package; the version is frozen and a registration number given (receipt App. 1 / App. 4).

    ``statement`` is the participant's acceptance of its responsibility for the completeness and
    accuracy of the information (§12); the statement's text (regulation data) is recorded with the
    time it was accepted. ``on`` is the day the package was received (default today; a paper package
    registered later, §11, keeps its day, with ``reason``). The closing day is the competition's
    effective one (an announced day off moves to the next working day under the default reading,
    Civil Code Art. 187).

    Raises
    ------
    DomainError
        The statement of §12 not accepted; late (§13); a bad day; the package changed since (:class:`StaleEdit`).
    """
    if not statement:
        raise DomainError(_("accept the statement of responsibility for the completeness and accuracy of the information (§12)"))
    on = _recorded(on, reason=reason, field=_("received on"))
    closes = application.competition.intake_closes_effective(application.stage)
    if application.competition.state != f"stage{application.stage}_intake" or closes is None or on > closes:
        raise DomainError(_("late package refused: intake closed on %(closes)s; a package submitted on %(day)s is not accepted or considered (§13)")
                          % {"closes": day_in(closes) if closes else "—", "day": day_in(on)})
    return _register(actor=actor, application=application, on=on, received_by=received_by, version=version)


@transaction.atomic
def _register(*, actor, application: Application, on: dt.date, received_by: str, version: int | None = None) -> Application:
    from klaster.competition.domain.records import statement_text

    v = _draft(application, version)
    before = audit.snapshot(application)
    application.statement_at = _moment(on)
    application.statement_text = statement_text(application.competition) or "§12"
    application.save()
    audit.record(actor=actor, action="application.statement", obj=application, before=before, note="§12")
    comp = application.competition
    action = "amend" if application.state == "submitted" else "submit"
    _app_transition(application, action, actor=actor, day=on)
    v.frozen = True
    v.submitted_at = _moment(on)
    _stale(lambda: locking.save(v))
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
    and registered until the new one is submitted; the new version shares the stored files of the old one."""
    on = on or today()
    if application.state != "submitted":
        raise DomainError(_("only a submitted application can be amended (§10)"))
    if on > application.competition.intake_closes_effective(application.stage):
        raise DomainError(_("a registered application can be amended only before intake closes (§10)"))
    if not reason.strip():
        raise DomainError(_("state the reasons for the change in writing (§10)"))
    old = application.current_version()
    if not old.frozen:
        raise DomainError(_("an amendment (version %(number)s) is already open") % {"number": old.number})
    new = PackageVersion.objects.create(application=application, number=old.number + 1, change_reason=reason)
    for d in old.documents.all():
        PackageDocument.objects.create(version=new, doc_id=d.doc_id, file=d.file.name, original_name=d.original_name, size=d.size,
                                       sha256=d.sha256, pages=d.pages, volume=d.volume, uploaded_by=d.uploaded_by, annex_from=d.annex_from,
                                       annex_source=d.annex_source, non_a4=d.non_a4)
    for p in old.participants.all():
        Participant.objects.create(version=new, row=p.row, name=p.name, bin=p.bin, oked=p.oked, kato=p.kato, affiliation_group=p.affiliation_group)
    for sd in old.structured.all():
        StructuredDocument.objects.create(version=new, form_id=sd.form_id, data=sd.data)
    audit.record(actor=actor, action="package.new_version", obj=new, note=reason)
    return new


@transaction.atomic
def withdraw_application(*, actor, application: Application, notice: str, on: dt.date | None = None) -> None:
    """Withdraw a registered application with a written reasoned notice, before intake closes (§10)."""
    if not (notice or "").strip():
        raise DomainError(_("a withdrawal needs a written notice stating the reasons (§10)"))
    _app_transition(application, "withdraw", actor=actor, day=on or today(), notice=notice)


# ----------------------------------------------------------------------------- admission (§15/§16, §31/§32, §41)


def sign_admission_protocol(*, actor, competition: Competition, on: dt.date | None = None, reason: str = "", notices: dict | None = None,
                            version: int | None = None):
    """Sign the stage's admission protocol (§15/§16, §31/§32, §41): see
    :func:`klaster.competition.domain.records.sign_admission_protocol` (a reviewed draft decides;
    without one, the completeness check's proposals)."""
    from klaster.competition.domain import records

    return records.sign_admission_protocol(actor=actor, competition=competition, on=on, reason=reason, notices=notices, version=version)


# ----------------------------------------------------------------------------- conclusions (§6, §17, §27–§29, §33)


@enforces("routing.sector_body")
def _request(*, actor, application: Application, body: str, on: dt.date, reason: str = "") -> tuple[Conclusion, bool]:
    ministry = ""
    if body == "authorized_body":
        from klaster.competition.domain.records import ministry_for

        found, _rule = ministry_for(application)
        ministry = found.id if found is not None else ""
    c, created = Conclusion.objects.get_or_create(application=application, body=body, defaults={"requested_on": on, "ministry": ministry})
    if created:
        audit.record(actor=actor, action="conclusion.request", obj=c, note=_note(on, reason))
        name = "akimat_request_registered" if body == "akimat" else f"conclusion_requested:{body}"
        _event(application.competition, name, on, application=application, actor=actor, note=_note(on, reason))
    return c, created


@transaction.atomic
def request_conclusion(*, actor, application: Application, body: str, on: dt.date | None = None, reason: str = "") -> Conclusion:
    """Register a request for a conclusion (akimat App. 3 §6; authorized body §17/§27; regional body §17/§33), once.

    Raises
    ------
    DomainError
        Requested already; a day in the future or back-dated without a reason; the application is
        withdrawn, returned or decided.
    """
    if body not in dict(BODIES):
        raise DomainError(_("unknown body %(body)s") % {"body": repr(body)})
    if application.state in ("withdrawn", "returned", "refused_late", "winner", "not_selected", "failed_threshold", "passed"):
        raise DomainError(_("no conclusion is requested for an application in this state"))
    on = _recorded(on, reason=reason)
    old = application.conclusions.filter(body=body).first()
    if old is not None:
        raise DomainError(_("the conclusion of %(body)s was requested already (%(day)s)") % {"body": dict(BODIES)[body], "day": day_in(old.requested_on)})
    return _request(actor=actor, application=application, body=body, on=on, reason=reason)[0]


@transaction.atomic
def route_for_conclusions(*, actor, application: Application, on: dt.date | None = None, reason: str = "") -> list[Conclusion]:
    """Send an admitted package to the bodies the engine names for its stage (§17, §27, §33), once,
    on or after the admission protocol (§15, §31)."""
    if application.state != "admitted":
        raise DomainError(_("%(application)s: only an admitted package is sent for conclusions (§17); it is “%(state)s”")
                          % {"application": application, "state": state_label(application.state)})
    comp = application.competition
    on = _recorded(on, reason=reason, follows=[Follows(event_day(comp, f"stage{application.stage}_admission_protocol_signed"),
                                                        _("the admission protocol"), "§15, §31")])
    routes = eng_outcome.routing(comp.rules, default_calendar(), stage=application.stage,
                                 registered=on, skipped_stage1=application.skipped_stage1)
    out = [_request(actor=actor, application=application, body=r.body, on=on, reason=reason)[0] for r in routes]
    _app_transition(application, "start_review", actor=actor)
    return out


@transaction.atomic
def issue_conclusion(*, actor, conclusion: Conclusion, positive: bool, text: str, on: dt.date | None = None, reason: str = "") -> Conclusion:
    """Record a body's conclusion, on or after the request was registered; it is final once issued."""
    if conclusion.issued_on:
        raise DomainError(_("this conclusion has already been issued"))
    if not text.strip():
        raise DomainError(_("the conclusion needs its text"))
    on = _recorded(on, reason=reason, follows=[Follows(conclusion.requested_on, _("the registration of the request"), "§6, §17, §28")])
    before = audit.snapshot(conclusion)
    conclusion.issued_on, conclusion.positive, conclusion.text, conclusion.author = on, positive, text, actor
    conclusion.save()
    audit.record(actor=actor, action="conclusion.issue", obj=conclusion, before=before, note=_note(on, reason))
    name = "akimat_conclusion_issued" if conclusion.body == "akimat" else f"conclusion_issued:{conclusion.body}"
    _event(conclusion.application.competition, name, on, application=conclusion.application, actor=actor, note=_note(on, reason))
    return conclusion


# ----------------------------------------------------------------------------- expert council (§19–§21, §34–§35)


def _expert(user) -> eng_experts.Expert:
    from klaster.competition.domain.council import expert_of

    return expert_of(user)


@transaction.atomic
def assign_expert(*, actor, application: Application, expert) -> ExpertAssignment:
    """Assign an expert (§19: ≥ 5 years of experience) to a package under review, once; an automatic
    conflict is recorded when the BIN of the expert's organisation or of an organisation affiliated
    with it, or one the expert declared an interest in, is the applicant's or a participant's (§2.10).

    Raises
    ------
    DomainError
        The package is not admitted / under review; the expert is not admissible; assigned already.
    """
    if application.state not in ("admitted", "under_review"):
        raise DomainError(_("%(application)s: experts are assigned to admitted packages (§20, §34); it is “%(state)s”")
                          % {"application": application, "state": state_label(application.state)})
    rules = application.competition.rules
    why = eng_experts.expert_admissible(rules, _expert(expert))
    if why:
        raise DomainError(f"{expert.get_username()}: {engine_text(why)}")
    if application.assignments.filter(expert=expert).exists():
        raise DomainError(_("%(expert)s is assigned to this application already") % {"expert": expert.get_username()})
    v = application.submitted_version()
    conflict = eng_experts.conflict_of_interest(_expert(expert), participant_bins=[p.bin for p in v.participants.all()] if v else [],
                                                applicant_bin=application.organisation_bin)
    a = ExpertAssignment.objects.create(application=application, expert=expert, auto_conflict="; ".join(conflict.reasons))
    audit.record(actor=actor, action="expert.assign", obj=a, note=a.auto_conflict)
    if not a.conflicted:
        ScoreSheet.objects.create(assignment=a)
    return a


@transaction.atomic
def declare_interest(*, actor, assignment: ExpertAssignment, conflicted: bool, text: str = "") -> None:
    """The expert's conflict-of-interest declaration for one application, required before the expert
    reads the package or scores it. It is final for the expert: a declared conflict can be lifted
    only by the organizer (:func:`lift_conflict`); "no conflict" may later become "conflict"
    (a conflict found later), never the reverse.

    Raises
    ------
    DomainError
        Not the assigned expert; a conflict declared already; "no conflict" declared twice.
    """
    if assignment.expert_id != actor.pk:
        raise DomainError(_("only the assigned expert declares"))
    if assignment.declared_conflict:
        raise DomainError(_("you declared a conflict of interest; only the organizer can lift it"))
    if assignment.declared_at and not conflicted:
        raise DomainError(_("your declaration is recorded; declare a conflict if one has arisen since"))
    if conflicted and not (text or "").strip():
        raise DomainError(_("describe the conflict of interest"))
    before = audit.snapshot(assignment)
    assignment.declared_at, assignment.declared_conflict, assignment.declaration_text = timezone.now(), conflicted, text
    assignment.save()
    audit.record(actor=actor, action="expert.declare", obj=assignment, before=before)
    if conflicted:
        sheet = getattr(assignment, "sheet", None)
        if sheet is not None and sheet.submitted_at is None:
            audit.record(actor=actor, action="score.withdrawn_by_conflict", obj=sheet, before=audit.snapshot(sheet), changes={})


@transaction.atomic
def lift_conflict(*, actor, assignment: ExpertAssignment, reason: str) -> ExpertAssignment:
    """The organizer lifts an expert's declared conflict of interest, with the reason (audited).
    An automatic conflict (the expert's organisation is the applicant or a participant) is a fact and
    is not lifted.

    Raises
    ------
    DomainError
        No declared conflict; an automatic conflict; no reason.
    """
    if not (reason or "").strip():
        raise DomainError(_("state the reason for lifting the conflict of interest"))
    if assignment.auto_conflict:
        raise DomainError(_("an automatic conflict of interest (%(why)s) cannot be lifted") % {"why": assignment.auto_conflict})
    if not assignment.declared_conflict:
        raise DomainError(_("the expert has declared no conflict of interest"))
    before = audit.snapshot(assignment)
    assignment.declared_conflict = False
    assignment.conflict_lifted_at = timezone.now()
    assignment.conflict_lift_reason = reason.strip()
    assignment.save()
    audit.record(actor=actor, action="expert.conflict_lifted", obj=assignment, before=before, note=reason.strip())
    ScoreSheet.objects.get_or_create(assignment=assignment)
    return assignment


@transaction.atomic
def reopen_sheet(*, actor, sheet: ScoreSheet, reason: str) -> ScoreSheet:
    """The organizer reopens a submitted score sheet, with the reason (audited), while the review
    protocol of its stage is not signed; the expert can then correct and submit it again.

    Raises
    ------
    DomainError
        Not submitted; the stage's review protocol is signed; no reason.
    """
    if not (reason or "").strip():
        raise DomainError(_("state the reason for reopening the score sheet"))
    if sheet.submitted_at is None:
        raise DomainError(_("the score sheet is not submitted"))
    app = sheet.assignment.application
    if app.competition.state != f"stage{app.stage}_review":
        raise DomainError(_("the review protocol of this stage is signed; score sheets can no longer be reopened (§22, §36)"))
    before = audit.snapshot(sheet)
    sheet.submitted_at = None
    _stale(lambda: locking.save(sheet))
    audit.record(actor=actor, action="score.reopen", obj=sheet, before=before, note=reason.strip())
    return sheet


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
    app = a.application
    if app.competition.state != f"stage{app.stage}_review" or app.state not in ("admitted", "under_review"):
        raise DomainError(_("scoring is open while the packages of the stage are under review (§20, §34)"))


@enforces("scoring.scoring")
@transaction.atomic
def save_scores(*, actor, sheet: ScoreSheet, scores: dict, justifications: dict, version: int | None, submit: bool = False) -> ScoreSheet:
    """Save a draft (or submit) the expert's scores. ``version`` is the sheet version the page was loaded with;
    when the sheet changed since (another tab), :class:`StaleEdit` is raised and nothing is written.
    Scores are numbers on the competition's scale (a decimal comma is accepted)."""
    _ensure_can_score(actor, sheet)
    comp = sheet.assignment.application.competition
    rules = comp.rules
    clean = {}
    for k, v in scores.items():
        if k not in {c.id for c in rules.criteria.criteria}:
            raise DomainError(engine_text(eng_scoring.Msg("score.unknown_criterion", criterion=k, criteria_set=rules.criteria.id)))
        try:
            d = parse_decimal(str(v), "ru") if not isinstance(v, Decimal) else v
        except MoneyError:
            raise DomainError(engine_text(eng_scoring.Msg("score.not_number", criterion=k, value=repr(v)))) from None
        if not (rules.scoring.scale_min <= d <= rules.scoring.scale_max):
            raise DomainError(engine_text(eng_scoring.Msg("score.outside_scale", criterion=k, value=d, min=rules.scoring.scale_min,
                                                          max=rules.scoring.scale_max)))
        clean[k] = str(d)
    just = {k: str(v)[:5000] for k, v in justifications.items() if k in {c.id for c in rules.criteria.criteria}}
    if submit:
        errs = eng_scoring.validate_sheet(rules.scoring, rules.criteria,
                                          eng_scoring.ScoreSheet(actor.get_username(), "x", clean, just))
        if errs:
            raise DomainError("; ".join(engine_text(e) for e in errs))
    before = audit.snapshot(sheet)
    sheet.scores, sheet.justifications = clean, just
    sheet.submitted_at = _moment(today()) if submit else None
    _stale(lambda: locking.save(sheet, version))
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


def _latest(days) -> dt.date | None:
    days = [d for d in days if d is not None]
    return max(days) if days else None


@transaction.atomic
def sign_review_protocol(*, actor, competition: Competition, on: dt.date | None = None, reason: str = "") -> None:
    """Record the review protocol (§22 / §36) once every package under review has its conclusions and a quorum
    of scores; dated on or after the admission protocol, the last conclusion and the last submitted score sheet."""
    if competition.state not in ("stage1_review", "stage2_review"):
        raise DomainError(_("the review protocol follows the admission protocol (§15, §22, §31, §36)"))
    stage = 1 if competition.state == "stage1_review" else 2
    rules = competition.rules
    unrouted = competition.applications.filter(stage=stage, state="admitted")
    if unrouted.exists():
        raise DomainError((_("%(application)s: not yet sent for conclusions (§17)") if stage == 1 else
                           _("%(application)s: not yet sent for conclusions (§27, §33)")) % {"application": unrouted.first()})
    last_conclusion, last_sheet = [], []
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
        last_conclusion += list(app.conclusions.filter(issued_on__isnull=False).values_list("issued_on", flat=True))
        last_sheet += [timezone.localdate(t) for t in ScoreSheet.objects.filter(assignment__application=app, submitted_at__isnull=False)
                       .values_list("submitted_at", flat=True)]
    on = _recorded(on, reason=reason, field=_("protocol date"), follows=[
        Follows(event_day(competition, f"stage{stage}_admission_protocol_signed"), _("the admission protocol"), "§15, §31"),
        Follows(_latest(last_conclusion), _("the last conclusion"), "§17–§18, §27–§29", required=False),
        Follows(_latest(last_sheet), _("the last submitted score sheet"), "§20–§21, §34–§35", required=False)])
    _comp_transition(competition, "sign_review_protocol", actor=actor)
    _event(competition, f"stage{stage}_scoring_completed", on, actor=actor, note=_note(on, reason))
    _event(competition, f"stage{stage}_review_protocol_signed", on, actor=actor, note=_note(on, reason))


@transaction.atomic
def send_to_commission(*, actor, competition: Competition, on: dt.date | None = None, reason: str = "") -> None:
    """Record, once, that the review protocol went to the Commission (§23 / §37): only after the protocol
    is signed (the competition is at the Commission), on or after the protocol's day.

    Raises
    ------
    DomainError
        The review protocol is not signed; sent already; a day in the future, before the protocol, or
        back-dated without a reason.
    """
    if competition.state not in ("stage1_commission", "stage2_commission"):
        raise DomainError(_("the review protocol goes to the Commission after it is signed (§22–§23, §36–§37)"))
    stage = 1 if competition.state == "stage1_commission" else 2
    sent = event_day(competition, f"stage{stage}_sent_to_commission")
    if sent:
        raise DomainError(_("the review protocol was sent to the Commission on %(day)s") % {"day": day_in(sent)})
    on = _recorded(on, reason=reason, follows=[Follows(event_day(competition, f"stage{stage}_review_protocol_signed"),
                                                        _("the review protocol"), "§22, §36")])
    _event(competition, f"stage{stage}_sent_to_commission", on, actor=actor, note=_note(on, reason))
    audit.record(actor=actor, action="competition.send_to_commission", obj=competition, changes={"stage": [None, stage]}, note=_note(on, reason))


# ----------------------------------------------------------------------------- Commission (§24–§26, §38–§39), results (§40)


def score_range(competition: Competition) -> tuple[Decimal, Decimal]:
    """The lowest and highest score an application can have (weighted sums of the scale's ends, §20–§24)."""
    return eng_scoring.score_range(competition.rules.scoring, competition.rules.criteria)


def stage2_minimum_close(competition: Competition, protocol_on: dt.date) -> dt.date:
    """The earliest stage-2 intake closing day that leaves the authorized body its §28 periods after the
    protocol: the 20 calendar days of §28.2, counted from the protocol's day (a request cannot be
    registered earlier)."""
    rules = competition.rules
    return eng_deadlines.due_date(rules, rules.step("strategy_review"), default_calendar(), protocol_on)


@transaction.atomic
def record_stage1_decision(*, actor, competition: Competition, minimum_score: Decimal, meeting_on: dt.date,
                           protocol_on: dt.date, stage2_intake_closes: dt.date, reason: str = "", short_deadline_confirmed: bool = False) -> None:
    """The Commission's minimum score (§24), who passes, the protocol (§25) and the stage-2 deadline it states (§26).

    The meeting follows the sending of the review protocol (§23); the protocol follows the meeting and is
    not in the future (an earlier day than today needs ``reason``); the minimum score lies on the scale of
    the competition's scores; the stage-2 deadline is after today and, when it leaves the authorized body
    less than its §28 periods, needs ``short_deadline_confirmed``.

    Raises
    ------
    DomainError
    """
    if competition.state != "stage1_commission":
        raise DomainError(_("the stage-1 decision follows the review protocol (§22–§24)"))
    sent = event_day(competition, "stage1_sent_to_commission")
    meeting_on = _recorded(meeting_on, field=_("Commission meeting"), require_reason=False,
                           follows=[Follows(sent, _("the sending of the review protocol to the Commission"), "§23")])
    protocol_on = _recorded(protocol_on, field=_("protocol date"), reason=reason,
                            follows=[Follows(meeting_on, _("the Commission meeting"), "§25")])
    lo, hi = score_range(competition)
    minimum_score = Decimal(str(minimum_score))
    if not (lo <= minimum_score <= hi):
        raise DomainError(_("the minimum score %(value)s is outside the possible scores %(lo)s–%(hi)s (§24)") % {
            "value": minimum_score, "lo": lo, "hi": hi})
    if stage2_intake_closes <= max(protocol_on, today()):
        raise DomainError(_("the deadline for strategies and roadmaps (§26) must be after the protocol and after today"))
    earliest = stage2_minimum_close(competition, protocol_on)
    if stage2_intake_closes < earliest and not short_deadline_confirmed:
        raise DomainError(_("the deadline %(day)s leaves the authorized body less than its 20 calendar days to review strategies and "
                            "roadmaps (§28.2; earliest %(earliest)s); confirm the shorter deadline to record it") % {
            "day": day_in(stage2_intake_closes), "earliest": day_in(earliest)})
    before = audit.snapshot(competition)
    competition.minimum_score = minimum_score
    competition.stage2_intake_closes = stage2_intake_closes
    competition.save()
    notes = ["§24, §26", _note(protocol_on, reason)]
    if stage2_intake_closes < earliest:
        notes.append(f"stage-2 deadline {stage2_intake_closes.isoformat()} shorter than the §28.2 period (earliest {earliest.isoformat()}), confirmed")
    audit.record(actor=actor, action="commission.minimum_score", obj=competition, before=before, note="; ".join(n for n in notes if n))
    for entry, app in ranked(competition, 1):
        CommissionDecision.objects.update_or_create(application=app, defaults=dict(
            positive=bool(entry.passes), score=entry.score, decided_on=meeting_on, recorded_by=actor))
        _app_transition(app, "pass_threshold" if entry.passes else "fail_threshold", actor=actor)
    _comp_transition(competition, "record_commission_decision", actor=actor)
    _event(competition, "stage1_commission_meeting", meeting_on, actor=actor)
    _event(competition, "stage1_commission_protocol_signed", protocol_on, actor=actor, note=_note(protocol_on, reason))
    _event(competition, "stage2_intake_closes", competition.intake_closes_effective(2), actor=actor)


@transaction.atomic
def record_stage2_decision(*, actor, competition: Competition, decisions: dict, meeting_on: dt.date, received_on: dt.date,
                           reason: str = "") -> None:
    """The Commission's stage-2 winners with the support recommended (§38) and its protocol received (§39).

    ``decisions``: ``{application id: (winner: bool, support: str)}``. The meeting follows the sending of
    the stage-2 review protocol (§37); the protocol is received on or after the meeting, not in the future
    (an earlier day than today needs ``reason``).
    """
    if competition.state != "stage2_commission":
        raise DomainError(_("the stage-2 decision follows the stage-2 review protocol (§36–§38)"))
    meeting_on = _recorded(meeting_on, field=_("Commission meeting"), require_reason=False,
                           follows=[Follows(event_day(competition, "stage2_sent_to_commission"),
                                            _("the sending of the review protocol to the Commission"), "§37")])
    received_on = _recorded(received_on, field=_("protocol received"), reason=reason,
                            follows=[Follows(meeting_on, _("the Commission meeting"), "§38, §39")])
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
    _event(competition, "stage2_commission_protocol_received", received_on, actor=actor, note=_note(received_on, reason))


@transaction.atomic
def publish_results(*, actor, competition: Competition, on: dt.date | None = None, reason: str = "") -> None:
    """Publish the results on the organizer's website (§40), on or after the Commission's protocol was received."""
    if competition.state != "decided":
        raise DomainError(_("results are published after the Commission's stage-2 decision (§38–§40)"))
    on = _recorded(on, reason=reason, follows=[Follows(event_day(competition, "stage2_commission_protocol_received"),
                                                        _("the receipt of the Commission's protocol"), "§39, §40")])
    _comp_transition(competition, "publish_results", actor=actor)
    _event(competition, "results_published", on, actor=actor, note=_note(on, reason))


def rerun_due(competition: Competition) -> dt.date | None:
    """Last day to announce the re-run of a failed competition (§42)."""
    ev = competition.events.filter(name="failed").first()
    if ev is None:
        return None
    return eng_outcome.failure(competition.rules, default_calendar(), qualified=0, decided_on=ev.day).rerun_due


def participants_io(version: PackageVersion) -> bytes:
    """The participants of a version as XLSX bytes (export; same columns as the import; formula-like
    text neutralised by :mod:`klaster.common.exports`)."""
    from klaster.common import exports

    rows = [["name", "BIN", "OKED", "KATO", "affiliation group"]]
    rows += [[p.name, p.bin, p.oked, p.kato, p.affiliation_group] for p in version.participants.all()]
    return exports.xlsx_bytes({"participants": rows})
