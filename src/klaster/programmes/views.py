"""Programme pages: list, programme detail with co-financing, financing, effects (printed vs
recomputed), monitoring of counter-obligations with a chart of actuals against targets, and the
monitoring report as XLSX and DOCX.

Every request value goes through a form of :mod:`klaster.programmes.forms`; edits carry the
version of the record they show, and an edit saved by someone else in between is answered with
409 and the user's values kept (:func:`klaster.common.locking.conflict`); the XLSX report goes
through :mod:`klaster.common.exports`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from klaster.common import dates, exports, locking
from klaster.common.forms import errors_text
from klaster.register.i18n import Refusal, text_of, unit_label
from klaster.accounts.permissions import public, role_required
from klaster.accounts.roles import Role
from klaster.programmes import domain, pilots
from klaster.programmes import forms as pforms
from klaster.programmes import rules as prules
from klaster.programmes.models import CounterObligation, FundingSource, KeyProject, Programme
from klaster.web.cache import cached

VIEWERS = (Role.ORGANIZER, Role.ANALYST, Role.APPLICANT, Role.AKIMAT, Role.AUTHORIZED_BODY)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@public
def plotly_js(request):
    """The former address of plotly.js: a redirect to the static file (compressed,
    content-hashed, cached for good; :mod:`klaster.web.staticfiles`). Not a permanent one: the
    hashed name changes with the plotly version."""
    from django.templatetags.static import static

    from klaster.web.staticfiles import PLOTLY_JS

    return redirect(static(PLOTLY_JS))


def _programme(request, code) -> Programme:
    """The programme of cluster ``code`` if ``request.user`` may read it (403 otherwise)."""
    p = get_object_or_404(Programme.objects.select_related("cluster"), cluster__code=code)
    if not prules.can_view_programme.test(request.user, p):
        raise PermissionDenied
    return p


def _editable(request, code) -> Programme:
    p = _programme(request, code)
    if not prules.can_edit_programme.test(request.user, p):
        raise PermissionDenied
    return p


@role_required(*VIEWERS)
def programme_list(request):
    progs = prules.programmes_for(request.user).prefetch_related("projects")
    return render(request, "programmes/list.html", {"programmes": progs, "can_create": prules.is_organizer.test(request.user),
                                                    "ministry": prules.reads_all_programmes.test(request.user)})


def _chart(rows):
    """One bar chart of targets and actuals per counter-obligation with quarterly rows, as HTML
    ``<div class="chart" data-plotly="{figure JSON}">`` that ``klaster/klaster.js`` draws with
    plotly.js; no inline script, so the page keeps its Content-Security-Policy (script-src 'self'
    + nonce)."""
    import plotly.graph_objects as go
    from django.utils.html import format_html

    by_ob = defaultdict(list)
    for r in rows:
        if r["quarter"] is not None:
            by_ob[r["obligation"]].append(r)
    figs = []
    for ob, rs in by_ob.items():
        x = [f"{r['year']} Q{r['quarter']}" for r in rs]
        fig = go.Figure()
        fig.add_bar(x=x, y=[float(r["target"]) for r in rs], name=_("target"))
        fig.add_bar(x=x, y=[float(r["actual"]) if r["actual"] is not None else None for r in rs], name=_("actual"), marker_color=["#c0392b" if r["missed"] else "#27ae60" for r in rs])
        lang = (get_language() or "ru")[:2]
        fig.update_layout(title=ob.localized_indicator(), yaxis_title=unit_label(ob.unit), barmode="group", height=320, margin=dict(l=40, r=10, t=40, b=30),
                          separators=". " if lang == "en" else ", ", yaxis_tickformat=",.0f")
        figs.append(format_html('<div class="chart" data-plotly="{}"></div>', fig.to_json()))
    return figs


def _detail_data(p) -> dict:
    """What the programme page shows of ``p`` today in the active language (cached until the
    programme's data or the calendar changes)."""
    rows = domain.monitoring_rows(p)
    return {"obligations": list(p.obligations.all()), "projects": list(p.projects.prefetch_related("financing")), "cap_alerts": domain.cap_alerts(p),
            "effects": domain.effect_checks(p), "rows": rows, "charts": _chart(rows), "alerts": [r for r in rows if r["missed"] or r["overdue"] or r["late"]],
        "results": pilots.reported_results(p.cluster.code),
            "rules_status": _rules_status(p)}


@role_required(*VIEWERS)
def programme_detail(request, code):
    p = _programme(request, code)
    data = cached(("programmes",), ("programme", p.pk, dates.today().isoformat(), (get_language() or "ru")[:2]), lambda: _detail_data(p))
    return render(request, "programmes/detail.html", {
        "can_edit": prules.can_edit_programme.test(request.user, p), "can_report": prules.can_report.test(request.user, p), "p": p, **data,
    })


def _rules_status(p) -> str:
    """How the pinned co-financing document stands in law: a policy document (``act.status`` of
    the regulation data), not a normative act — so no "act out of force" warning applies to it."""
    act = domain._rules(p).act or {}
    if "not a normative act" in str(act.get("status", "")):
        return _("a policy document, not a normative act: its shares and the annual line are applied as the programme's rules")
    return ""


def _report_rows(p):
    out = []
    for r in domain.monitoring_rows(p):
        v = r["variance"]
        alert = "; ".join(x for x in (_("missed") if r["missed"] else "", _("report overdue") if r["overdue"] else "",
                                      (_("submitted late: %(days)s days after the due date") % {"days": r["days_late"]}) if r["late"] else "") if x)
        out.append([r["obligation"].localized_indicator(), unit_label(r["obligation"].unit), r["year"], r["quarter"] or _("year"), r["target"], r["actual"],
                    v.difference if v else None, v.percent if v else None, r["vs_base"], alert, _("demo") if r["demo"] else ""])
    return out


HEAD = lambda: [_("Indicator"), _("Unit"), _("Year"), _("Quarter"), _("Target"), _("Actual"), _("Variance"), _("Variance, %"), _("Against the base year, %"), _("Alert"), _("Demo")]  # noqa: E731


@role_required(*VIEWERS)
def report_xlsx(request, code):
    """The monitoring report as XLSX (:func:`klaster.common.exports.xlsx_bytes`: numbers as
    numbers, text never a formula)."""
    p = _programme(request, code)
    monitoring_sheet = [[p.localized_title() + (f" ({_('demo')})" if p.is_demo else "")], HEAD(), *_report_rows(p)]
    effects = [[_("Indicator"), _("Unit"), _("Base year"), _("Base"), _("Forecast year"), _("Forecast"), _("Effect, % recomputed"), _("Effect, % printed"), _("of which the cluster's projects, %"), _("Source")]]
    for e in domain.effect_checks(p):
        r = e["row"]
        effects.append([r.get_indicator_display(), unit_label(r.unit), r.base_year, r.base_value, r.forecast_year, r.forecast_value, e["computed"], r.printed_effect_pct, r.cluster_share_pct, r.source])
    return exports.response(exports.xlsx_bytes({"monitoring": monitoring_sheet, "effects": effects}), f"monitoring-{p.cluster.code}.xlsx", "xlsx")


def report_content(p) -> list[tuple]:
    """The monitoring report of a programme as blocks (:mod:`klaster.common.documents`, in the
    active language): the title (marked demo), the counter-obligations table, the effects — what
    the DOCX and the PDF render."""
    blocks: list[tuple] = [("heading", 1, _("Programme monitoring report") + f": {p.localized_title()}" + (f" ({_('demo')})" if p.is_demo else ""))]
    if p.is_demo:
        blocks.append(("demo", _("Rows marked “demo” hold data invented for the demonstration.")))
    blocks.append(("para", _("Quarterly monitoring of counter-obligations (seed 000: QazIndustry reports to the Ministry once a quarter).")))
    blocks.append(("table", [str(h) for h in HEAD()], list(_report_rows(p))))
    blocks.append(("heading", 2, _("Effects")))
    for e in domain.effect_checks(p):
        r = e["row"]
        flag = "" if e["matches"] in (None, True) else " — " + _("printed figure differs from the ratio of the printed numbers")
        recomputed, printed = _("recomputed"), _("printed")
        blocks.append(("bullet", f"{r.get_indicator_display()}: {r.base_value} → {r.forecast_value} {r.unit} ({r.base_year}→{r.forecast_year}); {recomputed} {e['computed']}%, {printed} {r.printed_effect_pct or '—'}%{flag}. {r.source}"))
    return blocks


@role_required(*VIEWERS)
def report_docx(request, code, fmt="docx"):
    """The monitoring report as DOCX, or as PDF/A (``monitoring.pdf``: ``fmt="pdf"``), from :func:`report_content`."""
    from klaster.common.documents import blocks_docx

    p = _programme(request, code)
    blocks = report_content(p)
    if fmt == "pdf":
        from klaster.common import pdf

        return pdf.response(pdf.blocks_pdf(blocks, (get_language() or "ru")[:2]), f"monitoring-{p.cluster.code}.pdf")
    return HttpResponse(blocks_docx(blocks), content_type=DOCX, headers={"Content-Disposition": f'attachment; filename="monitoring-{p.cluster.code}.docx"', "X-Content-Type-Options": "nosniff"})


# --- organizer forms -------------------------------------------------------------------------------

def _form_page(request, form, *, title, back, template="programmes/form.html", **ctx):
    context = {"form": form, "title": title, "back": back, **ctx}
    if getattr(form, "stale", False):
        return locking.conflict(request, template, context)
    return render(request, template, context)


def _run(form, fn):
    """Run a domain call for a valid form; a refusal becomes a non-field form error (a stale edit
    also marks the form, answered with 409 by :func:`_form_page`). Returns the result or None
    (nothing is written when the call is refused: the domain calls are atomic)."""
    try:
        with transaction.atomic():
            return fn()
    except locking.StaleEdit as e:
        form.add_error(None, e.text())
        form.stale = True
        return None
    except (Refusal, ValueError) as e:
        form.add_error(None, text_of(e))
        return None


@role_required(Role.ORGANIZER)
def programme_new(request):
    form = pforms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.programme_fields()
        cluster = form.cleaned_data["cluster"]
        p = _run(form, lambda: domain.create_programme(actor=request.user, cluster=cluster, **d))
        if p:
            messages.success(request, _("The programme was created."))
            return redirect("programmes:detail", p.cluster.code)
    return _form_page(request, form, title=_("New targeted cluster programme"), back=None)


@role_required(Role.ORGANIZER)
def programme_edit(request, code):
    p = _editable(request, code)
    initial = {**{f: getattr(p, f) for f in domain.PROGRAMME_FIELDS}, "version": p.version}
    form = pforms.ProgrammeForm(request.POST or None, initial=initial, programme=p)
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: domain.update_programme(actor=request.user, programme=p, version=form.cleaned_data["version"], **form.programme_fields())):
            messages.success(request, _("Saved."))
            return redirect("programmes:detail", code)
    return _form_page(request, form, title=_("Edit the programme"), back=p)


