"""Views of the competition: permission check → domain call → render. One marker per view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import login_required_any_role, public, role_required
from klaster.accounts.roles import Role
from klaster.competition import documents as docs
from klaster.competition import i18n
from klaster.competition.domain import services as svc
from klaster.competition.interfaces import forms as f
from klaster.competition.models import Application, Competition, Conclusion, ExpertAssignment, PackageDocument, Participant
from klaster.common import audit
from klaster.common.acts import act_notice, reading_lines
from klaster.common.forms import errors_text as form_errors_text

ORG = (Role.ORGANIZER, Role.ADMINISTRATOR)
BODY_OF_ROLE = {Role.AKIMAT.value: "akimat", Role.AUTHORIZED_BODY.value: "authorized_body", Role.REGIONAL_BODY.value: "regional_body"}


def _lang():
    return (get_language() or "ru")[:2]


def _check(user, perm, obj):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _form_errors(request, form):
    """Each form error as a message naming the field by its (translated) label."""
    for text in form_errors_text(form):
        messages.error(request, text)


def _warn(request, form):
    """The warnings of a recorded-day form (a weekend or a holiday), as messages."""
    for w in getattr(form, "warnings", []):
        messages.warning(request, w.text())


def _run(request, fn, ok_message, **kw):
    try:
        fn(**kw)
        messages.success(request, ok_message)
        return True
    except svc.DomainError as e:
        messages.error(request, str(e))
        return False


def _day_kw(form) -> dict:
    d = form.cleaned_data
    return {"on": d["on"], "reason": (d.get("reason") or "").strip()}


def _act_ctx(competition, day=None) -> dict:
    """The act-in-force notice and the readings of a competition, for its pages."""
    rules = competition.rules
    day = day or competition.announced_on
    notices = [n for n in (act_notice(rules.doc, day), act_notice(rules.criteria_doc, day) if rules.criteria_doc else None) if n]
    return {"act_notice": " ".join(notices), "readings": reading_lines(rules.doc, competition.readings)}


# ---------------------------------------------------------------- public


@public
def competition_list(request):
    comps = Competition.objects.exclude(state="draft")
    return render(request, "competition/public_list.html", {"competitions": comps})


@public
def competition_public(request, pk):
    c = get_object_or_404(Competition.objects.exclude(state="draft"), pk=pk)
    winners = c.applications.filter(stage=2, state="winner").select_related("decision") if c.state == "published" else []
    from klaster.competition import pages

    return render(request, "competition/public_detail.html", {"c": c, "rules": c.rules, "rules_words": pages.act_in_words(c.rules.doc, _lang()), "winners": winners, "lang": _lang(),
                                                              "rerun_due": svc.rerun_due(c), **_act_ctx(c)})


# ---------------------------------------------------------------- organizer


def _announce_form(data=None):
    return f.AnnounceForm(data, today=svc.today())


@role_required(*ORG)
def organizer_dashboard(request, form=None):
    """The organizer's dashboard (issue 13): a summary per competition — stage, applications by
    state, the next deadline with its clause, the number of overdue deadlines — filtered (running /
    finished / all, :class:`pages.DashboardQuery`) and paged; below it the overdue deadlines of the
    page's competitions. The full list of a competition's deadlines is on its Deadlines tab. A fixed
    number of queries whatever the number of competitions (tests/perf)."""
    from django.db.models import Count

    from klaster.accounts.roles import has_role
    from klaster.competition import pages

    q = pages.DashboardQuery(request.GET or None)
    show = q.value("show", "running")
    qs = Competition.objects.all()
    if show == "running":
        qs = qs.exclude(state__in=pages.FINISHED)
    elif show == "finished":
        qs = qs.filter(state__in=pages.FINISHED)
    page = pages.page_of(list(qs), q.value("page", 1), pages.DASHBOARD_PAGE)
    competitions = list(page.object_list)
    timelines = svc.timelines_labelled(competitions, lang=_lang())  # a fixed number of queries (tests/perf)
    counts: dict[int, dict] = {c.pk: {} for c in competitions}
    for cid, st, n in (Application.objects.filter(competition__in=competitions).values_list("competition_id", "state")
                       .annotate(n=Count("id")).order_by()):
        counts[cid][st] = n
    rows = []
    for c in competitions:
        tl = timelines[c.pk]
        overdue = [row for row in tl if row[0].state == "overdue"]
        rows.append({"c": c, "next": (pages.next_deadlines([row for row in tl if row[0].state != "overdue"], 1) or [None])[0],
                     "overdue": overdue, "deadline_counts": pages.deadline_counts(tl),
                     "apps": [(st, counts[c.pk][st]) for st in i18n.STATES if counts[c.pk].get(st)],
                     "apps_total": sum(counts[c.pk].values())})
    bad = q.is_bound and not q.is_valid()
    return render(request, "competition/organizer_dashboard.html", {
        "rows": rows, "page": page, "show": show, "filters": list(pages.DASHBOARD_FILTERS.items()),
        "query_errors": form_errors_text(q) if bad else [], "form": form or _announce_form(),
        "is_admin": has_role(request.user, Role.ADMINISTRATOR)}, status=400 if form is not None or bad else 200)


@role_required(*ORG)
@require_POST
def organizer_announce(request):
    """Announce a competition (§3–§5), dated today; the form's errors are shown on the dashboard (400)."""
    form = _announce_form(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        crit = tuple(d["criteria"].split(":")) if d["criteria"] else None
        try:
            c = svc.announce_competition(actor=request.user, title=d["title"], stage1_intake_closes=d["stage1_intake_closes"],
                                         criteria=crit, public_note=d["public_note"], scoring=form.scoring(), rerun_of=d["rerun_of"],
                                         readings=form.chosen_readings(), regulation=form.regulation_pin(), blind=d.get("blind", False))
        except svc.DomainError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("%(competition)s: announced") % {"competition": c})
            _warn(request, form)
            return redirect("competition:organizer_competition", pk=c.pk)
    return organizer_dashboard(request, form=form)


