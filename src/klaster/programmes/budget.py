"""Budget execution of the support instruments and of the cluster programmes.

* **"Productivity 2020" line** (Decree 440, programme §7): the republican budget per year against
  the reimbursements of instruments 2–5, 7 and 8 — commitments (amounts approved, in the year of
  the decision), payments (in the year paid) and refunds received (in the year refunded) — per
  instrument and per cluster.
* **Cluster line** (National Project 2021–2025): 112 mln tenge a year per cluster against the
  state's financing of its programme's key projects scheduled for the year (commitments) and the
  payments recorded (:class:`~klaster.programmes.models.ProgrammePayment`).

Allocations, clauses and the alert share are regulation data (``budget-lines``), read through
:mod:`klaster.engine.programmes.budget`. An alert is raised when a line is used to its alert share
(before it is exceeded) and when it is exceeded; the operator sees, before approving an
application, what the approval would do to the line (:func:`approval_notice`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from klaster.common.money import Money
from klaster.engine.programmes.budget import Execution, execution, load_lines

GRANTED = ("approved", "agreement", "paid", "breached", "refunded")
ZERO_T = Money(0, "tenge")


def _day(app, event):
    v = (app.events or {}).get(event)
    return dt.date.fromisoformat(v) if v else None


def _instrument(component: str) -> str:
    return "".join(ch for ch in component if ch.isdigit())


def support_figures(year: int, *, exclude_pk: int | None = None) -> list[dict]:
    """Reimbursements of the year per application: ``{"app", "instrument", "cluster",
    "committed", "paid", "refunded"}`` (Money, tenge) for the applications decided, paid or refunded
    in ``year`` (leasing, instrument 1, is not a reimbursement and is left out)."""
    from klaster.support.models import Application

    out = []
    for a in Application.objects.filter(status__in=GRANTED).exclude(component="1").select_related("cluster", "agreement").exclude(pk=exclude_pk):
        decided, paid = _day(a, "decided"), _day(a, "paid")
        ag = getattr(a, "agreement", None)
        refunded = ag.refunded_on if ag is not None else None
        amount = Money(a.amount or 0, "tenge")
        row = {"app": a, "instrument": _instrument(a.component), "cluster": a.cluster, "demo": a.is_demo,
               "committed": amount if decided and decided.year == year else ZERO_T,
               "paid": amount if paid and paid.year == year else ZERO_T,
               "refunded": Money(ag.refund_amount or 0, "tenge") if refunded and refunded.year == year and ag.refund_amount else ZERO_T}
        if row["committed"].amount or row["paid"].amount or row["refunded"].amount:
            out.append(row)
    return out


def _sum(rows, key) -> Money:
    total = ZERO_T
    for r in rows:
        total = total + r[key]
    return total


def productivity_line(year: int) -> dict:
    """The "Productivity 2020" line in ``year``: its execution and the breakdown per instrument
    and per cluster. ``{"execution", "by_instrument": [...], "by_cluster": [...], "demo"}``."""
    lines = load_lines()
    line = lines.line("productivity2020")
    rows = [r for r in support_figures(year) if r["instrument"] in line.instruments]
    ex = execution(line, year, commitments=_sum(rows, "committed"), payments=_sum(rows, "paid"), refunds=_sum(rows, "refunded"), alert_share=lines.alert_share)
    groups = {"instrument": defaultdict(list), "cluster": defaultdict(list)}
    for r in rows:
        groups["instrument"][r["instrument"]].append(r)
        groups["cluster"][r["cluster"].code if r["cluster"] else ""].append(r)
    def table(g):
        return [{"key": k, "cluster": rs[0]["cluster"], "count": len(rs), "committed": _sum(rs, "committed"), "paid": _sum(rs, "paid"),
                 "refunded": _sum(rs, "refunded"), "demo": any(x["demo"] for x in rs)} for k, rs in sorted(g.items())]
    return {"line": line, "execution": ex, "by_instrument": table(groups["instrument"]), "by_cluster": table(groups["cluster"]),
            "demo": any(r["demo"] for r in rows), "alert_share": lines.alert_share, "doc": lines.doc}


def cluster_lines(year: int) -> list[dict]:
    """The cluster line in ``year`` for each programme: ``{"programme", "execution", "demo"}``,
    commitments = the state's financing of its key projects scheduled for the year, payments = the
    payments recorded in the year."""
    from klaster.programmes.models import STATE_SOURCES, Financing, Programme, ProgrammePayment

    lines = load_lines()
    line = lines.line("cluster-programme")
    out = []
    for p in Programme.objects.select_related("cluster").order_by("cluster__code"):
        fin = Financing.objects.filter(project__programme=p, year=year, source__in=STATE_SOURCES)
        pays = ProgrammePayment.objects.filter(project__programme=p, paid_on__year=year)
        committed = Money(sum((f.amount for f in fin), Decimal(0)), "mln tenge")
        paid = Money(sum((x.amount for x in pays), Decimal(0)), "mln tenge")
        ex = execution(line, year, commitments=committed, payments=paid, alert_share=lines.alert_share)
        out.append({"programme": p, "execution": ex, "demo": p.is_demo or any(f.illustrative for f in fin) or any(x.is_demo for x in pays)})
    return out


def alerts(year: int) -> list[Execution]:
    """Executions of ``year`` that are near their allocation or above it."""
    ex = [productivity_line(year)["execution"], *(r["execution"] for r in cluster_lines(year))]
    return [e for e in ex if e.status in ("near", "exceeded")]


def approval_notice(app, on: dt.date) -> dict | None:
    """What approving ``app`` on ``on`` would do to the "Productivity 2020" line of that year:
    ``{"execution" (with this approval), "before" (without it), "text"}`` — a warning when the line
    would be used to its alert share or exceeded, or has no allocation for the year; None for an
    application the line does not pay (leasing, instrument 6)."""
    lines = load_lines()
    line = lines.line("productivity2020")
    if _instrument(app.component) not in line.instruments:
        return None
    rows = [r for r in support_figures(on.year, exclude_pk=app.pk) if r["instrument"] in line.instruments]
    committed, paid, refunded = _sum(rows, "committed"), _sum(rows, "paid"), _sum(rows, "refunded")
    before = execution(line, on.year, commitments=committed, payments=paid, refunds=refunded, alert_share=lines.alert_share)
    after = execution(line, on.year, commitments=committed + Money(app.amount or 0, "tenge"), payments=paid, refunds=refunded, alert_share=lines.alert_share)
    text = ""
    if after.status == "no-allocation":
        text = _("The “Productivity 2020” line allocates nothing for %(year)s in the budget data: the approval is outside any allocation.") % {"year": on.year}
    elif after.status == "exceeded":
        text = _("Approving this application would exceed the “Productivity 2020” line of %(year)s: %(used)s%% of the allocation.") % {"year": on.year, "used": after.used_pct}
    elif after.status == "near":
        text = _("Approving this application would use %(used)s%% of the “Productivity 2020” line of %(year)s.") % {"year": on.year, "used": after.used_pct}
    return {"execution": after, "before": before, "text": text}
