"""Programme pages: list, programme detail with co-financing, financing, effects (printed vs
recomputed), monitoring of counter-obligations with a chart of actuals against targets, and the
monitoring report as XLSX and DOCX."""

from __future__ import annotations

import io
from collections import defaultdict

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from klaster.accounts.permissions import public, role_required
from klaster.accounts.roles import Role
from klaster.programmes import domain
from klaster.programmes.models import Programme

VIEWERS = (Role.ORGANIZER, Role.ANALYST, Role.APPLICANT, Role.AKIMAT, Role.AUTHORIZED_BODY)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@public
@cache_control(max_age=86400, public=True)
def plotly_js(request):
    """plotly.js from the installed plotly package (offline; no CDN)."""
    from plotly.offline import get_plotlyjs

    return HttpResponse(get_plotlyjs(), content_type="application/javascript")


@role_required(*VIEWERS)
def programme_list(request):
    progs = Programme.objects.select_related("cluster").prefetch_related("projects")
    return render(request, "programmes/list.html", {"programmes": progs})


def _chart(rows):
    import plotly.graph_objects as go

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
        fig.update_layout(title=ob.localized_indicator(), yaxis_title=ob.unit, barmode="group", height=320, margin=dict(l=40, r=10, t=40, b=30))
        figs.append(fig.to_html(include_plotlyjs=False, full_html=False))
    return figs


@role_required(*VIEWERS)
def programme_detail(request, code):
    p = get_object_or_404(Programme.objects.select_related("cluster"), cluster__code=code)
    rows = domain.monitoring_rows(p)
    return render(request, "programmes/detail.html", {
        "p": p, "projects": p.projects.prefetch_related("financing"), "cap_alerts": domain.cap_alerts(p),
        "effects": domain.effect_checks(p), "rows": rows, "charts": _chart(rows), "alerts": [r for r in rows if r["missed"] or r["overdue"]],
    })


def _report_rows(p):
    out = []
    for r in domain.monitoring_rows(p):
        v = r["variance"]
        out.append([r["obligation"].localized_indicator(), r["obligation"].unit, r["year"], r["quarter"] or _("year"), r["target"], r["actual"], v.difference if v else None, v.percent if v else None, _("missed") if r["missed"] else (_("report overdue") if r["overdue"] else "")])
    return out


HEAD = lambda: [_("Indicator"), _("Unit"), _("Year"), _("Quarter"), _("Target"), _("Actual"), _("Variance"), _("Variance, %"), _("Alert")]  # noqa: E731


@role_required(*VIEWERS)
def report_xlsx(request, code):
    from openpyxl import Workbook

    p = get_object_or_404(Programme, cluster__code=code)
    wb = Workbook()
    ws = wb.active
    ws.title = "monitoring"
    ws.append([p.localized_title()])
    ws.append(HEAD())
    for row in _report_rows(p):
        ws.append([str(v) if v is not None and not isinstance(v, (int, str)) else v for v in row])
    we = wb.create_sheet("effects")
    we.append([_("Indicator"), _("Unit"), _("Base year"), _("Base"), _("Forecast year"), _("Forecast"), _("Effect, % recomputed"), _("Effect, % printed"), _("of which the cluster's projects, %"), _("Source")])
    for e in domain.effect_checks(p):
        r = e["row"]
        we.append([r.get_indicator_display(), r.unit, r.base_year, str(r.base_value), r.forecast_year, str(r.forecast_value), str(e["computed"]), str(r.printed_effect_pct or ""), str(r.cluster_share_pct or ""), r.source])
    buf = io.BytesIO()
    wb.save(buf)
    return HttpResponse(buf.getvalue(), content_type=XLSX, headers={"Content-Disposition": f'attachment; filename="monitoring-{code}.xlsx"'})


@role_required(*VIEWERS)
def report_docx(request, code):
    from docx import Document

    p = get_object_or_404(Programme, cluster__code=code)
    doc = Document()
    doc.add_heading(_("Programme monitoring report") + f": {p.localized_title()}", level=1)
    doc.add_paragraph(_("Quarterly monitoring of counter-obligations (seed 000: QazIndustry reports to the Ministry once a quarter)."))
    head = HEAD()
    t = doc.add_table(rows=1, cols=len(head))
    t.style = "Table Grid"
    for i, h in enumerate(head):
        t.rows[0].cells[i].text = str(h)
    for row in _report_rows(p):
        cells = t.add_row().cells
        for i, v in enumerate(row):
            cells[i].text = "" if v is None else str(v)
    doc.add_heading(_("Effects"), level=2)
    for e in domain.effect_checks(p):
        r = e["row"]
        flag = "" if e["matches"] in (None, True) else " — " + _("printed figure differs from the ratio of the printed numbers")
        recomputed, printed = _("recomputed"), _("printed")
        doc.add_paragraph(f"{r.get_indicator_display()}: {r.base_value} → {r.forecast_value} {r.unit} ({r.base_year}→{r.forecast_year}); {recomputed} {e['computed']}%, {printed} {r.printed_effect_pct or '—'}%{flag}. {r.source}", style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return HttpResponse(buf.getvalue(), content_type=DOCX, headers={"Content-Disposition": f'attachment; filename="monitoring-{code}.docx"'})
