"""Glue between the analysts' pages and the libraries (no maths here).

Mapping runs call :func:`klaster.observatory.mapping.run_map` and
:func:`~klaster.observatory.mapping.write_outputs`; input-output pages call
:mod:`klaster.observatory.io` (``official``, ``validation``, ``regional``, ``IOTable``). This
module only loads the inputs, stores outputs in the run directory and reads saved tables back for
display, filtering and export.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from functools import lru_cache
from pathlib import Path

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from klaster.analysis.models import AnalysisRun
from klaster.analysis.uploads import absolute
from klaster.common import audit
from klaster.observatory import message_of

log = logging.getLogger(__name__)

#: built-in panels: id → (label, default measure)
PANEL_SOURCES = {
    "kz-bns-gva": ("Kazakhstan: BNS gross value added by region × OKED section (mln KZT)", "gva"),
    "us-cmp2016": ("United States: Cluster Mapping Project 2016, states × clusters (employment)", "employment"),
}
METHODOLOGIES = {"cmp": "U.S. Cluster Mapping (CMP)", "eco": "European Cluster Observatory stars (ECO)",
                 "kz-bn": "Business Navigator (Kazakhstan)"}
#: columns of flags.csv that are not flags
NOT_FLAGS = {"crosses_break", "conditions_omitted"}


def load_builtin_panel(source: str, frame: str = "2022"):
    """The built-in panel ``source`` (see :data:`PANEL_SOURCES`)."""
    from klaster.observatory import sources

    if source == "kz-bns-gva":
        return sources.kz_bns_gva(frame)
    if source == "us-cmp2016":
        return sources.us_cmp2016()
    raise ValueError(f"unknown source {source!r}")


def run_dir(run: AnalysisRun) -> Path:
    return absolute(run.output_dir)


#: What a run that stopped on an unexpected error shows (the traceback goes to the server log).
INTERNAL_ERROR = _("The run stopped with an internal error; the details are in the server log.")


def execute_map(run: AnalysisRun, panel, *, user) -> AnalysisRun:
    """Run the mapping of ``run.parameters`` on ``panel``; write outputs; finish and audit the run.

    Library errors (``MethodologyError``, ``PanelError``, ``FrameError`` — ``ValueError``s — and
    ``KeyError``) mark the run failed with the library's message; any other error marks it failed
    with :data:`INTERNAL_ERROR` and is logged (no traceback is shown to the user). A failed run
    keeps its stored input file but no half-written outputs. The run is saved and audited
    (``analysis.map.run``) in one transaction.
    """
    from klaster.observatory.mapping import run_map, write_outputs
    from klaster.observatory.report import is_kazakhstan

    p = run.parameters
    t0 = time.monotonic()
    try:
        res = run_map(panel, methodologies=p["methodologies"], measure=p["measure"], year=p["year"],
                      years=p.get("years") or None, stability=p.get("stability", 0), lq_base=p.get("lq_base"))
        out = run_dir(run)
        write_outputs(res, out)
        names = {"regions": dict(panel.region_names or {}), "sectors": dict(panel.sector_names or {})}
        (out / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
        cur = res.flags[res.flags["year"] == res.year] if len(res.flags) else res.flags
        counts = {}
        for m, g in cur.groupby("methodology", sort=False):
            counts[m] = {c: int(g[c].fillna(False).astype(bool).sum()) if str(g[c].dtype) == "boolean" else int((g[c].fillna(0) > 0).sum())
                         for c in flag_columns(g)}
        run.summary = {"methodologies": res.methodologies, "unit": res.unit, "cells": int(len(cur)),
                       "regions": len(panel.regions), "sectors": len(panel.sectors), "notes": res.notes,
                       "flag_counts": counts, "kazakhstan": bool(is_kazakhstan(res)), "frame": panel.frame or ""}
        run.status = AnalysisRun.Status.DONE
    except (ValueError, KeyError) as exc:  # MethodologyError, PanelError, FrameError are ValueErrors
        run.status = AnalysisRun.Status.FAILED
        run.error = message_of(exc)
    except Exception:  # noqa: BLE001 - a library bug must not leave a run "running" or a 500 page
        log.exception("analysis run %s stopped", run.pk)
        run.status = AnalysisRun.Status.FAILED
        run.error = INTERNAL_ERROR
    if run.status == AnalysisRun.Status.FAILED:
        _remove_outputs(run)
    run.finished_at = timezone.now()
    run.duration_s = round(time.monotonic() - t0, 2)
    with transaction.atomic():
        run.save()
        audit.record(actor=user, action=f"analysis.{run.kind}.run", obj=run,
                     note=f"{run.status}: {run.dataset} {run.upload_name}".strip())
    return run


def _remove_outputs(run: AnalysisRun) -> None:
    """Delete what a failed run wrote, keeping its stored input file (``parameters["file"]``)."""
    if not run.output_dir:
        return
    keep = absolute(run.parameters["file"]) if run.parameters.get("file") else None
    for p in run_dir(run).iterdir():
        if keep is not None and (p == keep or p in keep.parents):
            continue
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)


def finite(value):
    """``value`` as a float, or ``None`` when it is not finite (JSON has no NaN or infinity)."""
    v = float(value)
    return v if math.isfinite(v) else None


def flag_columns(df: pd.DataFrame) -> list[str]:
    """Flag columns of a flags table: boolean columns (or True/False text) and ``stars``."""
    out = []
    for c in df.columns:
        if c in NOT_FLAGS or c.endswith("_stability"):
            continue
        s = df[c]
        if str(s.dtype) in ("boolean", "bool") or c == "stars":
            out.append(c)
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            vals = set(s.dropna().astype(str).unique())
            if vals and vals <= {"True", "False"}:
                out.append(c)
    return out


def read_flags(run: AnalysisRun) -> pd.DataFrame:
    """The saved ``flags.csv`` of a mapping run (codes as text, flags as True/False/NA)."""
    df = pd.read_csv(run_dir(run) / "flags.csv", dtype={"region": str, "sector": str, "version": str, "methodology": str})
    for c in flag_columns(df):
        if c != "stars":
            df[c] = df[c].map({"True": True, "False": False, True: True, False: False}).astype("boolean")
    return df


def read_names(run: AnalysisRun) -> dict:
    p = run_dir(run) / "names.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {"regions": {}, "sectors": {}}


def filter_flags(df: pd.DataFrame, *, methodology: str = "", region: str = "", sector: str = "", flag: str = "",
                 year: int | None = None) -> pd.DataFrame:
    """Rows of ``df`` matching the filters (empty filter = all); ``flag`` keeps rows where it is set."""
    if year is not None:
        df = df[df["year"] == year]
    if methodology:
        df = df[df["methodology"] == methodology]
    if region:
        df = df[df["region"] == region]
    if sector:
        df = df[df["sector"] == sector]
    if flag and flag in df.columns:
        s = df[flag]
        df = df[(s.fillna(0) > 0) if flag == "stars" else s.fillna(False).astype(bool)]
    return df


def export_bytes(frames: dict[str, pd.DataFrame], fmt: str, *, index: bool = False) -> bytes:
    """Tables of a page as a download, through the one export path :mod:`klaster.common.exports`.

    ``fmt`` ``"csv"``: the first frame only (UTF-8 with BOM, defusedcsv); ``"xlsx"``: one sheet per
    frame. Text beginning with ``=``, ``+``, ``-``, ``−``, ``@`` … is written as text (a region or
    sector named ``=HYPERLINK(…)`` in an uploaded panel does not become a formula); numbers stay
    numbers, written with a point (machine formats are never localized).
    """
    from klaster.common import exports

    if fmt == "csv":
        return exports.csv_bytes(exports.frame_rows(next(iter(frames.values())), index=index))
    return exports.xlsx_bytes({name: exports.frame_rows(df, index=index) for name, df in frames.items()})


def library_file_bytes(path: Path) -> bytes:
    """One of the library's output tables of a run (``lq.csv``, ``indicators.xlsx`` …) re-written
    through :mod:`klaster.common.exports` (decision, docs/analysis.md: the library writes codes of an
    uploaded panel as they are, so its files are not served as-is).

    CSV cells are kept as the library wrote them (text; numbers with a point); XLSX keeps the
    sheets and typed values, formulas become text. Raises ``OSError`` if the file cannot be read.
    """
    import csv

    from klaster.common import exports

    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return exports.csv_bytes(list(csv.reader(fh)))
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        return exports.xlsx_bytes({ws.title: ws.iter_rows(values_only=True) for ws in wb.worksheets})
    finally:
        wb.close()


# ---------------------------------------------------------------- input-output
#: built-in input-output tables: id → English title (the pages show :data:`klaster.analysis.labels.TABLES`,
#: translated; industry names: :func:`klaster.analysis.labels.sector_names`)
IO_TABLES = {
    "scotland-2019": "Scotland 2019, Scottish Government, 98 industries (£m)",
    "uk-2019": "United Kingdom 2019, ONS, 105 industries (£m)",
}


@lru_cache(maxsize=4)
def builtin_io(key: str):
    """The built-in official table ``key`` as an ``IOTable`` (cached per process)."""
    from klaster.observatory.io import official

    if key == "scotland-2019":
        return official.scotland(2019)
    if key == "uk-2019":
        return official.uk_2019()
    raise ValueError(f"unknown table {key!r}")


@lru_cache(maxsize=2)
def published_multipliers(key: str) -> dict[str, pd.DataFrame]:
    """Published multipliers by type (``I``/``II``) with the library's column names."""
    from klaster.observatory.io import official

    if key == "scotland-2019":
        p = official.scotland_published(2019)
        return {"I": p["M1"], "II": p["M2"]}
    if key == "uk-2019":
        m = official.uk_2019_published()["multipliers"]
        return {"I": m.rename(columns={"Output": "Output multiplier"})[["Output multiplier"]]}
    return {}


