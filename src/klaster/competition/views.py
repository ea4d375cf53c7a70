"""Views of the competition: permission check → domain call → render. One marker per view."""

from __future__ import annotations

import datetime as dt


from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import login_required_any_role, public, role_required
from klaster.accounts.roles import Role
from klaster.competition import documents as docs
from klaster.competition.i18n import day_in
from klaster.competition.domain import services as svc
from klaster.competition.interfaces import forms as f
from klaster.competition.models import Application, Competition, Conclusion, ExpertAssignment, PackageDocument, Participant

ORG = (Role.ORGANIZER, Role.ADMINISTRATOR)
BODY_OF_ROLE = {Role.AKIMAT.value: "akimat", Role.AUTHORIZED_BODY.value: "authorized_body", Role.REGIONAL_BODY.value: "regional_body"}


def _lang():
    return (get_language() or "ru")[:2]


def _check(user, perm, obj):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _date(request, name):
    """A date posted with an action: the day it was done (not in the future; default today)."""
    v = request.POST.get(name)
    if not v:
        return None
    try:
        d = dt.date.fromisoformat(v)
    except ValueError:
        raise svc.DomainError(_("%(field)s: %(value)s is not a date") % {"field": name, "value": repr(v)}) from None
    if d > svc.today():
        raise svc.DomainError(_("%(field)s: %(day)s is in the future; record actions on the day they happen") % {"field": name, "day": day_in(d)})
    return d


def _day(request, name):
    """The posted date of an action, or today; None (with a message) when it is invalid or in the future."""
    try:
        return _date(request, name) or svc.today()
    except svc.DomainError as e:
        messages.error(request, str(e))
        return None


def _form_errors(request, form):
    """Each form error as a message naming the field by its (translated) label."""
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else str(e))


def _run(request, fn, ok_message, **kw):
    try:
        fn(**kw)
        messages.success(request, ok_message)
        return True
    except svc.DomainError as e:
        messages.error(request, str(e))
        return False


# ---------------------------------------------------------------- public


@public
def competition_list(request):
    comps = Competition.objects.exclude(state="draft")
    return render(request, "competition/public_list.html", {"competitions": comps})


@public
def competition_public(request, pk):
    c = get_object_or_404(Competition.objects.exclude(state="draft"), pk=pk)
    winners = c.applications.filter(stage=2, state="winner").select_related("decision") if c.state == "published" else []
    return render(request, "competition/public_detail.html", {"c": c, "rules": c.rules, "winners": winners, "lang": _lang(),
                                                              "rerun_due": svc.rerun_due(c)})


# ---------------------------------------------------------------- organizer


@role_required(*ORG)
def organizer_dashboard(request):
    rows = []
    for c in Competition.objects.all():
        tl = svc.timeline_labelled(c, lang=_lang())
        counts = [(st, n) for st in ("overdue", "late", "due", "met", "pending", "open", "closed")
                  if (n := sum(row[0].state == st for row in tl))]
        rows.append((c, tl, sum(row[0].state == "overdue" for row in tl), counts))
    return render(request, "competition/organizer_dashboard.html", {"rows": rows, "form": f.AnnounceForm()})


@role_required(*ORG)
@require_POST
def organizer_announce(request):
    form = f.AnnounceForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        crit = tuple(d["criteria"].split(":")) if d["criteria"] else None
        try:
            c = svc.announce_competition(actor=request.user, title=d["title"], announced_on=d["announced_on"],
                                         stage1_intake_closes=d["stage1_intake_closes"], criteria=crit, public_note=d["public_note"],
                                         scoring=form.scoring(), rerun_of=d["rerun_of"])
            messages.success(request, _("%(competition)s: announced") % {"competition": c})
            return redirect("competition:organizer_competition", pk=c.pk)
        except svc.DomainError as e:
            messages.error(request, str(e))
    else:
        _form_errors(request, form)
    return redirect("competition:organizer_dashboard")


@role_required(*ORG)
def organizer_competition(request, pk):
    c = get_object_or_404(Competition, pk=pk)
    apps = list(c.applications.all())
    checks = {a.pk: svc.completeness(a) for a in apps if a.state in ("submitted", "admitted", "returned")}
    experts = get_user_model().objects.filter(groups__name=Role.EXPERT.value).select_related("profile")
    stage = 2 if c.state.startswith("stage2") or c.state in ("decided", "published") else 1
    return render(request, "competition/organizer_competition.html", {
        "c": c, "rules": c.rules, "apps": apps, "checks": checks, "timeline": svc.timeline_labelled(c, lang=_lang()), "experts": experts,
        "ranked": svc.ranked(c, stage), "lang": _lang(), "rerun_due": svc.rerun_due(c)})


