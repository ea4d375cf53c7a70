"""The consolidated quarterly report of all clusters (QazIndustry reports to the Ministry once a
quarter: seed 000, text after fig. 3; regulation ``cluster-programme-cofinancing``, ``monitoring``).

One function builds the content (:func:`build`); one function per document renders it —
:func:`to_xlsx` (through :mod:`klaster.common.exports`), :func:`to_docx` (python-docx) and
:func:`to_pdf` (WeasyPrint) over the same blocks (:func:`content`) — in kk, ru or en.

Per cluster: the report of the quarter and its timing (on time, late — for good —, overdue, not
due); the counter-obligations of any kind (per cluster or per participant) with their target,
actual, variance, change against the base year and status; the effects against the base year
(seed 003's forecasts, the results seed 000 prints); the support paid in the quarter and since the
start (instruments of "Productivity 2020", payments of the programme's key projects). Every value
invented for the demonstration is marked ``demo``; the seeds' figures carry their source line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from klaster.common import dates
from klaster.engine.programmes import monitoring

STATUS = ("met", "missed", "not-reported", "not-due")


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    return dt.date(year, 3 * quarter - 2, 1), monitoring.quarter_end(year, quarter)


def _support(cluster, start: dt.date, end: dt.date) -> dict:
    """Support of "Productivity 2020" paid to the cluster's applicants: in the quarter and up to
    its end, per instrument component (tenge)."""
    from klaster.support.models import Application

    quarter, cumulative, demo = {}, {}, False
    for a in Application.objects.filter(cluster=cluster, status__in=("paid", "breached", "refunded")):
        paid = (a.events or {}).get("paid")
        if not paid:
            continue
        day = dt.date.fromisoformat(paid)
        if day > end:
            continue
        amount = a.amount or Decimal(0)
        cumulative[a.component] = cumulative.get(a.component, Decimal(0)) + amount
        if day >= start:
            quarter[a.component] = quarter.get(a.component, Decimal(0)) + amount
        demo = demo or a.is_demo
    return {"quarter": quarter, "cumulative": cumulative, "quarter_total": sum(quarter.values(), Decimal(0)),
            "cumulative_total": sum(cumulative.values(), Decimal(0)), "demo": demo}


def _programme_payments(programme, start: dt.date, end: dt.date) -> dict:
    from klaster.programmes.models import ProgrammePayment

    pays = list(ProgrammePayment.objects.filter(project__programme=programme, paid_on__lte=end))
    return {"quarter_total": sum((p.amount for p in pays if p.paid_on >= start), Decimal(0)), "cumulative_total": sum((p.amount for p in pays), Decimal(0)),
            "demo": any(p.is_demo for p in pays)}


def _status(row) -> str:
    if row["actual"] is not None:
        return "missed" if row["missed"] else "met"
    return "not-reported" if row["timing"].status in ("overdue", "late") else "not-due"


def build(year: int, quarter: int, *, today: dt.date | None = None) -> dict:
    """The content of the consolidated report of ``quarter`` of ``year`` for all clusters with a
    programme (and the clusters in the register without one).

    Returns
    -------
    dict
        ``{"year", "quarter", "start", "end", "ended" (bool), "today", "clusters": [...],
        "totals", "demo" (any value invented), "monitoring_clause"}``; each cluster
        ``{"cluster", "programme", "report", "timing", "obligations": [...], "effects": [...],
        "results": (seed 000's, or None), "support", "payments", "demo"}``; each obligation row
        ``{"indicator", "kind", "participant", "unit", "base_year", "base_value", "period",
        "target", "actual", "difference", "percent", "vs_base", "status", "source", "demo"}``.
    """
    from klaster.programmes import domain, pilots
    from klaster.programmes.models import Programme
    from klaster.register.domain.services import register_on

    today = today or dates.today()
    start, end = quarter_bounds(year, quarter)
    progs = list(Programme.objects.select_related("cluster").order_by("cluster__code"))
    with_programme = {p.cluster_id for p in progs}
    others = [c for c in register_on(end) if c.pk not in with_programme]
    clusters = []
    for p in progs:
        rows = [r for r in domain.monitoring_rows(p, today=today)
                if r["year"] == year and (r["quarter"] == quarter or (r["quarter"] is None and quarter == 4))]
        report = p.reports.filter(year=year, quarter=quarter).first()
        due = monitoring.report_due(year, quarter, _calendar(), domain._rules(p))
        timing = monitoring.report_timing(due, report.submitted_on if report else None, today)
        obs = []
        for r in rows:
            ob, v = r["obligation"], r["variance"]
            obs.append({
                "indicator": ob.localized_indicator(), "kind": ob.get_kind_display(), "kind_code": ob.kind, "participant": ob.participant.name if ob.participant else "",
                "unit": ob.unit, "base_year": ob.base_year, "base_value": ob.base_value, "period": f"Q{r['quarter']}" if r["quarter"] else str(year),
                "target": r["target"], "actual": r["actual"], "difference": v.difference if v else None, "percent": v.percent if v else None,
                "vs_base": r["vs_base"], "status": _status(r), "source": ob.source, "demo": r["demo"],
            })
        effects = [{"indicator": e["row"].get_indicator_display(), "unit": e["row"].unit, "base_year": e["row"].base_year, "base": e["row"].base_value,
                    "forecast_year": e["row"].forecast_year, "forecast": e["row"].forecast_value, "computed": e["computed"], "printed": e["printed"],
                    "matches": e["matches"], "cluster_share_pct": e["row"].cluster_share_pct, "source": e["row"].source} for e in domain.effect_checks(p)]
        support = _support(p.cluster, start, end)
        payments = _programme_payments(p, start, end)
        clusters.append({
            "cluster": p.cluster, "programme": p, "report": report, "timing": timing, "obligations": obs, "effects": effects,
            "results": pilots.reported_results(p.cluster.code), "support": support, "payments": payments,
            "met": sum(1 for o in obs if o["status"] == "met"), "missed": sum(1 for o in obs if o["status"] == "missed"),
            "not_reported": sum(1 for o in obs if o["status"] == "not-reported"),
            "demo": p.cluster.is_demo or p.is_demo or any(o["demo"] for o in obs) or support["demo"] or payments["demo"] or bool(report and report.is_demo),
        })
    for c in others:
        support = _support(c, start, end)
        clusters.append({"cluster": c, "programme": None, "report": None, "timing": None, "obligations": [], "effects": [], "results": None,
                         "support": support, "payments": {"quarter_total": Decimal(0), "cumulative_total": Decimal(0), "demo": False},
                         "met": 0, "missed": 0, "not_reported": 0, "demo": c.is_demo or support["demo"]})
    totals = {
        "clusters": len(clusters), "obligations": sum(len(c["obligations"]) for c in clusters),
        "met": sum(c["met"] for c in clusters), "missed": sum(c["missed"] for c in clusters), "not_reported": sum(c["not_reported"] for c in clusters),
        "support_quarter": sum((c["support"]["quarter_total"] for c in clusters), Decimal(0)),
        "support_cumulative": sum((c["support"]["cumulative_total"] for c in clusters), Decimal(0)),
        "payments_quarter": sum((c["payments"]["quarter_total"] for c in clusters), Decimal(0)),
        "late": sum(1 for c in clusters if c["timing"] and c["timing"].status in ("late", "overdue")),
    }
    from klaster.engine.programmes import cofinancing

    mon = cofinancing.load_rules().content["monitoring"]
    return {"year": year, "quarter": quarter, "start": start, "end": end, "ended": today > end, "today": today, "clusters": clusters,
            "totals": totals, "demo": any(c["demo"] for c in clusters), "monitoring_clause": mon["clause"]}


def _calendar():
    from klaster.common.calendar import default_calendar

    return default_calendar()


# --- words of the documents ---------------------------------------------------------------------

def _status_text(code: str) -> str:
    return {"met": _("target met"), "missed": _("target missed"), "not-reported": _("not reported"), "not-due": _("not due yet")}[code]


def _timing_text(t) -> str:
    if t is None:
        return _("no programme")
    if t.status == "late":
        return _("submitted late: %(day)s, %(days)s days after the due date %(due)s") % {"day": dates.day_text(t.submitted_on), "days": t.days_late, "due": dates.day_text(t.due)}
    if t.status == "on-time":
        return _("submitted on time: %(day)s") % {"day": dates.day_text(t.submitted_on)}
    if t.status == "overdue":
        return _("overdue since %(due)s") % {"due": dates.day_text(t.due)}
    return _("due by %(due)s") % {"due": dates.day_text(t.due)}


def _demo(flag: bool) -> str:
    return _("demo") if flag else ""


def _title(data) -> str:
    return _("Consolidated quarterly report on the territorial clusters: Q%(q)s %(y)s") % {"q": data["quarter"], "y": data["year"]}


def _money_unit(unit: str) -> str:
    from klaster.register.i18n import unit_label

    return unit_label(unit)


def _monitoring(data: dict) -> str:
    """The monitoring rule with its source, in the active language."""
    from klaster.register.i18n import source_in

    return f"{_('QazIndustry reports to the Ministry once a quarter')} ({source_in(data['monitoring_clause'])})"


def sheets(data: dict) -> dict[str, list[list]]:
    """The report as rows of sheets (the active language): ``clusters``, ``obligations``,
    ``effects``, ``support`` — what :func:`to_xlsx` writes."""
    head = [[_title(data)], [_("Period"), f"{dates.day_text(data['start'])} – {dates.day_text(data['end'])}"],
            [_("Monitoring"), _monitoring(data)]]
    if data["demo"]:
        head.append([_("Rows marked “demo” hold data invented for the demonstration.")])
    clusters = [*head, [], [_("Cluster"), _("Report of the quarter"), _("Targets met"), _("Targets missed"), _("Not reported"),
                            _("Support paid in the quarter, tenge"), _("Support paid to the end of the quarter, tenge"), _("Programme payments in the quarter, mln tenge"), _("Demo")]]
    obligations = [[_("Cluster"), _("Indicator"), _("Kind"), _("Participant"), _("Unit"), _("Base year"), _("Base"), _("Period"), _("Target"), _("Actual"),
                    _("Variance"), _("Variance, %"), _("Against the base year, %"), _("Status"), _("Source"), _("Demo")]]
    effects = [[_("Cluster"), _("Indicator"), _("Unit"), _("Base year"), _("Base"), _("Forecast year"), _("Forecast"), _("Effect, % recomputed"),
                _("Effect, % printed"), _("of which the cluster's projects, %"), _("Source")]]
    support = [[_("Cluster"), _("Instrument"), _("Paid in the quarter, tenge"), _("Paid to the end of the quarter, tenge"), _("Demo")]]
    for c in data["clusters"]:
        name = c["cluster"].localized_name()
        clusters.append([name, _timing_text(c["timing"]), c["met"], c["missed"], c["not_reported"], c["support"]["quarter_total"], c["support"]["cumulative_total"],
                         c["payments"]["quarter_total"], _demo(c["demo"])])
        for o in c["obligations"]:
            obligations.append([name, o["indicator"], o["kind"], o["participant"], _money_unit(o["unit"]), o["base_year"], o["base_value"], o["period"], o["target"], o["actual"],
                                o["difference"], o["percent"], o["vs_base"], _status_text(o["status"]), o["source"], _demo(o["demo"])])
        for e in c["effects"]:
            effects.append([name, e["indicator"], _money_unit(e["unit"]), e["base_year"], e["base"], e["forecast_year"], e["forecast"], e["computed"], e["printed"],
                            e["cluster_share_pct"], e["source"]])
        if c["results"]:
            r = c["results"]
            for k, v in r["changes_pct"].items():
                effects.append([name, _result_label(k), "%", None, None, None, None, None, v, None, r["source"]])
        for comp in sorted(c["support"]["cumulative"]):
            support.append([name, comp, c["support"]["quarter"].get(comp, Decimal(0)), c["support"]["cumulative"][comp], _demo(c["support"]["demo"])])
    t = data["totals"]
    clusters += [[], [_("Total"), "", t["met"], t["missed"], t["not_reported"], t["support_quarter"], t["support_cumulative"], t["payments_quarter"], ""]]
    return {"clusters": clusters, "obligations": obligations, "effects": effects, "support": support}


def _result_label(key: str) -> str:
    return {"new_products": _("new products: expected change, % (seed 000)"), "production": _("production: expected change, % (seed 000)"),
            "exports": _("exports: expected change, % (seed 000)"), "taxes": _("tax revenue: expected change, % (seed 000)")}[key]


def to_xlsx(data: dict, lang: str = "ru") -> bytes:
    """The report as XLSX in ``lang`` (text never a live formula: :func:`klaster.common.exports.xlsx_bytes`)."""
    from klaster.common import exports

    with translation.override(lang):
        return exports.xlsx_bytes(sheets(data))


def content(data: dict, lang: str = "ru") -> list[tuple]:
    """The report as blocks (:mod:`klaster.common.documents`) in ``lang``: the summary per cluster,
    then each cluster's counter-obligations, effects and support — what :func:`to_docx` and
    :func:`to_pdf` render."""
    with translation.override(lang):
        sh = sheets(data)
        blocks: list[tuple] = [("heading", 1, _title(data)),
                               ("para", f"{_('Period')}: {dates.day_text(data['start'], lang)} – {dates.day_text(data['end'], lang)}. {_('Monitoring')}: {_monitoring(data)}.")]
        if not data["ended"]:
            blocks.append(("para", _("The quarter has not ended: the figures are those recorded so far.")))
        if data["demo"]:
            blocks.append(("demo", _("Rows marked “demo” hold data invented for the demonstration.")))
        blocks.append(("heading", 2, _("Summary by cluster")))
        blocks += _table(sh["clusters"][len(sh["clusters"]) - len(data["clusters"]) - 3:], lang)
        for c in data["clusters"]:
            blocks.append(("heading", 2, c["cluster"].localized_name() + (f" ({_('demo')})" if c["demo"] else "")))
            blocks.append(("para", f"{_('Report of the quarter')}: {_timing_text(c['timing'])}"))
            if c["obligations"]:
                rows = [sh["obligations"][0][1:]] + [r[1:] for r in sh["obligations"][1:] if r[0] == c["cluster"].localized_name()]
                blocks += _table(rows, lang)
            eff = [r[1:] for r in sh["effects"][1:] if r[0] == c["cluster"].localized_name()]
            if eff:
                blocks.append(("para", _("Effects against the base year")))
                blocks += _table([sh["effects"][0][1:], *eff], lang)
            blocks.append(("para", f"{_('Support paid in the quarter, tenge')}: {_num(c['support']['quarter_total'], lang)}; "
                                   f"{_('Support paid to the end of the quarter, tenge')}: {_num(c['support']['cumulative_total'], lang)}; "
                                   f"{_('Programme payments in the quarter, mln tenge')}: {_num(c['payments']['quarter_total'], lang)}"))
        return blocks


def to_docx(data: dict, lang: str = "ru") -> bytes:
    """The report as DOCX in ``lang`` (python-docx) from :func:`content`."""
    from klaster.common.documents import blocks_docx

    return blocks_docx(content(data, lang))


def to_pdf(data: dict, lang: str = "ru") -> bytes:
    """The report as PDF/A in ``lang`` (WeasyPrint, :mod:`klaster.common.pdf`) from :func:`content`."""
    from klaster.common.pdf import blocks_pdf

    return blocks_pdf(content(data, lang), lang)


def _num(v, lang) -> str:
    from klaster.common.money import format_number

    if v is None:
        return "—"
    if isinstance(v, Decimal):
        return format_number(v, lang, decimals=2 if v != v.to_integral_value() else 0)
    return str(v)


def _table(rows, lang: str) -> list[tuple]:
    """A table block of sheet rows (the first row is the header; empty rows left out; amounts
    written in ``lang``); no block when there are no rows."""
    rows = [r for r in rows if r]
    if not rows:
        return []
    cell = lambda v: _num(v, lang) if isinstance(v, Decimal) else ("" if v is None else str(v))  # noqa: E731
    return [("table", [cell(v) for v in rows[0]], [[cell(v) for v in r] for r in rows[1:]])]