@lru_cache(maxsize=2)
def validation_table(key: str) -> pd.DataFrame | None:
    """The library's validation against the published figures (``klaster io validate``)."""
    from klaster.observatory.io import validation

    if key == "scotland-2019":
        return validation.scotland(2019)
    if key == "uk-2019":
        return validation.uk_2019()
    return None


def load_uploaded_io(run: AnalysisRun):
    """The ``IOTable`` of an uploaded-table run (read again with the stored parameters)."""
    from klaster.observatory.io.tables import read_table

    p = run.parameters
    return read_table(absolute(p["file"]), household_income=p.get("household_income"), check=p.get("check", True))


@lru_cache(maxsize=1)
def regionalisation_standard() -> pd.DataFrame:
    """The library's UK 2019 → Scotland comparison of SLQ, CILQ, FLQ and AFLQ (MAPE %)."""
    from klaster.observatory.io import validation

    return validation.regionalisation()


def regionalise_uk_to_scotland(method: str, delta: float | None) -> tuple[pd.DataFrame, dict]:
    """UK 2019 → Scotland with one method and δ, on the 29 common groups.

    Returns the per-group Type I output multipliers (regionalised estimate, Scotland's own table,
    UK national) and a summary row (method, δ, λ*, MAPE %, means), computed with
    :func:`klaster.observatory.io.regional.regionalise` and :func:`~klaster.observatory.io.regional.mape`
    on :func:`klaster.observatory.io.validation.regionalisation_tables` — the same calls as the
    library's validation.
    """
    from klaster.observatory.io import IOTable
    from klaster.observatory.io.regional import mape, regionalise
    from klaster.observatory.io.validation import regionalisation_tables

    uk, sc = _reg_tables(regionalisation_tables)
    r = regionalise(uk.A, sc.x.to_numpy(), uk.x.to_numpy(), method=method, delta=delta)
    est = IOTable.from_coefficients(r.A).multipliers()["Output multiplier"]
    bench = sc.multipliers()["Output multiplier"]
    nat = uk.multipliers()["Output multiplier"]
    table = pd.DataFrame({"regionalised": est, "Scotland (own table)": bench, "UK national": nat})
    table["abs. % error"] = (100 * (table["regionalised"] - table["Scotland (own table)"]).abs() / table["Scotland (own table)"].abs())
    summary = {"method": r.method.upper(), "delta": r.delta, "lambda": r.lam, "mape": mape(est, bench),
               "mean": float(est.mean()), "benchmark_mean": float(bench.mean())}
    return table, summary


_REG_CACHE: dict = {}


def _reg_tables(loader):
    if "t" not in _REG_CACHE:
        _REG_CACHE["t"] = loader()
    return _REG_CACHE["t"]