@role_required(*ORG)
@require_POST
def organizer_action(request, pk):
    c = get_object_or_404(Competition, pk=pk)
    action = request.POST.get("action")
    try:
        on = _date(request, "on")
    except svc.DomainError as e:
        messages.error(request, str(e))
        return redirect("competition:organizer_competition", pk=c.pk)
    u = request.user
    if action == "close_intake":
        _run(request, svc.close_intake, _("intake closed"), actor=u, competition=c, on=on)
    elif action == "admission":
        _run(request, svc.sign_admission_protocol, _("admission protocol recorded"), actor=u, competition=c, on=on)
    elif action == "route":
        app = get_object_or_404(Application, pk=request.POST.get("application"), competition=c)
        _run(request, svc.route_for_conclusions, _("sent for conclusions"), actor=u, application=app, on=on)
    elif action == "assign":
        app = get_object_or_404(Application, pk=request.POST.get("application"), competition=c)
        expert = get_object_or_404(get_user_model(), pk=request.POST.get("expert"), groups__name=Role.EXPERT.value)
        _run(request, svc.assign_expert, _("expert assigned"), actor=u, application=app, expert=expert)
    elif action == "review":
        _run(request, svc.sign_review_protocol, _("review protocol recorded"), actor=u, competition=c, on=on)
    elif action == "send":
        _run(request, svc.send_to_commission, _("sent to the Commission"), actor=u, competition=c, on=on)
    elif action == "publish":
        _run(request, svc.publish_results, _("results published"), actor=u, competition=c, on=on)
    else:
        messages.error(request, _("unknown action %(action)s") % {"action": repr(action)})
    return redirect("competition:organizer_competition", pk=c.pk)


# ---------------------------------------------------------------- Commission secretary


@role_required(Role.COMMISSION_SECRETARY, *ORG)
def commission(request, pk):
    c = get_object_or_404(Competition, pk=pk)
    stage = 1 if c.state.startswith("stage1") else 2
    if request.method == "POST" and c.state == "stage1_commission":
        form = f.Stage1DecisionForm(request.POST)
        if form.is_valid():
            if _run(request, svc.record_stage1_decision, _("stage-1 decision recorded"), actor=request.user, competition=c, **form.cleaned_data):
                return redirect("competition:commission", pk=c.pk)
    elif request.method == "POST" and c.state == "stage2_commission":
        decisions = {}
        for a in c.applications.filter(stage=2, state="under_review"):
            decisions[a.pk] = (request.POST.get(f"winner_{a.pk}") == "1", request.POST.get(f"support_{a.pk}", ""))
        meeting, received = _day(request, "meeting_on"), _day(request, "received_on")
        if meeting and received and _run(request, svc.record_stage2_decision, _("stage-2 decision recorded"), actor=request.user,
                                         competition=c, decisions=decisions, meeting_on=meeting, received_on=received):
            return redirect("competition:commission", pk=c.pk)
        form = f.Stage1DecisionForm()
    else:
        form = f.Stage1DecisionForm()
    # Both stages' ranked lists stay on the page: the stage-1 decisions remain visible during stage 2.
    tables = [(n, svc.ranked(c, n)) for n in (1, 2) if n <= stage]
    tables = [(n, r) for n, r in tables if r or n == stage]
    return render(request, "competition/commission.html", {"c": c, "ranked": svc.ranked(c, stage), "stage": stage, "form": form,
                                                           "rules": c.rules, "tables": tables})


# ---------------------------------------------------------------- applicant


@role_required(Role.APPLICANT)
def my_applications(request):
    apps = Application.objects.filter(applicant=request.user).select_related("competition")
    open_comps = Competition.objects.filter(state__in=("stage1_intake", "stage2_intake"))
    prof = getattr(request.user, "profile", None)
    forms_ = []
    for c in open_comps:
        rules = c.rules
        stage = 1 if c.state == "stage1_intake" else 2
        kinds = rules.stage(stage).participants
        allowed = list(kinds.kinds) + list(kinds.kinds_without_stage1) if stage == 2 else list(kinds.kinds)
        choices = [(k.id, k.name.get(_lang())) for k in rules.participant_kinds if k.id in allowed or stage == 2]
        forms_.append((c, f.ApplicationForm(initial={"competition": c.pk, "stage": stage, "organisation_name": getattr(prof, "organisation_name", ""),
                                                      "organisation_bin": getattr(prof, "organisation_bin", ""),
                                                      "region_kato": getattr(prof, "region_kato", "")}, kinds=choices)))
    return render(request, "competition/my_applications.html", {"apps": apps, "forms": forms_})