@role_required(*ORG)
def organizer_competition(request, pk):
    """The organizer's competition page as tabs (issue 13): overview (stage, next deadlines with
    their clause, applications by state, the rules in words, actions), applications (filtered by
    state, sorted, paged), experts, ranked list, deadlines (filtered, paged) and documents. The
    query (:class:`pages.CompetitionPageQuery`) is bounded; a malformed value is shown as an error
    (400) with the page at its defaults."""
    from klaster.competition import pages

    c = get_object_or_404(Competition, pk=pk)
    q = pages.CompetitionPageQuery(request.GET or None)
    lang = _lang()
    all_apps = list(c.applications.prefetch_related(Prefetch("assignments", queryset=ExpertAssignment.objects.select_related("expert__profile", "sheet"))))
    state, sort = q.value("state", ""), q.value("sort", "number")
    shown = pages.sort_applications([a for a in all_apps if not state or a.state == state], sort)
    apps_page = pages.page_of(shown, q.value("page", 1))
    apps = list(apps_page.object_list)
    checks = svc.completeness_of([a for a in apps if a.state in ("submitted", "admitted", "returned")])
    experts = list(get_user_model().objects.filter(groups__name=Role.EXPERT.value).select_related("profile").order_by("username"))
    stage = 2 if c.state.startswith("stage2") or c.state in ("decided", "published") else 1
    timeline = svc.timeline_labelled(c, lang=lang)
    which = q.value("deadlines", "all")
    deadlines_page = pages.page_of(pages.deadline_rows(timeline, which), q.value("dpage", 1))
    rules = c.rules
    by_expert: dict = {}
    for a in all_apps:
        for s in a.assignments.all():
            by_expert.setdefault(s.expert, []).append((a, s))
    return render(request, "competition/organizer_competition.html", {
        "c": c, "rules": rules, "apps": apps, "apps_page": apps_page, "checks": checks, "timeline": list(deadlines_page.object_list),
        "deadlines_page": deadlines_page, "deadline_filter": which, "deadline_filters": [(k, v[0]) for k, v in pages.DEADLINE_FILTERS.items()],
        "experts": experts, "experts_assigned": sorted(by_expert.items(), key=lambda kv: kv[0].username),
        "ranked": svc.ranked(c, stage), "ranked_stage": stage, "lang": lang, "rerun_due": svc.rerun_due(c), "today": svc.today(),
        "scoring_form": f.ScoringForm(initial={"aggregation": c.scoring.get("aggregation"), "quorum": c.scoring.get("quorum")}),
        "query": q, "query_errors": form_errors_text(q) if q.is_bound and not q.is_valid() else [],
        "state_filter": state, "sort": sort, "states": [(st, i18n.state_label(st)) for st, _n in pages.application_counts(all_apps)],
        "sorts": list(pages.APPLICATION_SORTS.items()),
        "app_counts": pages.application_counts(all_apps), "next_deadlines": pages.next_deadlines(timeline),
        "deadline_counts": pages.deadline_counts(timeline), "to_route": [a for a in all_apps if a.state == "admitted"],
        "rules_words": pages.act_in_words(rules.doc, lang), "criteria_words": pages.act_in_words(rules.criteria_doc, lang),
        "aggregation": pages.AGGREGATIONS.get(rules.scoring.aggregation, rules.scoring.aggregation),
        "protocols": pages.protocol_links(c.pk),
        "crumbs": [(_("Organizer dashboard"), reverse("competition:organizer_dashboard")), (c.title, "")],
        **_issue15_competition_ctx(c, all_apps), **_act_ctx(c)}, status=400 if q.is_bound and not q.is_valid() else 200)


