"""The analysts' pages: cluster mapping and input-output analysis on top of the libraries.

Views stay thin: they validate forms, call :mod:`klaster.observatory` / :mod:`klaster.observatory.io`
(through :mod:`klaster.analysis.services`) and render. Permissions: analysts run; organizers
read the shared runs and the built-in I-O pages; runs on uploaded files are their owner's only
(``rules.py``).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pandas as pd
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from klaster.accounts.permissions import role_required
from klaster.accounts.roles import Role, has_role
from klaster.analysis import labels
from klaster.analysis import services as S
from klaster.analysis import uploads
from klaster.analysis.forms import (
    IO_KEY,
    ImpactForm,
    IOTableSelectForm,
    IOUploadForm,
    IOViewForm,
    MapForm,
    RegionaliseForm,
    RunExportForm,
    RunFileForm,
    RunFilterForm,
    io_table_choices,
)
from klaster.analysis.models import AnalysisRun
from klaster.analysis.run_labels import file_label, flag_count_rows, flag_label, methodology_label, parameter_rows, sector_names
from klaster.common import audit, exports
from klaster.common.forms import errors_text
from klaster.common.refusals import Refusal
from klaster.datasets import DatasetError

READERS = (Role.ANALYST, Role.ORGANIZER)
#: Rows of a run's flags table on one page.
RUN_PAGE = 50


def _visible(user):
    qs = AnalysisRun.objects.select_related("owner")
    return qs.filter(~Q(dataset="upload") | Q(owner=user))


def _run_or_404(request, pk, kind=None) -> AnalysisRun:
    run = get_object_or_404(AnalysisRun, pk=pk, **({"kind": kind} if kind else {}))
    if not request.user.has_perm("analysis.view_run", run):
        raise PermissionDenied
    return run


def _download(frames: dict, filename: str, fmt: str, *, index: bool = False):
    """Tables as a CSV/XLSX attachment through the one export path (:func:`services.export_bytes`)."""
    return exports.response(S.export_bytes(frames, fmt, index=index), f"{filename}.{fmt}", fmt)


@role_required(*READERS)
def index(request):
    """Runs the user may see and the entry points."""
    runs = _visible(request.user)
    return render(request, "analysis/index.html", {
        "runs": runs[:100], "can_run": has_role(request.user, Role.ANALYST)})


# ---------------------------------------------------------------- cluster mapping
class _LibraryRejected(Exception):
    """The library refused an uploaded file; the message (English, as the library writes it)
    names the user's file, row and column."""


@contextmanager
def _validated_upload(f, limits: dict, read, errors):
    """Check ``f`` (:func:`uploads.accept`: type, size, XLSX streamed with ``limits``), then let the
    library ``read(path)`` it in a temporary directory; yield ``(result, staged path)``.

    Raises ``Refusal`` (the common checks) or ``_LibraryRejected`` (the library's ``errors``).
    """
    uploads.accept(f, limits=limits)
    with uploads.staged(f) as path:
        try:
            result = read(path)
        except errors as exc:
            raise _LibraryRejected(uploads.clean_message(str(exc), path)) from None
        yield result, path


def _upload_error(form, exc) -> None:
    form.add_error("file", exc.text() if isinstance(exc, Refusal) else str(exc))


@role_required(Role.ANALYST)
def map_new(request):
    """Form of a mapping run; POST saves it (``queued``), queues it for the worker
    (:mod:`klaster.analysis.tasks`) and redirects to its page, which shows its progress.

    An uploaded panel is checked and validated by the library before anything is stored; the run
    directory is removed again if saving the run fails (no orphan under ``MEDIA_ROOT/analysis``).
    """
    form = MapForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        run = None
        try:
            if d["source"] == "upload":
                from klaster.observatory.panel import PanelError, load_panel

                with _validated_upload(d["file"], uploads.PANEL_LIMITS, load_panel, PanelError) as (panel, path):
                    params = _map_params(form, d, panel)
                    if params:
                        run = _save_map_run(request.user, d, params, path)
            else:
                panel = S.load_builtin_panel(d["source"], d["frame"])
                params = _map_params(form, d, panel)
                if params:
                    run = _save_map_run(request.user, d, params, None)
        except (Refusal, _LibraryRejected) as exc:
            _upload_error(form, exc)
        except DatasetError as exc:  # the built-in dataset is missing on this server: say which and how to get it
            form.add_error("source", str(exc))
        if run is not None:
            dropped = [y for y in d["years"] if y not in run.parameters["years"]]
            if dropped:
                messages.warning(request, _("Years not in the panel were left out: %(years)s") % {"years": ", ".join(map(str, dropped))})
            from klaster.analysis.tasks import enqueue_map

            enqueue_map(run)
            messages.info(request, _("The run is queued; this page shows its progress and refreshes itself. You may leave it and come back."))
            return redirect("analysis:run", pk=run.pk)
    return render(request, "analysis/map_form.html", {"form": form})