@role_required(Role.APPLICANT)
@require_POST
def application_create(request):
    c = get_object_or_404(Competition, pk=request.POST.get("competition"))
    kinds = [(k.id, k.id) for k in c.rules.participant_kinds]
    form = f.ApplicationForm(request.POST, kinds=kinds)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("competition:my_applications")
    d = form.cleaned_data
    d.pop("competition")
    stage1 = None
    if d["stage"] == 2:
        stage1 = Application.objects.filter(applicant=request.user, competition=c, stage=1, state="passed").first()
    try:
        app = svc.create_application(actor=request.user, competition=c, skipped_stage1=d["stage"] == 2 and stage1 is None,
                                     stage1_application=stage1, **d)
    except svc.DomainError as e:
        messages.error(request, str(e))
        return redirect("competition:my_applications")
    return redirect("competition:application", pk=app.pk)


@role_required(Role.APPLICANT)
def application_detail(request, pk):
    app = get_object_or_404(Application, pk=pk)
    _check(request.user, "competition.edit_application", app)
    rules = app.competition.rules
    spec = rules.package(app.stage)
    v = app.current_version()
    docs_ = [(d.id, d.name.get(_lang())) for d in spec.documents]
    return render(request, "competition/application.html", {
        "app": app, "rules": rules, "spec": spec, "version": v, "frozen": v.frozen, "check": svc.completeness(app, v),
        "upload_form": f.UploadForm(documents=docs_), "participant_form": f.ParticipantForm(), "import_form": f.ImportForm(),
        "notice_form": f.NoticeForm(), "lang": _lang(), "versions": app.versions.all(), "conclusions": app.conclusions.all(),
        "max_mb": rules.upload_max_mb, "types": ", ".join(rules.upload_types), "intake_closes": app.competition.intake_closes(app.stage)})


@role_required(*ORG)
def organizer_application(request, pk):
    """The organizer's read-only view of one application: package, documents, participants,
    conclusions, expert assignments and the application's own deadlines."""
    app = get_object_or_404(Application.objects.select_related("competition"), pk=pk)
    c = app.competition
    rules = c.rules
    v = app.submitted_version() or app.current_version()
    timeline = [row for row in svc.timeline_labelled(c, lang=_lang()) if row[0].subject == app.key]
    return render(request, "competition/application.html", {
        "app": app, "rules": rules, "spec": rules.package(app.stage), "version": v, "frozen": True, "readonly": True,
        "check": svc.completeness(app, v), "lang": _lang(), "versions": app.versions.all(), "conclusions": app.conclusions.all(),
        "assignments": app.assignments.select_related("expert", "sheet"), "timeline": timeline})


@role_required(Role.APPLICANT)
@require_POST
def application_action(request, pk):
    app = get_object_or_404(Application, pk=pk)
    _check(request.user, "competition.edit_application", app)
    u, action = request.user, request.POST.get("action")
    if action == "upload":
        form = f.UploadForm(request.POST, request.FILES, documents=[(d.id, d.id) for d in app.competition.rules.package(app.stage).documents])
        if form.is_valid():
            d = form.cleaned_data
            _run(request, svc.upload_document, _("document uploaded"), actor=u, application=app, doc_id=d["doc_id"], uploaded=d["file"],
                 pages=d["pages"], volume=d["volume"])
        else:
            _form_errors(request, form)
    elif action == "participant":
        form = f.ParticipantForm(request.POST)
        if form.is_valid():
            _run(request, svc.add_participant, _("participant added"), actor=u, application=app, **form.cleaned_data)
        else:
            _form_errors(request, form)
    elif action == "remove_participant":
        p = get_object_or_404(Participant, pk=request.POST.get("participant"), version__application=app)
        _run(request, svc.remove_participant, _("participant removed"), actor=u, participant=p)
    elif action == "import":
        form = f.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                n, errors = svc.import_participants_xlsx(actor=u, application=app, fileobj=form.cleaned_data["xlsx"])
                if errors:
                    for row, e in errors[:50]:
                        messages.error(request, _("row %(row)s: %(error)s") % {"row": row, "error": e})
                else:
                    messages.success(request, _("%(count)s participants imported") % {"count": n})
            except svc.DomainError as e:
                messages.error(request, str(e))
    elif action == "akimat":
        _run(request, svc.request_conclusion, _("request sent to the akimat"), actor=u, application=app, body="akimat")
    elif action == "authorized_body":
        _run(request, svc.request_conclusion, _("strategy and roadmap sent to the authorized body (§27)"), actor=u, application=app,
             body="authorized_body")
    elif action == "submit":
        _run(request, svc.submit_application, _("package submitted and registered"), actor=u, application=app)
    elif action == "amend":
        _run(request, svc.start_amendment, _("a new version was started (§10)"), actor=u, application=app, reason=request.POST.get("notice", ""))
    elif action == "withdraw":
        _run(request, svc.withdraw_application, _("application withdrawn (§10)"), actor=u, application=app, notice=request.POST.get("notice", ""))
    else:
        messages.error(request, _("unknown action %(action)s") % {"action": repr(action)})
    return redirect("competition:application", pk=app.pk)