def _sheet_submitted(assignment) -> bool:
    try:
        return assignment.sheet.submitted_at is not None
    except ExpertAssignment.sheet.RelatedObjectDoesNotExist:
        return False


def _issue15_competition_ctx(c, apps) -> dict:
    """The records of §4 (publications, findings), whether the blind mode and the scoring can still
    change (from the assignments prefetched with ``apps``: no extra query)."""
    from klaster.competition.domain import records

    assignments = [s for a in apps for s in a.assignments.all()]
    pubs = list(c.publications.all())
    return {"publications": pubs, "publication_findings": records.publication_findings(c, pubs),
            "publication_form": f.PublicationForm(today=svc.today()), "blind_open": not assignments,
            "scoring_open": not any(_sheet_submitted(s) for s in assignments)}


@role_required(*ORG)
@require_POST
def organizer_action(request, pk):
    """The organizer's actions on a competition, each through :class:`OrganizerActionForm`: a malformed
    value (an id, a date, a reason) is a form error; the domain checks the state and the dates."""
    c = get_object_or_404(Competition, pk=pk)
    form = f.OrganizerActionForm(request.POST, today=svc.today())
    back = redirect("competition:organizer_competition", pk=c.pk)
    if not form.is_valid():
        _form_errors(request, form)
        return back
    d, u, action = form.cleaned_data, request.user, form.cleaned_data["action"]
    day = _day_kw(form)
    app = expert = assignment = None
    if d.get("application"):
        app = Application.objects.filter(pk=d["application"], competition=c).first()
        if app is None:
            messages.error(request, _("no such application in this competition"))
            return back
    if d.get("expert"):
        expert = get_user_model().objects.filter(pk=d["expert"], groups__name=Role.EXPERT.value).first()
        if expert is None:
            messages.error(request, _("no such expert"))
            return back
    if d.get("assignment"):
        assignment = ExpertAssignment.objects.filter(pk=d["assignment"], application__competition=c).select_related("application").first()
        if assignment is None:
            messages.error(request, _("no such expert assignment in this competition"))
            return back
    done = False
    if action == "close_intake":
        done = _run(request, svc.close_intake, _("intake closed"), actor=u, competition=c, **day)
    elif action == "route":
        done = _run(request, svc.route_for_conclusions, _("sent for conclusions"), actor=u, application=app, **day)
    elif action == "assign":
        done = _run(request, svc.assign_expert, _("expert assigned"), actor=u, application=app, expert=expert)
    elif action == "review":
        done = _run(request, svc.sign_review_protocol, _("review protocol recorded"), actor=u, competition=c, **day)
    elif action == "send":
        done = _run(request, svc.send_to_commission, _("sent to the Commission"), actor=u, competition=c, **day)
    elif action == "publish":
        done = _run(request, svc.publish_results, _("results published"), actor=u, competition=c, **day)
    elif action == "scoring":
        done = _run(request, svc.set_scoring, _("scoring configuration changed"), actor=u, competition=c,
                    scoring={"aggregation": d["aggregation"], "quorum": d["quorum"]})
    elif action == "lift_conflict":
        done = _run(request, svc.lift_conflict, _("conflict of interest lifted"), actor=u, assignment=assignment, reason=d["note"])
    elif action == "clarify":
        from klaster.competition.domain import council

        done = _run(request, council.ask_clarification, _("request for clarification sent (§16, §32)"), actor=u, application=app,
                    question=d["note"], **day)
        if done:
            _warn(request, form)
        return redirect("competition:organizer_application", pk=app.pk)
    elif action == "blind":
        from klaster.competition.domain import council

        done = _run(request, council.set_blind, _("blind mode changed"), actor=u, competition=c, blind=d.get("blind", False))
    elif action == "reopen_sheet":
        sheet = getattr(assignment, "sheet", None)
        if sheet is None:
            messages.error(request, _("this expert has no score sheet"))
        else:
            done = _run(request, svc.reopen_sheet, _("score sheet reopened"), actor=u, sheet=sheet, reason=d["note"])
    if done:
        _warn(request, form)
    if action in ("lift_conflict", "reopen_sheet") and assignment is not None:
        return redirect("competition:organizer_application", pk=assignment.application_id)
    return back