def _map_params(form, d: dict, panel) -> dict | None:
    """The run's parameters, with the measure and years checked against ``panel``.

    Blank measure: ``gva`` for Kazakhstan, ``employment`` for the U.S. and an upload (or the
    panel's first measure); blank year: the panel's latest. A measure or main year the panel does
    not have, or over-time years none of which it has, are form errors (``None`` is returned,
    nothing is saved); over-time years partly outside the panel are left out (the view says so).
    """
    source = d["source"]
    measures, years_of_panel = list(panel.measures), [int(y) for y in panel.years]
    measure = d["measure"] or S.PANEL_SOURCES.get(source, ("", "employment"))[1]
    if measure not in measures:
        if d["measure"]:
            form.add_error("measure", _("%(measure)s is not a measure of the panel; it has: %(measures)s") % {
                "measure": d["measure"], "measures": ", ".join(measures)})
        measure = measures[0]
    year = d["year"] or years_of_panel[-1]
    if year not in years_of_panel:
        form.add_error("year", _("%(year)s is not a year of the panel (%(first)s–%(last)s)") % {
            "year": year, "first": years_of_panel[0], "last": years_of_panel[-1]})
    years = [y for y in d["years"] if y in years_of_panel]
    if d["years"] and not years:
        form.add_error("years", _("none of these years is in the panel (%(first)s–%(last)s)") % {
            "first": years_of_panel[0], "last": years_of_panel[-1]})
    if form.errors:
        return None
    return {"methodologies": d["methodologies"], "measure": measure, "year": year, "years": years,
            "stability": d["stability"] or 0, "frame": d["frame"] if source == "kz-bns-gva" else None,
            "lq_base": d.get("lq_base") or None}


def _save_map_run(user, d: dict, params: dict, path) -> AnalysisRun:
    """Create the run's directory (with the stored upload, if any) and its row, audited
    (``analysis.map.start``) — all or nothing."""
    source = d["source"]
    upload_name = d["file"].name if path is not None else ""
    with uploads.run_directory() as rel_dir, transaction.atomic():
        if path is not None:
            params["file"] = uploads.keep(path, rel_dir)
        run = AnalysisRun.objects.create(kind=AnalysisRun.Kind.MAP, owner=user, dataset=source, status=AnalysisRun.Status.QUEUED,
                                         upload_name=upload_name, parameters=params, output_dir=rel_dir)
        audit.record(actor=user, action="analysis.map.start", obj=run, note=f"{source} {upload_name}".strip())
    return run


def _region_labels(run, names) -> dict[str, str]:
    labels = dict(names.get("regions", {}))
    if run.summary.get("kazakhstan"):
        from klaster.reference.models import Region

        lang = (get_language() or "ru")[:2]
        for r in Region.objects.all():
            labels[r.kato] = r.localized(lang)[0]
    return labels


def _choropleth(run, rows: pd.DataFrame, labels: dict, value_col: str, *, caption: str, measure: str, unit: str,
                decimals: int, link_query: dict):
    """The map of a Kazakhstan run (:func:`klaster.web.maps.map_context`): the regions coloured by
    ``value_col`` of ``rows`` (indexed by the frame's geometry unit) in five classes from 0 to the
    largest value (:func:`klaster.web.maps.class_breaks`, the one colouring rule; the legend names
    ``measure``, its ``unit`` and the breaks); a click filters the flags table by the region
    (``link_query`` + ``region``). ``None`` without boundaries."""
    from klaster.observatory import frames as kzframes
    from klaster.reference.models import Region
    from klaster.web import maps
    from klaster.web.templatetags.klaster import num

    def fmt(x):  # whole numbers without decimals (counts, breaks of counts), else ``decimals`` places
        return num(int(x)) if float(x).is_integer() else num(x, decimals)

    katos = list(Region.objects.exclude(boundary=None).values_list("kato", flat=True))
    if not katos:
        return None
    unit_of = kzframes.geometry_unit(str(run.parameters.get("frame") or "2022"))
    vals = rows[value_col].to_dict()
    values, names, links, hover = {}, {}, {}, {}
    for kato in katos:
        u = unit_of.get(kato, kato)
        v = vals.get(u)
        values[kato] = None if v is None or pd.isna(v) else float(v)
        names[kato] = labels.get(u, u)
        links[kato] = "?" + urlencode({**link_query, "region": u})
        hover[kato] = "—" if values[kato] is None else fmt(values[kato])
    finite = [v for v in values.values() if v is not None]
    breaks = maps.class_breaks(max(finite) if finite else 0)
    legend = [f"{fmt(lo)} – {fmt(hi)}" for lo, hi in breaks]
    no_data = _("no data")
    figure = maps.choropleth_figure(values, names=names, links=links, measure=measure, unit=unit, breaks=breaks,
                                    hover=hover, legend=legend, no_data=no_data, geojson=reverse("web:boundaries"))
    table = [(names[k], links[k], hover[k], no_data if maps.class_of(values[k], breaks) is None else legend[maps.class_of(values[k], breaks)])
             for k in sorted(katos, key=lambda k: names[k])]
    return maps.map_context("choropleth", caption=caption, figure=figure, rows=table,
                            head=[_("Region"), f"{measure}, {unit}" if unit else measure, _("Legend")])