@role_required(Role.ORGANIZER)
def project_edit(request, code, pk=None):
    p = _editable(request, code)
    project = get_object_or_404(KeyProject, pk=pk, programme=p) if pk else None
    initial = {f: getattr(project, f) for f in ("name_ru", "name_kk", "name_en", "cost", "direction", "selected", "source", "version")} if project else None
    form = pforms.ProjectForm(request.POST or None, initial=initial, rules_doc=domain._rules(p), editing=project is not None)
    if request.method == "POST" and form.is_valid():
        d = form.project_fields()
        if project:
            cost, direction = d.pop("cost"), d.pop("direction")
            done = _run(form, lambda: domain.update_project(actor=request.user, project=project, cost=cost, direction=direction, version=form.cleaned_data["version"], **d))
        else:
            done = _run(form, lambda: domain.add_project(actor=request.user, programme=p, **d))
        if done:
            messages.success(request, _("Saved: state %(state)s, participants %(part)s mln tenge.") % {"state": done.state_amount, "part": done.participants_amount})
            return redirect("programmes:detail", code)
    return _form_page(request, form, title=_("Key project"), back=p, project=project)


@role_required(Role.ORGANIZER)
def financing_edit(request, code, pk):
    p = _editable(request, code)
    project = get_object_or_404(KeyProject, pk=pk, programme=p)
    form = pforms.FinancingForm(request.POST or None, programme=p, project=project, initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: domain.set_financing_grid(actor=request.user, project=project, amounts=form.amounts(), version=form.cleaned_data["version"])):
            messages.success(request, _("Saved."))
            return redirect("programmes:detail", code)
    return _form_page(request, form, title=_("Financing by year and source") + f": {project.localized_name()}", back=p, template="programmes/financing_form.html", sources=FundingSource.choices)