# ---------------------------------------------------------------- Commission secretary


@role_required(Role.COMMISSION_SECRETARY, *ORG)
def commission(request, pk):
    c = get_object_or_404(Competition, pk=pk)
    stage = 1 if c.state.startswith("stage1") else 2
    score_range = svc.score_range(c)
    stage2_apps = list(c.applications.filter(stage=2, state="under_review")) if c.state == "stage2_commission" else []
    data = request.POST if request.method == "POST" else None
    form = f.Stage1DecisionForm(data, score_range=score_range) if c.state != "stage2_commission" else f.Stage2DecisionForm(data, applications=stage2_apps)
    status = 200
    if request.method == "POST":
        if c.state not in ("stage1_commission", "stage2_commission"):
            messages.error(request, _("the Commission records its decision after the review protocol is sent to it (§23, §37)"))
            return redirect("competition:commission", pk=c.pk)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if c.state == "stage1_commission":
                    svc.record_stage1_decision(actor=request.user, competition=c, minimum_score=d["minimum_score"], meeting_on=d["meeting_on"],
                                               protocol_on=d["protocol_on"], stage2_intake_closes=d["stage2_intake_closes"],
                                               reason=d["reason"], short_deadline_confirmed=d["short_deadline_confirmed"])
                    messages.success(request, _("stage-1 decision recorded"))
                else:
                    svc.record_stage2_decision(actor=request.user, competition=c, decisions=form.decisions(), meeting_on=d["meeting_on"],
                                               received_on=d["received_on"], reason=d["reason"])
                    messages.success(request, _("stage-2 decision recorded"))
                return redirect("competition:commission", pk=c.pk)
            except svc.DomainError as e:
                form.add_error(None, str(e))
        status = 400
    # Both stages' ranked lists stay on the page: the stage-1 decisions remain visible during stage 2.
    tables = [(n, svc.ranked(c, n)) for n in (1, 2) if n <= stage]
    tables = [(n, r) for n, r in tables if r or n == stage]
    ranked = svc.ranked(c, stage)
    rows2 = [(e, a, form[f"winner_{a.pk}"], form[f"support_{a.pk}"]) for e, a in ranked if f"winner_{a.pk}" in form.fields] \
        if c.state == "stage2_commission" else []
    from klaster.competition import pages

    protocols = [p for p in pages.protocol_links(c.pk) if p["clause"] in ("§25", "§39")]
    return render(request, "competition/commission.html", {"c": c, "ranked": ranked, "stage": stage, "form": form, "rows2": rows2,
                                                           "rules": c.rules, "tables": tables, "score_range": score_range,
                                                           "protocols": protocols, **_act_ctx(c)},
                  status=status)


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
    """Start an application in a competition whose intake is open (the form bounds every value)."""
    ref = f.CompetitionRefForm(request.POST)
    c = Competition.objects.filter(pk=ref.cleaned_data["competition"]).first() if ref.is_valid() else None
    if c is None:
        messages.error(request, _("choose a competition whose intake is open"))
        return redirect("competition:my_applications")
    kinds_all = [(k.id, k.id) for k in c.rules.participant_kinds]
    form = f.ApplicationForm(request.POST, kinds=kinds_all)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("competition:my_applications")
    d = dict(form.cleaned_data)
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