def _filter_form(cls, data, flags: pd.DataFrame):
    """The flags-table filter form of a run, with the run's own values as choices."""
    return cls(data, years=sorted(int(y) for y in flags["year"].unique()),
               methodologies=list(dict.fromkeys(flags["methodology"])), regions=sorted(flags["region"].unique()),
               sectors=sorted(flags["sector"].unique(), key=lambda x: (len(x), x)), flags=S.flag_columns(flags))


@role_required(*READERS)
def run_detail(request, pk):
    """A saved run: its parameters in words (:func:`klaster.analysis.run_labels.parameter_rows`),
    status, the map, the flags table with filters (50 rows a page, GOV.UK pagination) and
    the full report as a link (not embedded; it is several megabytes).

    The filters (``year``, ``methodology``, ``region``, ``sector``, ``flag``, ``page``) go through
    :class:`RunFilterForm`; a value that is not one of the run's (or a page that does not exist)
    is shown as an error and no table is drawn.
    """
    run = _run_or_404(request, pk)
    if run.kind == AnalysisRun.Kind.IO_TABLE:
        return redirect(reverse("analysis:io") + f"?table=run-{run.pk}")
    ctx = {"run": run, "param_rows": parameter_rows(run)}
    if run.kind == AnalysisRun.Kind.MAP and run.status == AnalysisRun.Status.DONE:
        flags = S.read_flags(run)
        names = S.read_names(run)
        labels = _region_labels(run, names)
        sectors = sector_names(run, names)
        form = _filter_form(RunFilterForm, request.GET, flags)
        fcols = S.flag_columns(flags)
        ctx.update({
            "flags_shown": True, "flag_cols": fcols, "year": run.parameters["year"], "filters": {},
            "years": sorted(flags["year"].unique().tolist()),
            "methodology_choices": list(dict.fromkeys(flags["methodology"])),
            "methodology_labels": [(m, methodology_label(m)) for m in dict.fromkeys(flags["methodology"])],
            "flag_labels": [(c, flag_label(c)) for c in fcols], "flag_counts": flag_count_rows(run),
            "notes": [_(n) for n in run.summary.get("notes", [])],
            "region_choices": [(r, labels.get(r, r)) for r in sorted(flags["region"].unique())],
            "sector_choices": [(s, sectors.get(s, "")) for s in sorted(flags["sector"].unique(), key=lambda x: (len(x), x))],
            "labels": labels, "sectors": sectors,
            "files": [(f, file_label(f)) for f in sorted(p.name for p in S.run_dir(run).iterdir() if re.fullmatch(r"[a-z_]+\.(csv|xlsx)", p.name))],
        })
        if form.is_valid():
            f = form.filters()
            year = form.cleaned_data["year"] or run.parameters["year"]
            rows = S.filter_flags(flags, year=year, **f)
            paginator = Paginator(rows, RUN_PAGE)
            try:
                page = paginator.page(form.cleaned_data["page"] or 1)
            except EmptyPage:
                form.add_error("page", _("Page %(page)s does not exist; there are %(pages)s.") % {
                    "page": form.cleaned_data["page"], "pages": paginator.num_pages})
        if not form.is_valid():
            ctx["filter_errors"] = errors_text(form)
            return render(request, "analysis/run.html", ctx)
        shown_cols = [c for c in fcols if rows[c].notna().any()] if len(rows) else fcols
        page.object_list = [
            {"methodology": r["methodology"], "methodology_name": methodology_label(r["methodology"]), "region": r["region"], "region_name": labels.get(r["region"], ""),
             "sector": r["sector"], "sector_name": sectors.get(r["sector"], ""), "value": r["value"], "lq": r["lq"],
             "flags": [(c, None if pd.isna(r[c]) else (bool(r[c]) if c != "stars" else int(r[c]))) for c in shown_cols]}
            for r in page.object_list.to_dict("records")]
        query = {k: v for k, v in f.items() if v}
        cur = flags[flags["year"] == year]
        ctx.update({
            "table_shown": True, "page": page, "total": len(rows), "shown_cols": [(c, flag_label(c)) for c in shown_cols], "filters": f, "year": year,
            "page_links": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "query": urlencode({**query, "year": year}), "export_query": urlencode({**query, "year": year}),
        })
        if run.summary.get("kazakhstan") and len(cur):
            meth = f["methodology"] or ctx["methodology_choices"][0]
            link_query = {k: v for k, v in {**f, "year": year, "region": ""}.items() if v}
            if f["sector"]:
                data = cur[(cur["sector"] == f["sector"]) & (cur["methodology"] == meth)].set_index("region")
                sector = f"{f['sector']} {sectors.get(f['sector'], '')}".strip()
                ctx["map"] = _choropleth(run, data, labels, "lq", caption=_("Location quotient of %(sector)s, %(year)s") % {"sector": sector, "year": year},
                                         measure=_("Location quotient"), unit=_("ratio to the national share"), decimals=2, link_query=link_query)
            else:
                col = f["flag"] or {"cmp": "strong", "eco": "stars", "kz-bn": "flagged"}.get(meth, "")
                sub = S.filter_flags(cur, methodology=meth, flag=col) if col in cur.columns else cur.iloc[0:0]
                counts = sub.groupby("region").size().reindex(cur["region"].unique(), fill_value=0).to_frame("n")
                caption = _("Sectors flagged “%(flag)s” (%(methodology)s) by region, %(year)s") % {
                    "flag": flag_label(col), "methodology": methodology_label(meth), "year": year}
                ctx["map"] = _choropleth(run, counts, labels, "n", caption=caption, measure=_("Sectors flagged"),
                                         unit=_("number of sectors"), decimals=2, link_query=link_query)
    return render(request, "analysis/run.html", ctx)


