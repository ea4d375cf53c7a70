"""The analysts' pages: cluster mapping and input-output analysis on top of the libraries.

Views stay thin: they validate forms, call :mod:`klaster.observatory` / :mod:`klaster.observatory.io`
(through :mod:`klaster.analysis.services`) and render. Permissions: analysts run; organizers
read the shared runs and the built-in I-O pages; runs on uploaded files are their owner's only
(``rules.py``).
"""

from __future__ import annotations

import re

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role, has_role
from klaster.analysis import services as S
from klaster.analysis import uploads
from klaster.analysis.forms import ImpactForm, IOUploadForm, MapForm, RegionaliseForm, io_table_choices
from klaster.analysis.models import AnalysisRun
from klaster.common import audit

READERS = (Role.ANALYST, Role.ORGANIZER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 200


def _visible(user):
    qs = AnalysisRun.objects.select_related("owner")
    return qs.filter(~Q(dataset="upload") | Q(owner=user))


def _run_or_404(request, pk, kind=None) -> AnalysisRun:
    run = get_object_or_404(AnalysisRun, pk=pk, **({"kind": kind} if kind else {}))
    if not request.user.has_perm("analysis.view_run", run):
        raise PermissionDenied
    return run


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    r = HttpResponse(data, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    r["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return r


@role_required(*READERS)
def index(request):
    """Runs the user may see and the entry points."""
    runs = _visible(request.user)
    return render(request, "analysis/index.html", {
        "runs": runs[:100], "can_run": has_role(request.user, Role.ANALYST)})


# ---------------------------------------------------------------- cluster mapping
@role_required(Role.ANALYST)
def map_new(request):
    """Form of a mapping run; POST runs it synchronously, saves it and redirects to its page."""
    form = MapForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        source = d["source"]
        panel, upload_name, stored = None, "", None
        try:
            if source == "upload":
                f = d["file"]
                uploads.check_upload(f)
                from klaster.observatory.panel import PanelError, load_panel

                with uploads.staged(f) as path:
                    try:
                        panel = load_panel(path)
                    except PanelError as exc:
                        raise uploads.UploadRejected(uploads.clean_message(str(exc), path)) from None
                    rel_dir = uploads.new_run_dir()
                    stored = uploads.keep(path, rel_dir)
                upload_name = f.name
            else:
                panel = S.load_builtin_panel(source, d["frame"])
                rel_dir = uploads.new_run_dir()
        except uploads.UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            measure = d["measure"] or S.PANEL_SOURCES.get(source, ("", "employment"))[1]
            if measure not in panel.measures:
                measure = d["measure"] or panel.measures[0]
            year = d["year"] or panel.years[-1]
            years = [y for y in d["years"] if y in panel.years] or d["years"]
            params = {"methodologies": d["methodologies"], "measure": measure, "year": year, "years": years,
                      "stability": d["stability"] or 0, "frame": d["frame"] if source == "kz-bns-gva" else None}
            if stored:
                params["file"] = stored
            run = AnalysisRun.objects.create(kind=AnalysisRun.Kind.MAP, owner=request.user, dataset=source,
                                             upload_name=upload_name, parameters=params, output_dir=rel_dir)
            S.execute_map(run, panel, user=request.user)
            if run.status == AnalysisRun.Status.FAILED:
                messages.error(request, _("The run failed: %(error)s") % {"error": run.error})
            return redirect("analysis:run", pk=run.pk)
    return render(request, "analysis/map_form.html", {"form": form})


def _region_labels(run, names) -> dict[str, str]:
    labels = dict(names.get("regions", {}))
    if run.summary.get("kazakhstan"):
        from klaster.reference.models import Region

        lang = (get_language() or "ru")[:2]
        for r in Region.objects.all():
            labels[r.kato] = r.localized(lang)[0]
    return labels


def _choropleth(run, rows: pd.DataFrame, labels: dict, value_col: str, title: str):
    """SVG shapes of Kazakhstan's regions coloured by ``value_col`` of ``rows`` (indexed by region)."""
    from klaster.observatory import frames as kzframes
    from klaster.reference.models import Region
    from klaster.web.maps import project

    geoms = {r.kato: r.boundary for r in Region.objects.exclude(boundary=None)}
    if not geoms:
        return None
    unit_of = kzframes.geometry_unit(str(run.parameters.get("frame") or "2022"))
    shapes, width, height = project(geoms)
    vals = rows[value_col].to_dict()
    finite = [v for v in vals.values() if pd.notna(v)]
    top = max(finite) if finite else 0
    palette = ["#eef3f7", "#c6dbe6", "#8fbfd2", "#4f9bb8", "#0b6e8a"]
    out = []
    for s in shapes:
        unit = unit_of.get(s.kato, s.kato)
        v = vals.get(unit)
        k = 0 if v is None or pd.isna(v) or top <= 0 else min(4, int(4 * float(v) / top + 0.5))
        out.append({"d": s.d, "x": s.label_x, "y": s.label_y, "fill": palette[k], "name": labels.get(unit, unit),
                    "value": "—" if v is None or pd.isna(v) else (f"{v:.3g}" if isinstance(v, float) else v)})
    return {"shapes": out, "width": width, "height": height, "title": title, "legend": palette, "top": top}


@role_required(*READERS)
def run_detail(request, pk):
    """A saved run: parameters, status, flags table with filters, exports, report, choropleth."""
    run = _run_or_404(request, pk)
    if run.kind == AnalysisRun.Kind.IO_TABLE:
        return redirect(reverse("analysis:io") + f"?table=run-{run.pk}")
    ctx = {"run": run}
    if run.kind == AnalysisRun.Kind.MAP and run.status == AnalysisRun.Status.DONE:
        flags = S.read_flags(run)
        names = S.read_names(run)
        labels = _region_labels(run, names)
        sectors = names.get("sectors", {})
        g = request.GET
        year = run.parameters["year"]
        f = {"methodology": g.get("methodology", ""), "region": g.get("region", ""), "sector": g.get("sector", ""),
             "flag": g.get("flag", "")}
        try:
            year = int(g.get("year") or year)
        except ValueError:
            pass
        rows = S.filter_flags(flags, year=year, **f)
        fcols = S.flag_columns(flags)
        shown_cols = [c for c in fcols if rows[c].notna().any()] if len(rows) else fcols
        page = Paginator(rows, PAGE).get_page(g.get("page"))
        page.object_list = [
            {"methodology": r["methodology"], "region": r["region"], "region_name": labels.get(r["region"], ""),
             "sector": r["sector"], "sector_name": sectors.get(r["sector"], ""), "value": r["value"], "lq": r["lq"],
             "flags": [(c, None if pd.isna(r[c]) else (bool(r[c]) if c != "stars" else int(r[c]))) for c in shown_cols]}
            for r in page.object_list.to_dict("records")]
        cur = flags[flags["year"] == year]
        ctx.update({
            "page": page, "total": len(rows), "flag_cols": fcols, "shown_cols": shown_cols, "filters": f, "year": year,
            "years": sorted(flags["year"].unique().tolist()),
            "methodology_choices": list(dict.fromkeys(flags["methodology"])),
            "region_choices": [(r, labels.get(r, r)) for r in sorted(flags["region"].unique())],
            "sector_choices": [(s, sectors.get(s, "")) for s in sorted(flags["sector"].unique(), key=lambda x: (len(x), x))],
            "labels": labels, "sectors": sectors, "query": request.GET.urlencode(),
            "files": sorted(p.name for p in S.run_dir(run).iterdir() if re.fullmatch(r"[a-z_]+\.(csv|xlsx)", p.name)),
        })
        if run.summary.get("kazakhstan") and len(cur):
            meth = f["methodology"] or ctx["methodology_choices"][0]
            if f["sector"]:
                data = cur[(cur["sector"] == f["sector"]) & (cur["methodology"] == meth)].set_index("region")
                title = _("Location quotient of %(sector)s, %(year)s") % {"sector": f["sector"], "year": year}
                ctx["map"] = _choropleth(run, data, labels, "lq", title)
            else:
                col = f["flag"] or {"cmp": "strong", "eco": "stars", "kz-bn": "flagged"}.get(meth, "")
                sub = S.filter_flags(cur, methodology=meth, flag=col) if col in cur.columns else cur.iloc[0:0]
                counts = sub.groupby("region").size().reindex(cur["region"].unique(), fill_value=0).to_frame("n")
                title = _("Sectors flagged “%(flag)s” (%(methodology)s) by region, %(year)s") % {"flag": col, "methodology": meth, "year": year}
                ctx["map"] = _choropleth(run, counts, labels, "n", title)
    return render(request, "analysis/run.html", ctx)


@role_required(*READERS)
def run_export(request, pk, fmt):
    """The flags table of a run with the page's filters, as CSV or XLSX."""
    run = _run_or_404(request, pk, AnalysisRun.Kind.MAP)
    if run.status != AnalysisRun.Status.DONE or fmt not in ("csv", "xlsx"):
        raise Http404
    g = request.GET
    flags = S.read_flags(run)
    year = None
    if g.get("year"):
        try:
            year = int(g["year"])
        except ValueError:
            year = None
    rows = S.filter_flags(flags, year=year, methodology=g.get("methodology", ""), region=g.get("region", ""),
                          sector=g.get("sector", ""), flag=g.get("flag", ""))
    names = S.read_names(run)
    rows = rows.assign(region_name=rows["region"].map(_region_labels(run, names)),
                       sector_name=rows["sector"].map(names.get("sectors", {})))
    return _download(S.to_bytes({"flags": rows}, fmt), f"klaster-run-{run.pk}-flags", fmt)


@role_required(*READERS)
@xframe_options_sameorigin
def run_report(request, pk):
    """The library's HTML report of a run, served after the permission check.

    The response is sandboxed (CSP ``sandbox allow-scripts``): the report's Plotly scripts run,
    but in an opaque origin without access to the site's cookies or pages.
    """
    run = _run_or_404(request, pk, AnalysisRun.Kind.MAP)
    p = S.run_dir(run) / "report.html"
    if not p.exists():
        raise Http404
    r = FileResponse(p.open("rb"), content_type="text/html; charset=utf-8")
    r["Content-Security-Policy"] = "sandbox allow-scripts"
    return r


@role_required(*READERS)
def run_file(request, pk, name):
    """One of the run's output tables (``indicators.xlsx``, ``comparison.csv``, …)."""
    run = _run_or_404(request, pk, AnalysisRun.Kind.MAP)
    if not re.fullmatch(r"[a-z_]+\.(csv|xlsx)", name):
        raise Http404
    p = S.run_dir(run) / name
    if not p.is_file():
        raise Http404
    return FileResponse(p.open("rb"), as_attachment=True, filename=f"klaster-run-{run.pk}-{name}")


# ---------------------------------------------------------------- input-output
def _io_uploads(user):
    return AnalysisRun.objects.filter(kind=AnalysisRun.Kind.IO_TABLE, owner=user, status=AnalysisRun.Status.DONE)


def _io_table(request, key):
    """(IOTable, key, label, sector names) of a built-in table or the user's uploaded table."""
    if key in S.IO_TABLES:
        return S.builtin_io(key), key, S.IO_TABLES[key], S.io_sector_names(key)
    m = re.fullmatch(r"run-(\d+)", key or "")
    if not m:
        raise Http404
    run = _run_or_404(request, int(m.group(1)), AnalysisRun.Kind.IO_TABLE)
    from klaster.observatory.io import IOTableError

    try:
        return S.load_uploaded_io(run), key, run.upload_name, {}
    except IOTableError:
        raise Http404 from None


@role_required(*READERS)
def io_multipliers(request):
    """Type I/II multipliers of a table, compared with the published figures; upload a table (POST)."""
    upload_form = IOUploadForm()
    if request.method == "POST":
        if not has_role(request.user, Role.ANALYST):
            raise PermissionDenied
        upload_form = IOUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            from klaster.observatory.io import IOTableError
            from klaster.observatory.io.tables import read_table

            d = upload_form.cleaned_data
            f = d["file"]
            try:
                uploads.check_upload(f)
                with uploads.staged(f) as path:
                    try:
                        t = read_table(path, household_income=d["household_income"], check=d["check"])
                    except IOTableError as exc:
                        raise uploads.UploadRejected(uploads.clean_message(str(exc), path)) from None
                    rel_dir = uploads.new_run_dir()
                    stored = uploads.keep(path, rel_dir)
            except uploads.UploadRejected as exc:
                upload_form.add_error("file", str(exc))
            else:
                run = AnalysisRun.objects.create(
                    kind=AnalysisRun.Kind.IO_TABLE, owner=request.user, dataset="upload", upload_name=f.name,
                    output_dir=rel_dir, status=AnalysisRun.Status.DONE,
                    parameters={"file": stored, "household_income": d["household_income"], "check": d["check"]},
                    summary={"sectors": t.n})
                from django.utils import timezone

                run.finished_at = timezone.now()
                run.save(update_fields=["finished_at"])
                audit.record(actor=request.user, action="analysis.io_table.upload", obj=run, note=f.name)
                return redirect(reverse("analysis:io") + f"?table=run-{run.pk}")
    key = request.GET.get("table") or "scotland-2019"
    typ = request.GET.get("type") if request.GET.get("type") in ("I", "II") else "I"
    t, key, label, names = _io_table(request, key)
    ctx = {"choices": io_table_choices(_io_uploads(request.user)), "key": key, "label": label, "type": typ,
           "upload_form": upload_form, "can_run": has_role(request.user, Role.ANALYST), "n": t.n, "unit": t.unit}
    if typ == "II" and t.household_income is None:
        ctx["notice"] = _("Type II needs the total household income of the table; showing Type I.")
        typ = ctx["type"] = "I"
    mult = t.multipliers(typ)
    pub = S.published_multipliers(key).get(typ)
    table = mult.copy()
    if pub is not None and "Output multiplier" in pub:
        table.insert(1, "Published output multiplier", pub["Output multiplier"].reindex(table.index))
    table.insert(0, "Sector", [names.get(s, "") for s in table.index])
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        frames = {f"Type {typ}": table}
        v = S.validation_table(key)
        if v is not None:
            frames["Validation"] = v
        return _download(S.to_bytes(frames, fmt, index=True), f"klaster-io-{key}-type{typ}", fmt)
    v = S.validation_table(key)
    ctx.update({"columns": list(table.columns), "rows": [(i, list(r)) for i, r in zip(table.index, table.itertuples(index=False))],
                "validation": None if v is None else [(i, r) for i, r in zip(v.index, v.to_dict("records"))]})
    return render(request, "analysis/io.html", ctx)


@role_required(Role.ANALYST)
def io_impact(request):
    """Impact of a final-demand change (ΔX = L ΔY) with the library's ``IOTable.impact``."""
    key = request.POST.get("table") or request.GET.get("table") or "scotland-2019"
    t, key, label, names = _io_table(request, key)
    sectors = [(s, f"{s} {names.get(s, '')}".strip()) for s in t.labels]
    choices = io_table_choices(_io_uploads(request.user))
    form = ImpactForm(request.POST or None, table_choices=choices, sectors=sectors, initial={"table": key})
    ctx = {"form": form, "key": key, "label": label, "unit": t.unit}
    if request.method == "POST" and form.is_valid():
        from klaster.observatory.io import IOTableError

        d = form.cleaned_data
        dy = pd.Series(d["delta_y"], dtype=float)
        try:
            dx = t.impact(dy.to_frame("impact"), type=d["type"])
            summary = t.impact_summary(dx)
        except (IOTableError, ValueError) as exc:
            form.add_error(None, str(exc))
        else:
            by_sector = pd.DataFrame({"Sector": [names.get(s, "") for s in dx.index], "Final-demand change": dy.reindex(dx.index).fillna(0.0),
                                      "Output change": dx["impact"]})
            by_sector = by_sector[by_sector["Output change"].abs() > 1e-9].sort_values("Output change", ascending=False)
            fmt = request.POST.get("export")
            if fmt in ("csv", "xlsx"):
                return _download(S.to_bytes({"Output change": by_sector, "Summary": summary}, fmt, index=True), f"klaster-impact-{key}", fmt)
            run = AnalysisRun.objects.create(
                kind=AnalysisRun.Kind.IO_IMPACT, owner=request.user, dataset="upload" if key.startswith("run-") else key,
                upload_name=label if key.startswith("run-") else "", status=AnalysisRun.Status.DONE,
                parameters={"table": key, "type": d["type"], "delta_y": d["delta_y"]},
                summary={k: float(v) for k, v in summary.iloc[0].items()})
            audit.record(actor=request.user, action="analysis.io_impact.run", obj=run)
            ctx.update({"summary": summary.iloc[0].to_dict(), "run": run,
                        "by_sector": [(i, r["Sector"], r["Final-demand change"], r["Output change"]) for i, r in by_sector.head(60).iterrows()]})
    return render(request, "analysis/io_impact.html", ctx)


@role_required(*READERS)
def io_regionalise(request):
    """UK 2019 → Scotland by SLQ/CILQ/FLQ/AFLQ: the chosen method's multipliers and the MAPE table."""
    form = RegionaliseForm(request.GET or {"method": "flq", "delta": 0.2})
    ctx = {"form": form, "standard": S.regionalisation_standard()}
    if form.is_valid():
        d = form.cleaned_data
        from klaster.observatory.io import IOTableError

        try:
            table, summary = S.regionalise_uk_to_scotland(d["method"], d["delta"] if d["method"] in ("flq", "aflq") else None)
        except IOTableError as exc:
            form.add_error(None, str(exc))
        else:
            fmt = request.GET.get("format")
            if fmt in ("csv", "xlsx"):
                return _download(S.to_bytes({"Output multipliers": table, "MAPE": ctx["standard"]}, fmt, index=True),
                                 f"klaster-regionalise-{d['method']}", fmt)
            ctx.update({"summary": summary, "table": table})
    st = ctx["standard"]
    ctx["standard_rows"] = [(i, r["lambda*"], r["MAPE %"], r["mean multiplier"]) for i, r in st.iterrows()]
    return render(request, "analysis/io_regionalise.html", ctx)