def _application_ctx(app, **extra):
    rules = app.competition.rules
    spec = rules.package(app.stage)
    v = app.current_version()
    docs_ = [(d.id, d.name.get(_lang())) for d in spec.documents]
    ctx = {
        "app": app, "rules": rules, "spec": spec, "version": v, "frozen": v.frozen, "check": svc.completeness(app, v),
        "upload_form": f.UploadForm(documents=docs_), "participant_form": f.ParticipantForm(), "import_form": f.ImportForm(),
        "notice_form": f.NoticeForm(), "lang": _lang(), "versions": app.versions.all(), "conclusions": app.conclusions.all(),
        "max_mb": rules.upload_max_mb, "types": ", ".join(t.upper() for t in rules.upload_types), "intake_closes": app.competition.intake_closes_effective(app.stage),
        **_issue15_application_ctx(app), **_act_ctx(app.competition)}
    ctx.update(extra)
    return ctx


def _issue15_application_ctx(app, paper=None, readonly=False) -> dict:
    """The structured documents of the stage, the §12 statement, the paper receipt (§9, §11), the
    requests for clarification (§16, §32) and the authorized body of the sector (§17)."""
    from klaster.competition.domain import records, structured
    from klaster.competition.models import PaperReceipt

    body, rule = records.ministry_for(app)
    ctx = {"forms_of_stage": structured.stage_forms(app), "statement": records.statement_text(app.competition),
           "submit_form": f.SubmitForm(), "paper_receipt": PaperReceipt.objects.filter(application=app).first(),
           "clarifications": app.clarifications.all(), "sector_body": body, "sector_rule": rule, "sector": records.sector_of(app),
           "answer_form": f.ClarificationAnswerForm()}
    if readonly:
        from klaster.competition.views_package import paper_form

        ctx["paper_form"] = paper or paper_form(app)
        ctx["clarify_form"] = f.OrganizerActionForm(today=svc.today())
    return ctx


@role_required(Role.APPLICANT)
def application_detail(request, pk):
    app = get_object_or_404(Application, pk=pk)
    _check(request.user, "competition.edit_application", app)
    return render(request, "competition/application.html", _application_ctx(app))


@role_required(*ORG)
def organizer_application(request, pk, paper=None):
    """The organizer's read-only view of one application: package, documents, participants,
    conclusions, expert assignments (with the lifting of a declared conflict and the reopening of a
    submitted sheet) and the application's own deadlines."""
    app = get_object_or_404(Application.objects.select_related("competition"), pk=pk)
    c = app.competition
    rules = c.rules
    v = app.submitted_version() or app.current_version()
    timeline = [row for row in svc.timeline_labelled(c, lang=_lang()) if row[0].subject == app.key]
    return render(request, "competition/application.html", {
        "app": app, "rules": rules, "spec": rules.package(app.stage), "version": v, "frozen": True, "readonly": True,
        "check": svc.completeness(app, v), "lang": _lang(), "versions": app.versions.all(), "conclusions": app.conclusions.all(),
        "assignments": app.assignments.select_related("expert", "sheet"), "timeline": timeline,
        **_issue15_application_ctx(app, paper=paper, readonly=True), **_act_ctx(c)})