@role_required(*READERS)
def run_export(request, pk, fmt):
    """The flags table of a run with the page's filters, as CSV or XLSX (``fmt``).

    Filters as on the run page (:class:`RunExportForm`; blank ``year`` = every year). An unknown
    format is a 404; a malformed filter redirects to the run page, which shows the error. The file
    goes through :mod:`klaster.common.exports` (formula-like text neutralised; numbers with a point).
    """
    run = _run_or_404(request, pk, AnalysisRun.Kind.MAP)
    if run.status != AnalysisRun.Status.DONE:
        raise Http404
    flags = S.read_flags(run)
    data = request.GET.copy()
    data["fmt"] = fmt
    form = _filter_form(RunExportForm, data, flags)
    if not form.is_valid():
        if "fmt" in form.errors:
            raise Http404
        for e in errors_text(form):
            messages.error(request, e)
        return redirect(reverse("analysis:run", args=[run.pk]) + "?" + request.GET.urlencode())
    rows = S.filter_flags(flags, year=form.cleaned_data["year"], **form.filters())
    names = S.read_names(run)
    rows = rows.assign(region_name=rows["region"].map(_region_labels(run, names)),
                       sector_name=rows["sector"].map(names.get("sectors", {})))
    return _download({"flags": rows}, f"klaster-run-{run.pk}-flags", form.cleaned_data["fmt"])


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
    """One of the run's output tables (``indicators.xlsx``, ``comparison.csv``, …), re-written
    through :mod:`klaster.common.exports` (:func:`services.library_file_bytes`)."""
    run = _run_or_404(request, pk, AnalysisRun.Kind.MAP)
    form = RunFileForm({"name": name})
    if not form.is_valid() or run.status != AnalysisRun.Status.DONE:
        raise Http404
    name = form.cleaned_data["name"]
    p = S.run_dir(run) / name
    if not p.is_file():
        raise Http404
    fmt = name.rsplit(".", 1)[1]
    return exports.response(S.library_file_bytes(p), f"klaster-run-{run.pk}-{name}", fmt)


