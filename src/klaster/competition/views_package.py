"""Views of the package as data: the concept (App. 2), strategy (App. 5) and roadmap (App. 6) as forms
and XLSX templates, read-only and as DOCX; the paper original and copy (§9, §11) the organizer records.

Permission check → form → domain call → render, one marker per view; a malformed value is a form
error, a refusal a message, a stale page a 409 with the user's values kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role
from klaster.common import exports
from klaster.competition import documents as docs
from klaster.competition.domain import records, structured
from klaster.competition.domain import services as svc
from klaster.competition.interfaces import forms as f
from klaster.competition.models import Application
from klaster.competition.views import ORG, _act_ctx, _check, _document, _form_errors, _lang, _warn

READERS = (Role.APPLICANT, Role.ORGANIZER, Role.ADMINISTRATOR, Role.EXPERT, Role.AKIMAT, Role.AUTHORIZED_BODY, Role.REGIONAL_BODY)


def _spec(app, form_id):
    try:
        return structured.form_for(app, form_id)
    except svc.DomainError:
        raise Http404 from None


class _Select(f.forms.Form):
    """Which profile or event the page opens for editing (GET)."""

    bin = f.forms.CharField(max_length=12, required=False)
    event = f.kf.IntegerField(min_value=1, max_value=1000, required=False)


def _ctx(app, spec, *, bound: dict | None = None, stale: str = "", select=None) -> dict:
    fs = structured.forms_of(app)
    v = app.current_version()
    data = structured.data_of(v, spec.id)
    tables = data.get("tables") or {}
    lang = _lang()
    bound = bound or {}
    ver = {"version": v.version}
    items_form = bound.get("items") or f.ItemsForm(initial={**ver, **{f"item_{k}": t for k, t in (data.get("items") or {}).items()}}, form_spec=spec)
    parts = []
    chosen_bin = select.cleaned_data.get("bin") if select is not None and select.is_valid() else None
    chosen_event = select.cleaned_data.get("event") if select is not None and select.is_valid() else None
    for it in spec.table_items:
        t = fs.tables[it.table]
        part = {"item": it, "table": t}
        if t.type == "profiles":
            years = structured.indicator_years(app)
            rows = tables.get(t.id) or []
            init = dict(ver)
            cur = next((r for r in rows if r.get("bin") == chosen_bin), None) if chosen_bin else None
            if cur:
                init.update({k: val for k, val in cur.items() if k != "indicators"})
                for y, vals in (cur.get("indicators") or {}).items():
                    init.update({f"{k}_{y}": val for k, val in vals.items()})
            form = bound.get("profile") or f.ProfileForm(initial=init, table=t, years=years)
            part.update(years=years, rows=rows, form=form, have={r.get("bin") for r in rows}, participants=list(v.participants.all()),
                        fields=[form[x.id] for x in t.fields], indicators=[(ind, [form[f"{ind.id}_{y}"] for y in years]) for ind in t.indicators])
        elif t.type == "quarterly":
            value = tables.get(t.id) or {}
            init = {**ver, "first_year": value.get("first_year")}
            for ln_id, cells in (value.get("cells") or {}).items():
                init.update({f"cell_{ln_id}_{k}": val for k, val in cells.items()})
            form = bound.get("cash_flow") or f.CashFlowForm(initial=init, table=t)
            part.update(form=form, grid=[(ln, [form[f"cell_{ln.id}_{k}"] for k in t.keys()]) for ln in t.lines], keys=t.keys(),
                        first_year=value.get("first_year"))
        else:
            value = tables.get(t.id) or {}
            rows = value.get("rows") or []
            init = {**ver, "first_year": value.get("first_year")}
            if chosen_event and 1 <= chosen_event <= len(rows):
                cur = rows[chosen_event - 1]
                init.update({k: val for k, val in cur.items() if k != "financing"})
                init.update({f"financing_{k}": val for k, val in (cur.get("financing") or {}).items()})
                init["index"] = chosen_event
            part.update(rows=list(enumerate(rows, start=1)), form=bound.get("event") or f.EventForm(initial=init, table=t),
                        first_year=value.get("first_year"), year_form=f.EventsYearForm(initial={**ver, "first_year": value.get("first_year")}),
                        groups={g.id: g for g in t.groups})
        parts.append(part)
    check = svc.completeness(app, v)
    own = [p for p in check.problems if p.rule.startswith(f"form.{spec.id}.")]
    sections = [(sec, [(it, None if it.table else items_form[f"item_{it.id}"]) for it in sec.items]) for sec in spec.sections]
    return {"app": app, "spec": spec, "version": v, "frozen": v.frozen, "items_form": items_form, "sections": sections, "parts": parts,
            "lang": lang, "stale": stale,
            "import_form": f.StructuredImportForm(initial=ver), "problems": own, "data": data, **_act_ctx(app.competition)}


@role_required(Role.APPLICANT)
def structured_form(request, pk, form_id):
    """The applicant fills a structured document of its draft package: the items of every section,
    the tables (company profiles, cash flow, events), or a filled XLSX template."""
    app = get_object_or_404(Application, pk=pk)
    _check(request.user, "competition.edit_application", app)
    spec = _spec(app, form_id)
    back = redirect("competition:structured_form", pk=app.pk, form_id=spec.id)
    if request.method != "POST":
        return render(request, "competition/structured_form.html", _ctx(app, spec, select=_Select(request.GET)))
    act = f.StructuredActionForm(request.POST)
    if not act.is_valid():
        _form_errors(request, act)
        return back
    action, u = act.cleaned_data["action"], request.user
    fs = structured.forms_of(app)
    tables = {fs.tables[i.table].type: fs.tables[i.table] for i in spec.table_items}
    bound, form = {}, None
    try:
        if action == "items":
            form = bound["items"] = f.ItemsForm(request.POST, form_spec=spec)
            if form.is_valid():
                structured.save_items(actor=u, application=app, form_id=spec.id, items=form.items(), version=form.cleaned_data["version"])
                messages.success(request, _("saved"))
                return back
        elif action == "profile" and "profiles" in tables:
            form = bound["profile"] = f.ProfileForm(request.POST, table=tables["profiles"], years=structured.indicator_years(app))
            if form.is_valid():
                row = structured.save_profile(actor=u, application=app, form_id=spec.id, raw=form.raw(), version=form.cleaned_data["version"])
                messages.success(request, _("company profile saved: %(name)s") % {"name": row.get("name", row["bin"])})
                return back
        elif action == "remove_profile" and "profiles" in tables:
            form = f.RemoveProfileForm(request.POST)
            if form.is_valid():
                structured.remove_profile(actor=u, application=app, form_id=spec.id, bin=form.cleaned_data["bin"], version=form.cleaned_data["version"])
                messages.success(request, _("company profile removed"))
                return back
        elif action == "cash_flow" and "quarterly" in tables:
            form = bound["cash_flow"] = f.CashFlowForm(request.POST, table=tables["quarterly"])
            if form.is_valid():
                structured.save_cash_flow(actor=u, application=app, form_id=spec.id, first_year=form.cleaned_data.get("first_year"),
                                          cells=form.cells(), version=form.cleaned_data["version"])
                messages.success(request, _("saved"))
                return back
        elif action == "event" and "events" in tables:
            form = bound["event"] = f.EventForm(request.POST, table=tables["events"])
            if form.is_valid():
                structured.save_event(actor=u, application=app, form_id=spec.id, raw=form.raw(), index=form.cleaned_data.get("index"),
                                      first_year=form.cleaned_data.get("first_year"), version=form.cleaned_data["version"])
                messages.success(request, _("event saved"))
                return back
        elif action == "remove_event" and "events" in tables:
            form = f.RemoveEventForm(request.POST)
            if form.is_valid():
                structured.remove_event(actor=u, application=app, form_id=spec.id, index=form.cleaned_data["index"], version=form.cleaned_data["version"])
                messages.success(request, _("event removed"))
                return back
        elif action == "events_year" and "events" in tables:
            form = f.EventsYearForm(request.POST)
            if form.is_valid():
                structured.set_events_year(actor=u, application=app, form_id=spec.id, first_year=form.cleaned_data["first_year"],
                                           version=form.cleaned_data["version"])
                messages.success(request, _("saved"))
                return back
        elif action == "import":
            form = f.StructuredImportForm(request.POST, request.FILES)
            if form.is_valid():
                counts, errors = structured.import_xlsx(actor=u, application=app, form_id=spec.id, fileobj=form.cleaned_data["xlsx"],
                                                        version=form.cleaned_data["version"])
                if errors:
                    for sheet, row, col, e in errors[:60]:
                        messages.error(request, _("sheet %(sheet)s, row %(row)s, column %(column)s: %(error)s") % {
                            "sheet": sheet, "row": row, "column": col, "error": e})
                    if len(errors) > 60:
                        messages.error(request, _("… and %(n)s more") % {"n": len(errors) - 60})
                    messages.error(request, _("nothing was imported"))
                else:
                    messages.success(request, _("imported: %(parts)s") % {"parts": ", ".join(f"{k} {n}" for k, n in counts.items())})
                return back
        else:
            messages.error(request, _("this document has no such part"))
            return back
    except svc.StaleEdit as e:
        app.refresh_from_db()
        return render(request, "competition/structured_form.html", _ctx(app, spec, bound=bound, stale=str(e)), status=409)
    except svc.DomainError as e:
        messages.error(request, str(e))
        return render(request, "competition/structured_form.html", _ctx(app, spec, bound=bound), status=400)
    _form_errors(request, form)
    return render(request, "competition/structured_form.html", _ctx(app, spec, bound=bound), status=400)


@role_required(Role.APPLICANT)
def structured_template(request, pk, form_id):
    """The XLSX template of a structured document, filled with what the draft holds."""
    app = get_object_or_404(Application, pk=pk)
    _check(request.user, "competition.edit_application", app)
    spec = _spec(app, form_id)
    data = structured.template_xlsx(app, spec.id, _lang())
    return exports.response(data, f"{spec.id}-{app.pk}-template.xlsx", "xlsx")


def _readable(request, app):
    if not request.user.has_perm("competition.read_package", app):
        raise PermissionDenied


@role_required(*READERS)
def structured_view(request, pk, form_id):
    """A structured document of the submitted (or current) version, read-only, to those who may read
    the package (an expert only after declaring no conflict of interest)."""
    from klaster.competition.domain.council import blind_label, hidden_from

    app = get_object_or_404(Application.objects.select_related("competition"), pk=pk)
    _readable(request, app)
    spec = _spec(app, form_id)
    v = app.submitted_version() or app.current_version()
    hidden = hidden_from(request.user, app)
    content = docs.structured_content(app, spec.id, _lang(), version=v, identity=not hidden)
    return render(request, "competition/structured_view.html", {
        "app": app, "spec": spec, "version": v, "content": content, "lang": _lang(),
        "label": blind_label(app) if hidden else str(app), **_act_ctx(app.competition)})


@role_required(*READERS)
def structured_document(request, pk, form_id, lang, fmt="docx"):
    """The DOCX (or PDF: the ``.pdf`` URL) of a structured document (kk or ru), built from the data."""
    app = get_object_or_404(Application, pk=pk)
    _readable(request, app)
    spec = _spec(app, form_id)
    if lang not in docs.LANGS:
        raise Http404
    from klaster.competition.domain.council import hidden_from

    v = app.submitted_version() or app.current_version()
    return _document(docs.structured_docx(app, spec.id, lang, version=v, identity=not hidden_from(request.user, app), fmt=fmt),
                     f"{spec.id}-{app.registration_number or app.pk}-{lang}.{fmt}", fmt)


# ------------------------------------------------------------------------------------------------ §9, §11 paper receipt


def paper_form(app, data=None):
    from klaster.competition.models import PaperReceipt

    spec = app.competition.rules.package(app.stage)
    names = [(d.id, d.name.get(_lang())) for d in spec.documents]
    r = PaperReceipt.objects.filter(application=app).first()
    if r is not None:
        initial = {"on": r.received_on, "received_by": r.received_by, "originals": r.originals, "copies": r.copies,
                   "electronic": r.electronic, "volumes": "; ".join(str(x) for x in r.volumes), "version": r.version}
        for doc_id, (vol, a, b) in (r.documents or {}).items():
            initial.update({f"vol_{doc_id}": vol, f"from_{doc_id}": a, f"to_{doc_id}": b})
    else:
        initial = {"originals": 1, "copies": 1, "electronic": True}
    return f.PaperForm(data, initial=initial, documents=names, today=svc.today())


@role_required(*ORG)
@require_POST
def organizer_paper(request, pk):
    """The organizer records the paper original and copy of a registered package (§9, §11)."""
    from klaster.competition.views import organizer_application

    app = get_object_or_404(Application, pk=pk)
    form = paper_form(app, request.POST)
    back = redirect("competition:organizer_application", pk=app.pk)
    if not form.is_valid():
        _form_errors(request, form)
        return back
    d = form.cleaned_data
    try:
        records.record_paper(actor=request.user, application=app, received_on=d["on"], received_by=d["received_by"], originals=d["originals"],
                             copies=d["copies"], electronic=d["electronic"], volumes=d["volumes"], documents=form.placed(),
                             reason=(d.get("reason") or "").strip(), version=d.get("version"))
    except svc.StaleEdit as e:
        messages.error(request, str(e))
        resp = organizer_application(request, app.pk, paper=form)
        resp.status_code = 409
        return resp
    except svc.DomainError as e:
        messages.error(request, str(e))
        return back
    messages.success(request, _("paper package recorded (§9, §11)"))
    _warn(request, form)
    return back
