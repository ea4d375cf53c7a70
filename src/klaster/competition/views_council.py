"""Views of the expert council's work and of the organizer's records: the load and progress of the
experts with a suggested allocation and its bulk assignment; the ranked list with every criterion's
scores and the spread, exportable; the discussion of an application; the expert's profile; the
admission protocol drafted, reviewed and signed; the publications of the announcement (§4).

Permission check → form → domain call → render, one marker per view.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role
from klaster.common import exports
from klaster.competition import pages as _pages
from klaster.competition.domain import council, records
from klaster.competition.domain import services as svc
from klaster.competition.interfaces import forms as f
from klaster.competition.models import AdmissionProtocol, Application, Competition
from klaster.competition.views import ORG, _act_ctx, _form_errors, _lang, _warn


def _stage(c: Competition) -> int:
    return 2 if c.state.startswith("stage2") or c.state in ("decided", "published") else 1


@role_required(*ORG)
def organizer_council(request, pk):
    """Every expert's load and progress in the stage, the suggested allocation (sector match, balanced
    load, conflicts and §19 excluded) and its bulk assignment."""
    c = get_object_or_404(Competition, pk=pk)
    sel = f.AllocationForm(request.GET or None)
    per = sel.cleaned_data.get("per") if sel.is_valid() else None
    sug = council.suggest(c, per_application=per)
    users_by_key = sug.experts
    pairs = [f"{app_key}:{users_by_key[e].pk}" for app_key, e, _m in sug.allocation.pairs]
    all_pairs = [f"{a.pk}:{u.pk}" for a in sug.applications.values() for u in users_by_key.values()]
    status = 200
    if request.method == "POST":
        form = f.BulkAssignForm(request.POST, pairs=all_pairs)
        if form.is_valid():
            User = get_user_model()
            try:
                chosen = [(Application.objects.get(pk=a), User.objects.get(pk=e)) for a, e in form.pairs()]
                done = council.bulk_assign(actor=request.user, competition=c, pairs=chosen)
            except svc.DomainError as e:
                messages.error(request, str(e))
                status = 400
            else:
                messages.success(request, _("%(n)s expert assignment(s) made") % {"n": len(done)})
                return redirect("competition:organizer_council", pk=c.pk)
        else:
            _form_errors(request, form)
            status = 400
    suggested = set(pairs)
    matrix = []
    for key, a in sug.applications.items():
        have = {x.expert_id: x for x in a.assignments.all()}
        cells = []
        for uname, u in users_by_key.items():
            why = sug.allocation.excluded.get((key, uname))
            cells.append({"user": u, "value": f"{a.pk}:{u.pk}", "assigned": have.get(u.pk), "excluded": why,
                          "suggested": f"{a.pk}:{u.pk}" in suggested,
                          "match": any(k == key and e == uname and m for k, e, m in sug.allocation.pairs)})
        matrix.append((a, records.sector_of(a), cells, sug.allocation.shortfall.get(key, 0)))
    return render(request, "competition/council.html", {
        "c": c, "progress": council.progress(c), "matrix": matrix, "experts": list(users_by_key.values()), "per": sug.per_application,
        "select_form": sel if sel.is_bound else f.AllocationForm(initial={"per": sug.per_application}), "lang": _lang(), **_act_ctx(c)},
        status=status)


@role_required(Role.COMMISSION_SECRETARY, *ORG)
def organizer_ranked(request, pk):
    """The ranked list of a stage with each expert's total, the spread between experts and every
    criterion's aggregate and spread; ``fmt=csv|xlsx`` exports it (formula-like text neutralised)."""
    c = get_object_or_404(Competition, pk=pk)
    form = f.RankedForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        _form_errors(request, form)
        return redirect("competition:organizer_ranked", pk=c.pk)
    stage = (form.cleaned_data.get("stage") if form.is_bound else None) or _stage(c)
    fmt = form.cleaned_data.get("fmt") if form.is_bound else ""
    if fmt:
        rows = council.ranked_table(c, stage)
        data = exports.csv_bytes(rows) if fmt == "csv" else exports.xlsx_bytes({f"stage {stage}": rows})
        return exports.response(data, f"ranked-{c.pk}-stage{stage}.{fmt}", fmt)
    rules = c.rules
    return render(request, "competition/ranked.html", {
        "c": c, "stage": stage, "rows": council.ranked_breakdown(c, stage), "criteria": rules.criteria.criteria, "scoring": rules.scoring,
        "aggregation": _pages.AGGREGATIONS.get(rules.scoring.aggregation, rules.scoring.aggregation),
        "lang": _lang(), **_act_ctx(c)})


@role_required(Role.EXPERT, *ORG)
def discussion(request, pk):
    """The council's discussion of an application: the organizer and its experts who declared no
    conflict read and post; the organizer records the consensus note."""
    from klaster.competition.rules import is_organizer

    a = get_object_or_404(Application.objects.select_related("competition"), pk=pk)
    if not council.may_read_discussion(request.user, a):
        raise PermissionDenied
    form = f.PostForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                council.post(actor=request.user, application=a, text=form.cleaned_data["text"], kind=form.cleaned_data.get("kind") or "comment")
            except svc.DomainError as e:
                messages.error(request, str(e))
                status = 400
            else:
                messages.success(request, _("posted"))
                return redirect("competition:discussion", pk=a.pk)
        else:
            status = 400
    hidden = council.hidden_from(request.user, a)
    return render(request, "competition/discussion.html", {
        "a": a, "label": council.blind_label(a) if hidden else str(a), "posts": a.posts.select_related("author"), "form": form,
        "clarifications": a.clarifications.all(), "organizer": is_organizer(request.user),
        "open": a.competition.state == f"stage{a.stage}_review" and a.state in council.REVIEW_STATES}, status=status)