# ---------------------------------------------------------------- input-output
def _io_uploads(user):
    return AnalysisRun.objects.filter(kind=AnalysisRun.Kind.IO_TABLE, owner=user, status=AnalysisRun.Status.DONE)


def _io_table(request, key: str):
    """(IOTable, key, label, sector names) of a built-in table or the user's uploaded table; the
    label and the names in the user's language (:mod:`klaster.analysis.labels`).

    ``key`` is a cleaned :class:`~klaster.analysis.forms.IOTableKeyField` value; an unknown run
    is a 404, another user's upload a 403.
    """
    if key in S.IO_TABLES:
        return S.builtin_io(key), key, labels.table_label(key), labels.sector_names(key)
    m = IO_KEY.fullmatch(key or "")
    if not m:
        raise Http404
    run = _run_or_404(request, int(m.group(1)), AnalysisRun.Kind.IO_TABLE)
    if run.status != AnalysisRun.Status.DONE:  # not read by the worker yet, or failed
        raise Http404
    from klaster.observatory.io import IOTableError

    try:
        return S.load_uploaded_io(run), key, run.upload_name, {}
    except (IOTableError, OSError):
        raise Http404 from None


@role_required(*READERS)
def io_multipliers(request):
    """Type I/II multipliers of a table, compared with the published figures; upload a table (POST).

    GET ``table``, ``type``, ``format`` go through :class:`IOViewForm`; the upload through
    :class:`IOUploadForm` and :func:`uploads.accept` (type, size, XLSX limits). An accepted file is
    stored with its run (``io_table``, ``queued``, audited ``analysis.io_table.upload``) in one step
    — nothing is stored when it is refused — and queued for the worker
    (:func:`klaster.analysis.tasks.run_io_table`: the library reads and checks the table and
    computes its multipliers). The page of an uploaded table that is not done yet shows the run's
    status (refreshing itself while it is queued or running) or its error.
    """
    upload_form = IOUploadForm()
    if request.method == "POST":
        if not has_role(request.user, Role.ANALYST):
            raise PermissionDenied
        upload_form = IOUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            d = upload_form.cleaned_data
            f = d["file"]
            income = None if d["household_income"] is None else float(d["household_income"])
            try:
                uploads.accept(f, limits=uploads.TABLE_LIMITS)
                with uploads.staged(f) as path, uploads.run_directory() as rel_dir, transaction.atomic():
                    stored = uploads.keep(path, rel_dir)
                    run = AnalysisRun.objects.create(
                        kind=AnalysisRun.Kind.IO_TABLE, owner=request.user, dataset="upload", upload_name=f.name,
                        output_dir=rel_dir, status=AnalysisRun.Status.QUEUED,
                        parameters={"file": stored, "household_income": income, "check": d["check"]})
                    audit.record(actor=request.user, action="analysis.io_table.upload", obj=run, note=f.name)
            except Refusal as exc:
                _upload_error(upload_form, exc)
            else:
                from klaster.analysis.tasks import enqueue_io_table

                enqueue_io_table(run)
                run.refresh_from_db()
                if run.in_progress:
                    messages.info(request, _("The run is queued; this page shows its progress and refreshes itself. You may leave it and come back."))
                return redirect(reverse("analysis:io") + f"?table=run-{run.pk}")
    view = IOViewForm(request.GET)
    ctx = {"choices": io_table_choices(_io_uploads(request.user)), "upload_form": upload_form,
           "can_run": has_role(request.user, Role.ANALYST), "key": "", "type": "I"}
    if not view.is_valid():
        ctx["view_errors"] = errors_text(view)
        return render(request, "analysis/io.html", ctx)
    typ = view.cleaned_data["type"] or "I"
    m = IO_KEY.fullmatch(view.cleaned_data["table"] or "")
    if m:
        run = _run_or_404(request, int(m.group(1)), AnalysisRun.Kind.IO_TABLE)
        if run.status != AnalysisRun.Status.DONE:  # queued, running (the page refreshes itself) or failed (its error)
            return render(request, "analysis/run.html", {"run": run, "param_rows": parameter_rows(run)})
    t, key, label, names = _io_table(request, view.cleaned_data["table"] or "scotland-2019")
    ctx.update({"key": key, "label": label, "type": typ, "n": t.n, "unit": t.unit})
    if typ == "II" and t.household_income is None:
        ctx["notice"] = _("Type II needs the total household income of the table; showing Type I.")
        typ = ctx["type"] = "I"
    mult = t.multipliers(typ)
    pub = S.published_multipliers(key).get(typ)
    table = mult.copy()
    if pub is not None and "Output multiplier" in pub:
        table.insert(1, "Published output multiplier", pub["Output multiplier"].reindex(table.index))
    v = S.validation_table(key)
    fmt = view.cleaned_data["format"]
    if fmt:  # machine format: codes, English headers and names, plus the ru/kk names
        frames = {f"Type {typ}": labels.with_names(table, key)}
        if v is not None:
            frames["Validation"] = v
        return _download(frames, f"klaster-io-{key}-type{typ}", fmt, index=True)
    table.insert(0, "Sector", [names.get(s, "") for s in table.index])
    ctx.update({"columns": list(table.columns), "rows": [(i, list(r)) for i, r in zip(table.index, table.itertuples(index=False))],
                "validation": None if v is None else [(i, r) for i, r in zip(v.index, v.to_dict("records"))]})
    return render(request, "analysis/io.html", ctx)