@role_required(Role.APPLICANT)
@require_POST
def application_action(request, pk):
    """The applicant's actions on its package. Each goes through its form; the draft's lock version
    (sent by the page) makes an edit from a stale page a 409 with nothing written."""
    app = get_object_or_404(Application, pk=pk)
    _check(request.user, "competition.edit_application", app)
    back = redirect("competition:application", pk=app.pk)
    af = f.ApplicationActionForm(request.POST)
    if not af.is_valid():
        _form_errors(request, af)
        return back
    u, action, version = request.user, af.cleaned_data["action"], af.cleaned_data.get("version")
    try:
        if action == "upload":
            form = f.UploadForm(request.POST, request.FILES, documents=[(d.id, d.id) for d in app.competition.rules.package(app.stage).documents])
            if not form.is_valid():
                _form_errors(request, form)
                return back
            d = form.cleaned_data
            svc.upload_document(actor=u, application=app, doc_id=d["doc_id"], uploaded=d["file"], pages=d["pages"],
                       volume=d["volume"], version=version, annex_from=d.get("annex_from"))
            messages.success(request, _("document uploaded"))
        elif action == "participant":
            form = f.ParticipantForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return back
            svc.add_participant(actor=u, application=app, version=version, **form.cleaned_data)
            messages.success(request, _("participant added"))
        elif action == "remove_participant":
            form = f.RemoveParticipantForm(request.POST)
            p = Participant.objects.filter(pk=form.cleaned_data["participant"], version__application=app).first() if form.is_valid() else None
            if p is None:
                messages.error(request, _("no such participant in this package"))
                return back
            svc.remove_participant(actor=u, participant=p, version=version)
            messages.success(request, _("participant removed"))
        elif action == "import":
            form = f.ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                _form_errors(request, form)
                return back
            n, errors = svc.import_participants_xlsx(actor=u, application=app, fileobj=form.cleaned_data["xlsx"], version=version)
            if errors:
                for row, e in errors[:50]:
                    messages.error(request, _("row %(row)s: %(error)s") % {"row": row, "error": e})
            else:
                messages.success(request, _("%(count)s participants imported") % {"count": n})
        elif action in ("akimat", "authorized_body"):
            svc.request_conclusion(actor=u, application=app, body=action)
            messages.success(request, _("request sent to the akimat") if action == "akimat" else _("strategy and roadmap sent to the authorized body (§27)"))
        elif action == "submit":
            form = f.SubmitForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return back
            svc.submit_application(actor=u, application=app, version=version, statement=form.cleaned_data["statement"])
            messages.success(request, _("package submitted and registered"))
        elif action == "answer":
            from klaster.competition.domain import council
            from klaster.competition.models import ClarificationRequest

            form = f.ClarificationAnswerForm(request.POST)
            req = ClarificationRequest.objects.filter(pk=form.cleaned_data["request"], application=app).first() if form.is_valid() else None
            if req is None:
                if form.is_valid():
                    messages.error(request, _("no such request in this application"))
                else:
                    _form_errors(request, form)
                return back
            council.answer_clarification(actor=u, request=req, answer=form.cleaned_data["answer"])
            messages.success(request, _("answer sent"))
        else:
            form = f.NoticeForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return back
            if action == "amend":
                svc.start_amendment(actor=u, application=app, reason=form.cleaned_data["notice"])
                messages.success(request, _("a new version was started (§10)"))
            else:
                svc.withdraw_application(actor=u, application=app, notice=form.cleaned_data["notice"])
                messages.success(request, _("application withdrawn (§10)"))
    except svc.StaleEdit as e:
        app.refresh_from_db()
        return render(request, "competition/application.html", _application_ctx(app, stale=str(e)), status=409)
    except svc.DomainError as e:
        messages.error(request, str(e))
    return back