@role_required(Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.EXPERT, Role.AKIMAT, Role.AUTHORIZED_BODY, Role.REGIONAL_BODY)
def package_file(request, pk):
    d = get_object_or_404(PackageDocument, pk=pk)
    _check(request.user, "competition.read_package", d.version.application)
    try:
        return FileResponse(d.file.open("rb"), as_attachment=True, filename=d.original_name)
    except FileNotFoundError as e:
        raise Http404 from e


# ---------------------------------------------------------------- akimat / authorized body / regional development body


@role_required(Role.AKIMAT, Role.AUTHORIZED_BODY, Role.REGIONAL_BODY)
def conclusions_inbox(request):
    from klaster.accounts.roles import roles_of

    bodies = [BODY_OF_ROLE[r] for r in roles_of(request.user) if r in BODY_OF_ROLE]
    items = [(c, *svc.conclusion_due(c), svc.conclusion_term(c)) for c in Conclusion.objects.filter(body__in=bodies).select_related("application__competition")
             if request.user.has_perm("competition.issue_conclusion", c)]
    return render(request, "competition/conclusions.html", {"items": items, "today": svc.today()})


@role_required(Role.AKIMAT, Role.AUTHORIZED_BODY, Role.REGIONAL_BODY)
def conclusion_form(request, pk):
    c = get_object_or_404(Conclusion, pk=pk)
    _check(request.user, "competition.issue_conclusion", c)
    form = f.ConclusionForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") in ("roadmap_forwarded", "roadmap_agreed") and c.body == "authorized_body":
        on = _day(request, "on")
        if on:
            _run(request, svc.record_roadmap_event, _("recorded (§28.1)"), actor=request.user, application=c.application,
                 name=request.POST["action"], on=on)
        return redirect("competition:conclusion", pk=c.pk)
    if request.method == "POST" and form.is_valid():
        if _run(request, svc.issue_conclusion, _("conclusion issued"), actor=request.user, conclusion=c, **form.cleaned_data):
            return redirect("competition:conclusions")
    v = c.application.submitted_version() or c.application.current_version()
    due, clause = svc.conclusion_due(c)
    return render(request, "competition/conclusion_form.html", {"c": c, "form": form, "participants": v.participants.all() if v else [],
                                                                "due": due, "clause": clause, "today": svc.today(), "spec": svc.conclusion_term(c),
                                                                "documents": v.documents.all() if v else []})


# ---------------------------------------------------------------- expert


@role_required(Role.EXPERT)
def expert_workspace(request):
    items = ExpertAssignment.objects.filter(expert=request.user).select_related("application__competition")
    return render(request, "competition/expert_workspace.html", {"items": items})