@role_required(Role.ANALYST)
def io_impact(request):
    """Impact of a final-demand change (ΔX = L ΔY) with the library's ``IOTable.impact``.

    The table (GET or POST ``table``) goes through :class:`IOTableSelectForm` (malformed: back to
    the page with the error; unknown run: 404); the amounts through :class:`ImpactForm` (decimal
    comma in kk/ru, bounded). Each computation is saved as an ``io_impact`` run, audited
    (``analysis.io_impact.run``) in the same transaction; an export (``export=csv|xlsx``) saves nothing.
    """
    sel = IOTableSelectForm(request.POST if request.method == "POST" else request.GET)
    if not sel.is_valid():
        for e in errors_text(sel):
            messages.error(request, e)
        return redirect("analysis:io_impact")
    t, key, label, names = _io_table(request, sel.cleaned_data["table"] or "scotland-2019")
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
            if d["export"]:  # machine format: English names plus the ru/kk names
                return _download({"Output change": labels.with_names(by_sector.drop(columns="Sector"), key), "Summary": summary},
                                 f"klaster-impact-{key}", d["export"], index=True)
            with transaction.atomic():
                run = AnalysisRun.objects.create(
                    kind=AnalysisRun.Kind.IO_IMPACT, owner=request.user, dataset="upload" if key.startswith("run-") else key,
                    upload_name=label if key.startswith("run-") else "", status=AnalysisRun.Status.DONE, finished_at=timezone.now(),
                    parameters={"table": key, "type": d["type"], "delta_y": d["delta_y"]},
                    summary={k: S.finite(v) for k, v in summary.iloc[0].items()})
                audit.record(actor=request.user, action="analysis.io_impact.run", obj=run)
            ctx.update({"summary": summary.iloc[0].to_dict(), "run": run,
                        "by_sector": [(i, r["Sector"], r["Final-demand change"], r["Output change"]) for i, r in by_sector.head(60).iterrows()]})
    return render(request, "analysis/io_impact.html", ctx)


@role_required(*READERS)
def io_regionalise(request):
    """UK 2019 → Scotland by SLQ/CILQ/FLQ/AFLQ: the chosen method's multipliers and the MAPE table.

    ``method``, ``delta`` (0…0.99, decimal comma in kk/ru) and ``format`` go through
    :class:`RegionaliseForm`.
    """
    form = RegionaliseForm(request.GET or {"method": "flq", "delta": "0.2"})
    ctx = {"form": form, "standard": S.regionalisation_standard()}
    if form.is_valid():
        d = form.cleaned_data
        from klaster.observatory.io import IOTableError

        delta = float(d["delta"]) if d["method"] in ("flq", "aflq") else None
        try:
            table, summary = S.regionalise_uk_to_scotland(d["method"], delta)
        except IOTableError as exc:
            form.add_error(None, str(exc))
        else:
            if d["format"]:
                return _download({"Output multipliers": table, "MAPE": ctx["standard"]}, f"klaster-regionalise-{d['method']}",
                                 d["format"], index=True)
            q = {"method": d["method"], **({"delta": str(d["delta"])} if delta is not None else {})}
            ctx.update({"summary": summary, "table": table, "export_query": urlencode(q)})
    ctx["form_errors"] = errors_text(form) if form.errors else []
    st = ctx["standard"]
    ctx["standard_rows"] = [(i, r["lambda*"], r["MAPE %"], r["mean multiplier"]) for i, r in st.iterrows()]
    return render(request, "analysis/io_regionalise.html", ctx)