@role_required(Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.EXPERT, Role.AKIMAT, Role.AUTHORIZED_BODY, Role.REGIONAL_BODY)
def package_file(request, pk):
    """A package document, to those who may read the package (an expert only after declaring no
    conflict of interest); every download is audited."""
    d = get_object_or_404(PackageDocument.objects.select_related("version__application"), pk=pk)
    _check(request.user, "competition.read_package", d.version.application)
    try:
        fh = d.file.open("rb")
    except FileNotFoundError as e:
        raise Http404 from e
    audit.record(actor=request.user, action="package.document_download", obj=d)
    r = FileResponse(fh, as_attachment=True, filename=d.original_name)
    r["Cache-Control"] = "private, no-store"
    return r


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
    is_event = request.method == "POST" and request.POST.get("action") in ("roadmap_forwarded", "roadmap_agreed")
    form = f.ConclusionForm(request.POST if request.method == "POST" and not is_event else None, today=svc.today())
    event_form = f.RoadmapEventForm(request.POST if is_event else None, today=svc.today())
    status = 200
    if is_event:
        if c.body != "authorized_body":
            messages.error(request, _("only the authorized body records the §28.1 roadmap steps"))
        elif event_form.is_valid():
            d = event_form.cleaned_data
            if _run(request, svc.record_roadmap_event, _("recorded (§28.1)"), actor=request.user, application=c.application,
                    name=d["action"], on=d["on"], reason=d["reason"]):
                _warn(request, event_form)
        else:
            _form_errors(request, event_form)
        return redirect("competition:conclusion", pk=c.pk)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if _run(request, svc.issue_conclusion, _("conclusion issued"), actor=request.user, conclusion=c, positive=d["positive"],
                    text=d["text"], on=d["on"], reason=d["reason"]):
                _warn(request, form)
                return redirect("competition:conclusions")
        status = 400
    v = c.application.submitted_version() or c.application.current_version()
    due, clause = svc.conclusion_due(c)
    return render(request, "competition/conclusion_form.html", {"c": c, "form": form, "event_form": event_form,
                                                                "participants": v.participants.all() if v else [],
                                                                "due": due, "clause": clause, "today": svc.today(), "spec": svc.conclusion_term(c),
                                                                "documents": v.documents.all() if v else [], **_act_ctx(c.application.competition)},
                  status=status)


# ---------------------------------------------------------------- expert


@role_required(Role.EXPERT)
def expert_workspace(request):
    from klaster.competition.domain.council import blind_label

    items = ExpertAssignment.objects.filter(expert=request.user).select_related("application__competition", "sheet")
    labels = {a.pk: blind_label(a.application) for a in items if a.application.competition.blind}
    return render(request, "competition/expert_workspace.html", {"items": items, "labels": labels})


@role_required(Role.EXPERT)
def expert_assignment(request, pk):
    """The expert's page of one assigned application: the conflict-of-interest declaration first
    (final for the expert; nothing of the package is shown before it), then the score sheet
    (optimistic locking: a save from a stale page answers 409 with the typed values kept)."""
    a = get_object_or_404(ExpertAssignment.objects.select_related("application__competition"), pk=pk)
    _check(request.user, "competition.declare", a)
    rules = a.application.competition.rules
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "declare":
        form = f.DeclarationForm(request.POST)
        if form.is_valid():
            _run(request, svc.declare_interest, _("declaration recorded"), actor=request.user, assignment=a,
                 conflicted=form.cleaned_data["conflicted"], text=form.cleaned_data["text"])
        else:
            _form_errors(request, form)
        return redirect("competition:expert_assignment", pk=a.pk)
    sheet = getattr(a, "sheet", None)
    if request.method == "POST":
        if not request.user.has_perm("competition.score", a) or sheet is None:
            messages.error(request, _("a conflicted expert does not score this application"))
            return redirect("competition:expert_assignment", pk=a.pk)
        form = f.ScoreForm(request.POST, criteria=rules.criteria.criteria, scoring=rules.scoring)
        typed = {c.id: request.POST.get(f"score_{c.id}", "")[:20] for c in rules.criteria.criteria}
        typed_just = {c.id: request.POST.get(f"just_{c.id}", "")[:5000] for c in rules.criteria.criteria}
        if not form.is_valid():
            _form_errors(request, form)
            return render(request, "competition/expert_assignment.html", _expert_ctx(a, rules, sheet, typed, typed_just), status=400)
        submit = form.cleaned_data["action"] == "submit"
        try:
            svc.save_scores(actor=request.user, sheet=sheet, scores=form.scores(), justifications=form.justifications(),
                            version=form.cleaned_data["version"], submit=submit)
            messages.success(request, _("scores submitted") if submit else _("scores saved"))
            return redirect("competition:expert_assignment", pk=a.pk)
        except svc.StaleEdit as e:
            messages.error(request, str(e))
            sheet.refresh_from_db()
            return render(request, "competition/expert_assignment.html", _expert_ctx(a, rules, sheet, typed, typed_just, stale=True), status=409)
        except svc.DomainError as e:
            messages.error(request, str(e))
            return render(request, "competition/expert_assignment.html", _expert_ctx(a, rules, sheet, typed, typed_just), status=400)
    return render(request, "competition/expert_assignment.html", _expert_ctx(a, rules, sheet))