@role_required(Role.EXPERT)
def expert_profile(request):
    """The expert's sectors, affiliated organisations and declared interests (they decide the automatic
    conflicts and the sector matching of the allocation)."""
    p = council.profile_of(request.user)
    initial = {"version": p.version, "sectors": ", ".join(p.sectors), "affiliate_bins": ", ".join(p.affiliate_bins),
               "interest_bins": ", ".join(p.interest_bins), "interests_text": p.interests_text} if p else {}
    form = f.ExpertProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                council.save_expert_profile(actor=request.user, version=form.cleaned_data.get("version"), **form.values())
            except svc.StaleEdit as e:
                messages.error(request, str(e))
                status = 409
            except svc.DomainError as e:
                messages.error(request, str(e))
                status = 400
            else:
                messages.success(request, _("saved"))
                return redirect("competition:expert_profile")
        else:
            status = 400
    return render(request, "competition/expert_profile.html", {"form": form, "profile": p}, status=status)


# ------------------------------------------------------------------------------------------------ admission protocol


@role_required(*ORG)
def organizer_admission(request, pk):
    """The admission protocol of the stage: the engine's proposal per package with its findings, the
    organizer's decision, notice and override reason (review), the draft's DOCX, and its signature."""
    c = get_object_or_404(Competition, pk=pk)
    stage = _stage(c)
    proto = AdmissionProtocol.objects.filter(competition=c, stage=stage).first()
    decisions = list(proto.decisions.select_related("application")) if proto else []
    review = f.AdmissionReviewForm(initial={"version": proto.version if proto else 0,
                                            **{k: v for d in decisions for k, v in ((f"decision_{d.application_id}", d.decision),
                                                                                     (f"notice_{d.application_id}", d.notice),
                                                                                     (f"reason_{d.application_id}", d.override_reason))}},
                                   decisions=decisions)
    status = 200
    if request.method == "POST":
        act = f.AdmissionActionForm(request.POST, today=svc.today())
        if not act.is_valid():
            _form_errors(request, act)
            return redirect("competition:organizer_admission", pk=c.pk)
        action = act.cleaned_data["action"]
        try:
            if action == "draft":
                records.draft_admission_protocol(actor=request.user, competition=c)
                messages.success(request, _("admission protocol drafted"))
                return redirect("competition:organizer_admission", pk=c.pk)
            if proto is None:
                raise svc.DomainError(_("draft the admission protocol first"))
            if action == "review":
                review = f.AdmissionReviewForm(request.POST, decisions=decisions)
                if review.is_valid():
                    records.review_admission_protocol(actor=request.user, protocol=proto, decisions=review.reviewed(),
                                                      version=review.cleaned_data["version"])
                    messages.success(request, _("decisions saved"))
                    return redirect("competition:organizer_admission", pk=c.pk)
                _form_errors(request, review)
                status = 400
            else:
                records.sign_admission_protocol(actor=request.user, competition=c, on=act.cleaned_data["on"],
                                                reason=(act.cleaned_data.get("reason") or "").strip(), version=act.cleaned_data.get("version"))
                messages.success(request, _("admission protocol signed"))
                _warn(request, act)
                return redirect("competition:organizer_competition", pk=c.pk)
        except svc.StaleEdit as e:
            messages.error(request, str(e))
            status = 409
        except svc.DomainError as e:
            messages.error(request, str(e))
            status = 400
    rows = [(d, review[f"decision_{d.application_id}"], review[f"notice_{d.application_id}"], review[f"reason_{d.application_id}"],
             records.findings_text(d.findings)) for d in decisions]
    return render(request, "competition/admission.html", {"c": c, "stage": stage, "proto": proto, "rows": rows, "review": review,
                                                          "proto_clause": "15" if stage == 1 else "31",
                                                          "today": svc.today(), "lang": _lang(),
                                                          "open": c.state == f"stage{stage}_admission", **_act_ctx(c)}, status=status)


@role_required(*ORG)
@require_POST
def organizer_publication(request, pk):
    """Record a publication of the announcement (§4): print media or the website, with its day."""
    c = get_object_or_404(Competition, pk=pk)
    form = f.PublicationForm(request.POST, today=svc.today())
    back = redirect("competition:organizer_competition", pk=c.pk)
    if not form.is_valid():
        _form_errors(request, form)
        return back
    d = form.cleaned_data
    try:
        records.record_publication(actor=request.user, competition=c, medium=d["medium"], outlet=d["outlet"], day=d["on"],
                                   reference=d.get("reference") or "", reason=(d.get("reason") or "").strip())
    except svc.DomainError as e:
        messages.error(request, str(e))
        return back
    messages.success(request, _("publication recorded (§4)"))
    _warn(request, form)
    return back