@role_required(Role.ORGANIZER)
def obligation_edit(request, code, pk=None):
    p = _editable(request, code)
    ob = get_object_or_404(CounterObligation, pk=pk, programme=p) if pk else None
    initial = {**{f: getattr(ob, f) for f in domain.OBLIGATION_FIELDS}, "version": ob.version} if ob else None
    form = pforms.ObligationForm(request.POST or None, initial=initial, programme=p, obligation=ob)
    if request.method == "POST" and form.is_valid():
        if ob:
            done = _run(form, lambda: domain.update_obligation(actor=request.user, obligation=ob, targets=form.targets(), version=form.cleaned_data["version"], **form.fields_data()))
        else:
            done = _run(form, lambda: domain.add_obligation(actor=request.user, programme=p, targets=form.targets(), **form.fields_data()))
        if done:
            messages.success(request, _("Saved."))
            return redirect("programmes:detail", code)
    return _form_page(request, form, title=_("Counter-obligation"), back=p, template="programmes/obligation_form.html")


# --- the cluster association's quarterly report ----------------------------------------------------

@role_required(Role.APPLICANT)
def report_new(request, code):
    """The association submits the quarterly report with actuals, dated today, for a quarter that
    has ended; the page shows the variance against each target and the alerts (missed targets,
    overdue reports). ``?year=&quarter=`` shows one quarter; when it has a report, the form is
    filled with it and carries its version, so that a re-submission cannot overwrite a report
    changed in between (409, the user's values kept)."""
    p = _programme(request, code)
    if not prules.can_report.test(request.user, p):
        raise PermissionDenied
    today = dates.today()
    query = pforms.ReportQueryForm(request.GET) if ("year" in request.GET or "quarter" in request.GET) else None
    shown_quarter = (query.cleaned_data["year"], query.cleaned_data["quarter"]) if query is not None and query.is_valid() else None
    shown_report = p.reports.filter(year=shown_quarter[0], quarter=shown_quarter[1]).prefetch_related("actuals").first() if shown_quarter else None
    initial = {"year": min(max(today.year, p.start_year), p.end_year)}
    if shown_quarter:
        initial.update(year=shown_quarter[0], quarter=shown_quarter[1])
    if shown_report:
        initial.update(report=shown_report.pk, version=shown_report.version, comment=shown_report.comment,
                       **{f"actual_{a.obligation_id}": a.value for a in shown_report.actuals.all()})
    form = pforms.ReportForm(request.POST or None, programme=p, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rep = _run(form, lambda: domain.submit_report(actor=request.user, programme=p, year=d["year"], quarter=d["quarter"], actuals=form.actuals(), on=today,
                                                      comment=d["comment"], revises=d["report"], version=d["version"]))
        if rep:
            messages.success(request, _("The report for Q%(q)s %(y)s was submitted.") % {"q": rep.quarter, "y": rep.year})
            return redirect(f"{request.path}?year={rep.year}&quarter={rep.quarter}")
    rows = domain.monitoring_rows(p, today=today)
    shown = rows
    if shown_quarter:
        y, q = shown_quarter
        shown = [r for r in rows if r["year"] == y and (r["quarter"] == q or (r["quarter"] is None and q == 4))]
    context = {
        "p": p, "form": form, "rows": shown, "alerts": [r for r in rows if r["missed"] or r["overdue"] or r["late"]],
        "reports": p.reports.all(), "query_errors": errors_text(query) if query is not None and not query.is_valid() else [], "shown_report": shown_report,
    }
    if getattr(form, "stale", False):
        return locking.conflict(request, "programmes/report_form.html", context)
    return render(request, "programmes/report_form.html", context, status=400 if context["query_errors"] else 200)


# --- the Ministry's view: consolidated quarterly report, budget execution ----------------------------

MINISTRY = (Role.ORGANIZER, Role.ANALYST, Role.AUTHORIZED_BODY)


def _quarter(request):
    form = pforms.QuarterForm(request.GET or None)
    year, quarter = form.period(dates.today())
    lang = (form.cleaned_data.get("lang") if form.is_bound and form.is_valid() else "") or (get_language() or "ru")[:2]
    return form, year, quarter, lang


def _map(data) -> dict | None:
    """Kazakhstan's regions shaded by the support paid to the clusters of each region to the end of
    the quarter (four classes: quarters of the largest sum; grey: no cluster), with the clusters in
    the hover text and a click to the cluster (:func:`klaster.web.maps.choropleth_figure`); ``None``
    without boundaries."""
    from django.urls import reverse
    from django.utils.html import escape

    from klaster.reference.models import Region
    from klaster.web import maps
    from klaster.web.templatetags.klaster import num

    regions = list(Region.objects.exclude(boundary=None).defer("boundary"))
    if not regions:
        return None
    per = defaultdict(lambda: {"clusters": [], "support": Decimal(0), "link": ""})
    for c in data["clusters"]:
        for r in c["cluster"].regions.all():
            per[r.kato]["clusters"].append(c["cluster"].localized_name())
            per[r.kato]["support"] += c["support"]["cumulative_total"]
            per[r.kato]["link"] = per[r.kato]["link"] or reverse("register:detail", args=[c["cluster"].code])
    top = float(max((v["support"] for v in per.values()), default=Decimal(0)))
    # the shading rule: a region with clusters is in class 1 + min(3, int(4 · support / top))
    breaks = [(top * k / 4, top * (k + 1) / 4) for k in range(4)] if top else [(0.0, 0.0)]
    palette = ["#c6dbef", "#6baed6", "#3182bd", "#08519c"][:len(breaks)]
    tenge = _("tenge")
    legend = [f"{num(lo, 2)} – {num(hi, 2)} {tenge}" for lo, hi in breaks]
    values, names, links, hover = {}, {}, {}, {}
    for r in regions:
        v = per.get(r.kato)
        values[r.kato] = float(v["support"]) if v else None
        names[r.kato] = r.localized_name()
        links[r.kato] = v["link"] if v and len(v["clusters"]) == 1 else (reverse("register:list") if v else "")
        hover[r.kato] = (escape(", ".join(v["clusters"])) + "<br>" + num(v["support"], 2) + " " + tenge) if v else "—"
    no_cluster = _("no cluster")
    figure = maps.choropleth_figure(values, names=names, links=links, measure=_("Support paid to the end of the quarter"), unit=tenge,
                                    breaks=breaks, palette=palette, hover=hover, legend=legend, no_data=no_cluster,
                                    geojson=reverse("web:boundaries"))
    rows = [(names[r.kato], links[r.kato], (", ".join(per[r.kato]["clusters"]) + "; " + num(per[r.kato]["support"], 2)) if r.kato in per else "—",
             no_cluster if values[r.kato] is None else legend[maps.class_of(values[r.kato], breaks)]) for r in regions]
    return maps.map_context("quarterly-map", caption=_("Clusters and support paid by region"), figure=figure, rows=rows,
                            head=[_("Region"), _("Clusters; support paid to the end of the quarter, tenge"), _("Legend")])


def _quarter_charts(data) -> list:
    import plotly.graph_objects as go
    from django.utils.html import format_html

    names = [c["cluster"].localized_name() for c in data["clusters"]]
    lang = (get_language() or "ru")[:2]
    sep = ". " if lang == "en" else ", "
    fig = go.Figure()
    for key, label, color in (("met", _("target met"), "#27ae60"), ("missed", _("target missed"), "#c0392b"), ("not_reported", _("not reported"), "#7f8c8d")):
        fig.add_bar(x=names, y=[c[key] for c in data["clusters"]], name=label, marker_color=color)
    fig.update_layout(title=_("Counter-obligations of the quarter by cluster"), barmode="stack", height=340, margin=dict(l=40, r=10, t=40, b=80), separators=sep)
    fig2 = go.Figure()
    fig2.add_bar(x=names, y=[float(c["support"]["cumulative_total"]) for c in data["clusters"]], name=_("Support paid to the end of the quarter, tenge"))
    fig2.add_bar(x=names, y=[float(c["support"]["quarter_total"]) for c in data["clusters"]], name=_("Support paid in the quarter, tenge"))
    fig2.update_layout(title=_("Support paid by cluster, tenge"), barmode="group", height=340, margin=dict(l=60, r=10, t=40, b=80), separators=sep, yaxis_tickformat=",.0f")
    return [format_html('<div class="chart" data-plotly="{}"></div>', f.to_json()) for f in (fig, fig2)]


@role_required(*MINISTRY)
def quarterly(request):
    """The Ministry's overview of a quarter (``?year=&quarter=``, default the last ended one): all
    clusters' counter-obligations, report timing, support paid, charts across clusters and a map;
    the consolidated report as XLSX and DOCX in kk and ru."""
    from klaster.programmes import consolidated

    form, year, quarter, lang = _quarter(request)
    data = consolidated.build(year, quarter)
    return render(request, "programmes/quarterly.html", {"d": data, "form": form, "charts": _quarter_charts(data), "map": _map(data),
                                                         "query_errors": errors_text(form) if form.is_bound and not form.is_valid() else []},
                  status=400 if form.is_bound and not form.is_valid() else 200)


@role_required(*MINISTRY)
def quarterly_xlsx(request):
    from klaster.programmes import consolidated

    form, year, quarter, lang = _quarter(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, "; ".join(errors_text(form)))
        return redirect("programmes:quarterly")
    with translation.override(lang):  # the report's labels (units, kinds) in the language asked, not the page's
        report = consolidated.build(year, quarter)
    return exports.response(consolidated.to_xlsx(report, lang), f"consolidated-{year}-Q{quarter}-{lang}.xlsx", "xlsx")


@role_required(*MINISTRY)
def quarterly_docx(request, fmt="docx"):
    """The consolidated report of ``?year=&quarter=&lang=`` as DOCX, or as PDF/A (``report.pdf``:
    ``fmt="pdf"``); a malformed query → back to the quarter's page with the error."""
    from klaster.programmes import consolidated

    form, year, quarter, lang = _quarter(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, "; ".join(errors_text(form)))
        return redirect("programmes:quarterly")
    with translation.override(lang):  # the report's labels (units, kinds) in the language asked, not the page's
        report = consolidated.build(year, quarter)
    if fmt == "pdf":
        from klaster.common import pdf

        return pdf.response(consolidated.to_pdf(report, lang), f"consolidated-{year}-Q{quarter}-{lang}.pdf")
    data = consolidated.to_docx(report, lang)
    return HttpResponse(data, content_type=DOCX, headers={"Content-Disposition": f'attachment; filename="consolidated-{year}-Q{quarter}-{lang}.docx"',
                                                          "X-Content-Type-Options": "nosniff"})


@role_required(*MINISTRY)
def budget(request):
    """Budget execution of a year (``?year=``, default this year): the "Productivity 2020" line per
    instrument and cluster, each cluster's line, their balances and the alerts before a line is
    exceeded."""
    from klaster.programmes import budget as bud

    form = pforms.BudgetYearForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_bound and form.is_valid() and form.cleaned_data.get("year") else dates.today().year
    prod = bud.productivity_line(year)
    clusters = bud.cluster_lines(year)
    alerts = [e for e in [prod["execution"], *(c["execution"] for c in clusters)] if e.status in ("near", "exceeded")]
    years = sorted(prod["line"].allocations)
    return render(request, "programmes/budget.html", {"year": year, "form": form, "prod": prod, "clusters": clusters, "alerts": alerts, "years": years,
                                                      "alert_pct": (prod["alert_share"] * 100).normalize(), "query_errors": errors_text(form) if form.is_bound and not form.is_valid() else []},
                  status=400 if form.is_bound and not form.is_valid() else 200)


@role_required(Role.ORGANIZER)
def payments(request, code, pk):
    """The organizer records a payment of the state's share of a key project (the cluster line's payments)."""
    p = _editable(request, code)
    project = get_object_or_404(KeyProject, pk=pk, programme=p)
    form = pforms.PaymentForm(request.POST or None, initial={"on": dates.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _run(form, lambda: domain.record_payment(actor=request.user, project=project, paid_on=d["on"], source=d["source"], amount=d["amount"], note=d["note"], reason=d["reason"])):
            messages.success(request, _("The payment was recorded."))
            for w in form.warnings:
                messages.warning(request, w.text())
            return redirect("programmes:payments", code, pk)
    return render(request, "programmes/payments.html", {"p": p, "project": project, "form": form, "rows": project.payments.all()},
                  status=400 if form.errors else 200)