def _expert_ctx(a, rules, sheet, scores=None, just=None, stale=False):
    scores = scores if scores is not None else (sheet.scores if sheet else {})
    just = just if just is not None else (sheet.justifications if sheet else {})
    rows = [(g, [(c, scores.get(c.id, ""), just.get(c.id, "")) for c in g.items]) for g in rules.criteria.groups]
    v = a.application.submitted_version()
    readable = bool(v and a.declared_at and not a.conflicted)
    from klaster.competition.domain import council, structured

    hidden = council.hidden_from(a.expert, a.application)
    return {"a": a, "sheet": sheet, "rows": rows, "scoring": rules.scoring, "lang": _lang(), "stale": stale,
            "scoring_due": svc.scoring_due(a.application), "hidden": hidden, "label": council.blind_label(a.application) if hidden else None,
            "forms_of_stage": structured.stage_forms(a.application) if readable else (), "readable": readable,
            "declaration_form": f.DeclarationForm(), "documents": v.documents.all() if readable else [],
            "conclusions": a.application.conclusions.filter(issued_on__isnull=False) if readable else [], **_act_ctx(a.application.competition)}


# ---------------------------------------------------------------- documents (DOCX and PDF, kk/ru)


DOC_ROLES = {
    "receipt": (Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR),
    "akimat_conclusion": (Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.AKIMAT),
}


@role_required(Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.AKIMAT)
def application_document(request, pk, kind, lang, fmt="docx"):
    app = get_object_or_404(Application, pk=pk)
    if kind not in DOC_ROLES or lang not in docs.LANGS:
        raise Http404
    u = request.user
    if not (u.has_perm("competition.edit_application", app) or svc_is_org(u)
            or (kind == "akimat_conclusion" and any(u.has_perm("competition.issue_conclusion", c) for c in app.conclusions.filter(body="akimat")))):
        raise PermissionDenied
    data = docs.receipt(app, lang, fmt) if kind == "receipt" else docs.akimat_conclusion(app, lang, fmt)
    return _document(data, f"{kind}-{app.registration_number or app.pk}-{lang}.{fmt}", fmt)


@role_required(Role.ORGANIZER, Role.ADMINISTRATOR, Role.COMMISSION_SECRETARY)
def protocol_document(request, pk, clause, lang, fmt="docx"):
    c = get_object_or_404(Competition, pk=pk)
    if clause not in docs.PROTOCOLS or lang not in docs.LANGS:
        raise Http404
    return _document(docs.protocol(c, clause, lang, fmt), f"protocol-{clause}-{c.pk}-{lang}.{fmt}", fmt)


def svc_is_org(user):
    from klaster.competition.rules import is_organizer

    return is_organizer(user)


def _document(data: bytes, name: str, fmt: str) -> HttpResponse:
    """A document download: PDF (``fmt="pdf"``, the URL patterns ending in ``.pdf``) or DOCX."""
    if fmt == "pdf":
        from klaster.common import pdf

        return pdf.response(data, name)
    return _docx(data, name)


def _docx(data: bytes, name: str) -> HttpResponse:
    r = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    r["Content-Disposition"] = f'attachment; filename="{name}"'
    return r


# ---------------------------------------------------------------- notifications (escalated deadlines)


@login_required_any_role
def notifications(request):
    """The former inbox of escalated deadlines: notices now have one inbox (klaster.notices)."""
    return redirect("notices:inbox")