@role_required(Role.EXPERT)
def expert_assignment(request, pk):
    a = get_object_or_404(ExpertAssignment, pk=pk)
    _check(request.user, "competition.declare", a)
    rules = a.application.competition.rules
    if request.method == "POST" and request.POST.get("action") == "declare":
        form = f.DeclarationForm(request.POST)
        if form.is_valid():
            _run(request, svc.declare_interest, _("declaration recorded"), actor=request.user, assignment=a,
                 conflicted=form.cleaned_data["conflicted"], text=form.cleaned_data["text"])
        return redirect("competition:expert_assignment", pk=a.pk)
    sheet = getattr(a, "sheet", None)
    if request.method == "POST" and request.POST.get("action") in ("save", "submit"):
        _check(request.user, "competition.score", a)
        scores = {c.id: request.POST.get(f"score_{c.id}", "").strip() for c in rules.criteria.criteria}
        scores = {k: v for k, v in scores.items() if v != ""}
        just = {c.id: request.POST.get(f"just_{c.id}", "").strip() for c in rules.criteria.criteria}
        try:
            svc.save_scores(actor=request.user, sheet=sheet, scores=scores, justifications=just,
                            version=int(request.POST.get("version", "-1")), submit=request.POST["action"] == "submit")
            messages.success(request, _("scores saved") if request.POST["action"] == "save" else _("scores submitted"))
            return redirect("competition:expert_assignment", pk=a.pk)
        except svc.DomainError as e:
            messages.error(request, str(e))
            if isinstance(e, svc.StaleEdit):
                return render(request, "competition/expert_assignment.html", _expert_ctx(a, rules, sheet, scores, just, stale=True), status=409)
    return render(request, "competition/expert_assignment.html", _expert_ctx(a, rules, sheet))


def _expert_ctx(a, rules, sheet, scores=None, just=None, stale=False):
    scores = scores if scores is not None else (sheet.scores if sheet else {})
    just = just if just is not None else (sheet.justifications if sheet else {})
    rows = [(g, [(c, scores.get(c.id, ""), just.get(c.id, "")) for c in g.items]) for g in rules.criteria.groups]
    v = a.application.submitted_version()
    return {"a": a, "sheet": sheet, "rows": rows, "scoring": rules.scoring, "lang": _lang(), "stale": stale,
            "scoring_due": svc.scoring_due(a.application),
            "declaration_form": f.DeclarationForm(), "documents": v.documents.all() if v and not a.conflicted else []}


# ---------------------------------------------------------------- documents (DOCX, kk/ru)


DOC_ROLES = {
    "receipt": (Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR),
    "akimat_conclusion": (Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.AKIMAT),
}


@role_required(Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.AKIMAT)
def application_document(request, pk, kind, lang):
    app = get_object_or_404(Application, pk=pk)
    if kind not in DOC_ROLES or lang not in docs.LANGS:
        raise Http404
    u = request.user
    if not (u.has_perm("competition.edit_application", app) or svc_is_org(u)
            or (kind == "akimat_conclusion" and any(u.has_perm("competition.issue_conclusion", c) for c in app.conclusions.filter(body="akimat")))):
        raise PermissionDenied
    data = docs.receipt(app, lang) if kind == "receipt" else docs.akimat_conclusion(app, lang)
    return _docx(data, f"{kind}-{app.registration_number or app.pk}-{lang}.docx")


@role_required(Role.ORGANIZER, Role.ADMINISTRATOR, Role.COMMISSION_SECRETARY)
def protocol_document(request, pk, clause, lang):
    c = get_object_or_404(Competition, pk=pk)
    if clause not in docs.PROTOCOLS or lang not in docs.LANGS:
        raise Http404
    return _docx(docs.protocol(c, clause, lang), f"protocol-{clause}-{c.pk}-{lang}.docx")


def svc_is_org(user):
    from klaster.competition.rules import is_organizer

    return is_organizer(user)


def _docx(data: bytes, name: str) -> HttpResponse:
    r = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    r["Content-Disposition"] = f'attachment; filename="{name}"'
    return r


# ---------------------------------------------------------------- notifications (escalated deadlines)


@login_required_any_role
def notifications(request):
    """The user's in-app inbox of escalated deadlines; POST marks one (or all) as read."""
    from klaster.competition.domain import escalation as esc
    from klaster.competition.models import Notification

    mine = Notification.objects.filter(recipient=request.user, sent_at__isnull=False).select_related(
        "escalation__competition", "escalation__application")
    if request.method == "POST":
        ids = request.POST.getlist("notification")
        targets = mine.filter(read_at__isnull=True) if request.POST.get("all") else mine.filter(pk__in=[i for i in ids if i.isdigit()])
        for n in targets:
            esc.mark_read(actor=request.user, notification=n)
        return redirect("competition:notifications")
    lang = _lang()
    items = [(n, esc.notification_text(n, lang)) for n in mine[:200]]
    return render(request, "competition/notifications.html", {"items": items, "unread": sum(1 for n, _t in items if n.read_at is None)})

