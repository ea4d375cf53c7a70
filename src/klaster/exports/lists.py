"""Every list of klaster as CSV and XLSX, filtered as on screen — pure functions.

Each :class:`ListExport` names the list page it mirrors, who may export it (the page's roles;
``None``: everyone), its filters (bounded form fields, the same names and meanings as the page's
query: ``?date=`` of the register, the competition of a competition page …), its sheets and a
builder ``rows(user, filters) -> {sheet: [header, *rows]}`` that reads through the same domain
functions as the page (:mod:`klaster.api.records`). :func:`build` turns a request's parameters into
bytes through :mod:`klaster.common.exports` (formula-like text neutralised, machine values: codes,
ISO dates, decimal points). It takes a user id and plain parameters and returns bytes, so a task
runner can run it as it is (large exports).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from django import forms
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from klaster.accounts.roles import Role, has_role
from klaster.api import records
from klaster.common import exports
from klaster.common import forms as kf
from klaster.common.calendar import MIN_YEAR
from klaster.common.dates import MAX_YEAR
from klaster.common.refusals import Refusal

#: Excel's rows per sheet (the header included).
XLSX_MAX_ROWS = 1_048_576
FORMATS = (("csv", "CSV"), ("xlsx", "XLSX"))
ORG = (Role.ORGANIZER.value, Role.ADMINISTRATOR.value)


class ExportRefused(Refusal):
    """An export that cannot be made as asked (e.g. more rows than a spreadsheet holds)."""


def _when(value):
    """A date-time as the local wall-clock time without a zone (XLSX stores no zones; CSV ISO)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if timezone.is_aware(value) else value
    return value


def _yes(value) -> str | None:
    return None if value is None else ("yes" if value else "no")


# ------------------------------------------------------------------------------------------ filters


def _choice(choices, label):
    return forms.ChoiceField(choices=[("", "—"), *choices], required=False, label=label)


def _competition_field():
    return kf.IdField(required=False, label=_("Competition"), widget=forms.NumberInput)


def _code_field(label):
    return forms.SlugField(required=False, max_length=50, label=label)


# ------------------------------------------------------------------------------------------ builders


def _competitions(user, f) -> dict:
    from klaster.competition.models import Competition

    qs = Competition.objects.all() if has_role(user, *ORG) else records.public_competitions()
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    qs = qs.select_related("created_by__profile").annotate(n_applications=Count("applications")).order_by("-stage1_intake_closes", "-id")
    rows = [["id", "title", "state", "announced_on", "stage1_intake_closes", "stage2_intake_closes", "minimum_score", "rerun_of", "blind",
             "regulation_id", "regulation_version", "applications", "is_demo"]]
    for c in qs:
        r = records.competition_record(c)
        rows.append([r["id"], r["title"], r["state"], r["announced_on"], r["stage1_intake_closes"], r["stage2_intake_closes"], r["minimum_score"],
                     r["rerun_of"], _yes(r["blind"]), r["regulation"]["id"], r["regulation"]["version"], c.n_applications, _yes(r["is_demo"])])
    return {"competitions": rows}


_OPEN = ("overdue", "due", "open", "pending")


def _applications_qs(user, f):
    from klaster.competition.models import Application

    qs = Application.objects.select_related("competition", "applicant__profile")
    if not has_role(user, *ORG):
        qs = qs.filter(applicant=user)  # the page "My applications"
    if f.get("competition"):
        qs = qs.filter(competition_id=f["competition"])
    if f.get("stage"):
        qs = qs.filter(stage=int(f["stage"]))
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    return qs


def _applications(user, f) -> dict:
    apps = records.application_records(_applications_qs(user, f).order_by("competition_id", "stage", "id"))
    main = [["id", "competition", "competition_title", "stage", "state", "registration_number", "registered_at", "organisation_name",
             "organisation_bin", "cluster_name", "region_kato", "next_deadline_step", "next_deadline_clause", "next_deadline_due",
             "next_deadline_state", "overdue_deadlines", "is_demo"]]
    dl = [["application", "registration_number", "step", "clause", "actor", "start", "due", "done", "state"]]
    for a in apps:
        pending = sorted((d for d in a["deadlines"] if d["state"] in _OPEN and d["due"]), key=lambda d: d["due"])
        nxt = pending[0] if pending else {}
        main.append([a["id"], a["competition"], a["competition_title"], a["stage"], a["state"], a["registration_number"], _when(a["registered_at"]),
                     a["organisation_name"], a["organisation_bin"], a["cluster_name"], a["region_kato"], nxt.get("step"), nxt.get("clause"),
                     nxt.get("due"), nxt.get("state"), sum(d["state"] == "overdue" for d in a["deadlines"]), _yes(a["is_demo"])])
        for d in a["deadlines"]:
            dl.append([a["id"], a["registration_number"], d["step"], d["clause"], d["actor"], d["start"], d["due"], d["done"], d["state"]])
    return {"applications": main, "deadlines": dl}


def _competition(f):
    from klaster.competition.models import Competition

    c = Competition.objects.filter(pk=f.get("competition")).first() if f.get("competition") else None
    if c is None:
        raise ExportRefused(gettext_noop("Choose the competition (its number)."))
    return c


def _stage_of(c) -> int:
    return 2 if c.state.startswith("stage2") or c.state in ("decided", "published") else 1


def _ranked(user, f) -> dict:
    """The ranked list of a stage with each expert's score of every criterion (organizer, Commission)."""
    from klaster.competition.domain.council import ranked_breakdown

    c = _competition(f)
    stage = int(f.get("stage") or _stage_of(c))
    rules = c.rules
    crit = [x.id for x in rules.criteria.criteria]
    names = {x.id: x.name.get("en") or x.id for x in rules.criteria.criteria}
    main = [["stage", "rank", "application", "registration_number", "participant", "cluster", "score", "experts", "quorum_met", "passes",
             "total_spread", "total_stdev", *[f"criterion_{x}" for x in crit]]]
    scores = [["stage", "rank", "application", "registration_number", "participant", "expert", "expert_name", "expert_total", "criterion",
               "criterion_name", "score"]]
    rows = ranked_breakdown(c, stage)
    from django.contrib.auth import get_user_model

    experts = {u.get_username(): (getattr(getattr(u, "profile", None), "full_name", "") or "")
               for u in get_user_model().objects.filter(competition_assignments__application__competition=c).select_related("profile").distinct()}
    for e, a, b in rows:
        main.append([stage, e.rank, a.pk, a.registration_number, a.organisation_name, a.cluster_name, e.score, e.experts, _yes(e.quorum_met),
                     _yes(e.passes), b.spread if b else None, b.stdev if b else None,
                     *[(b.criteria[x].aggregate if b and x in b.criteria else None) for x in crit]])
        if b is None:
            continue
        for expert in sorted(b.totals):
            for x in crit:
                cs = b.criteria.get(x)
                scores.append([stage, e.rank, a.pk, a.registration_number, a.organisation_name, expert, experts.get(expert, ""), b.totals[expert], x, names[x],
                               cs.scores.get(expert) if cs else None])
    return {"ranked": main, "scores": scores}


def _expert_load(user, f) -> dict:
    from klaster.competition.domain import council
    from klaster.competition.models import Competition

    comps = [_competition(f)] if f.get("competition") else list(Competition.objects.exclude(state="draft").order_by("id"))
    rows = [["competition", "competition_title", "stage", "expert", "expert_name", "sectors", "assigned", "declared", "conflicts", "drafts",
             "submitted", "pending"]]
    for c in comps:
        for x in council.progress(c):
            if not f.get("competition") and not x.assigned:
                continue
            rows.append([c.pk, c.title, _stage_of(c), x.user.get_username(), getattr(getattr(x.user, "profile", None), "full_name", ""),
                         ", ".join(x.profile.sectors) if x.profile else "", x.assigned, x.declared, x.conflicts, x.drafts, x.submitted, x.pending])
    return {"expert load": rows}


BODY_OF_ROLE = {Role.AKIMAT.value: "akimat", Role.AUTHORIZED_BODY.value: "authorized_body", Role.REGIONAL_BODY.value: "regional_body"}


def _conclusions(user, f) -> dict:
    """Conclusions: a body those addressed to it (the inbox's rule), the organizer every one."""
    from klaster.accounts.roles import roles_of
    from klaster.competition.domain import services as svc
    from klaster.competition.models import Conclusion

    qs = Conclusion.objects.select_related("application__competition", "application__applicant__profile").order_by("application__competition_id", "application_id", "id")
    org = has_role(user, *ORG)
    if not org:
        qs = qs.filter(body__in=[BODY_OF_ROLE[r] for r in roles_of(user) if r in BODY_OF_ROLE])
    if f.get("competition"):
        qs = qs.filter(application__competition_id=f["competition"])
    if f.get("body"):
        qs = qs.filter(body=f["body"])
    if f.get("state") == "open":
        qs = qs.filter(issued_on__isnull=True)
    elif f.get("state") == "issued":
        qs = qs.filter(issued_on__isnull=False)
    today = svc.today()
    rows = [["id", "competition", "competition_title", "application", "registration_number", "participant", "cluster", "region_kato", "body",
             "ministry", "requested_on", "due", "due_clause", "issued_on", "positive", "overdue", "is_demo"]]
    for c in qs:
        if not org and not user.has_perm("competition.issue_conclusion", c):
            continue
        a = c.application
        due, clause = svc.conclusion_due(c)
        rows.append([c.pk, a.competition_id, a.competition.title, a.pk, a.registration_number, a.organisation_name, a.cluster_name, a.region_kato,
                     c.body, c.ministry, c.requested_on, due, clause, c.issued_on, _yes(c.positive),
                     _yes(c.issued_on is None and due is not None and due < today), _yes(records._demo_account(a.applicant))])
    return {"conclusions": rows}


def _register(user, f) -> dict:
    from klaster.common import dates
    from klaster.register.domain import services

    day = f.get("date") or dates.today()
    qs = services.register_on(day).select_related("association").prefetch_related(records.regions_prefetch())
    if f.get("cluster"):
        qs = qs.filter(code=f["cluster"])
    clusters = records.register_clusters(day, qs)
    main = [["date", "code", "name_kk", "name_ru", "name_en", "oked", "regions", "status", "included_on", "association_bin", "members", "eligible",
             "eligibility", "is_demo"]]
    for r in clusters:
        main.append([day, r["code"], r["name"]["kk"], r["name"]["ru"], r["name"]["en"], r["oked"], ", ".join(r["regions"]), r["status"], r["included_on"],
                     r["association_bin"], r["members"], _yes(r["eligible"]),
                     "; ".join(f"{x['id']} ({x['clause']}): {x['actual']}/{x['required']}" for x in r["eligibility"]), _yes(r["is_demo"])])
    parts = [["date", "cluster", "bin", "name", "kind", "oked_main", "oked_additional", "kato", "joined_on", "left_on", "is_demo"]]
    for m in records.memberships(day, [r["cluster"] for r in clusters]):
        parts.append([day, m["cluster"], m["bin"], m["name"], m["kind"], m["oked_main"], ", ".join(m["oked_additional"]), m["kato"], m["joined_on"],
                      m["left_on"], _yes(m["is_demo"])])
    return {"clusters": main, "participants": parts}


def _programmes(user, f) -> dict:
    from klaster.programmes.rules import programmes_for

    progs = programmes_for(user).select_related("cluster").prefetch_related("projects", "obligations").order_by("cluster__code")
    if f.get("programme"):
        progs = progs.filter(cluster__code=f["programme"])
    ind = [["programme", "indicator_ru", "indicator_kk", "indicator_en", "kind", "unit", "higher_is_better", "base_year", "base_value", "year", "quarter",
            "target", "actual", "difference", "percent", "missed", "report_due", "timing", "days_late", "is_demo"]]
    main = [["programme", "title_ru", "title_kk", "title_en", "start_year", "end_year", "projects", "cost_mln_tenge", "state_mln_tenge",
             "participants_mln_tenge", "obligations", "source", "is_demo"]]
    for p in progs:
        projects = list(p.projects.all())
        main.append([p.cluster.code, p.title_ru, p.title_kk, p.title_en, p.start_year, p.end_year, len(projects), sum((x.cost for x in projects), Decimal(0)),
                     sum((x.state_amount for x in projects), Decimal(0)), sum((x.participants_amount for x in projects), Decimal(0)),
                     len(p.obligations.all()), p.source, _yes(p.is_demo)])
        for r in records.indicator_records(p, year=f.get("year")):
            ind.append([p.cluster.code, r["indicator"]["ru"], r["indicator"]["kk"], r["indicator"]["en"], r["kind"], r["unit"], _yes(r["higher_is_better"]),
                        r["base_year"], r["base_value"], r["year"], r["quarter"], r["target"], r["actual"], r["difference"], r["percent"], _yes(r["missed"]),
                        r["report_due"], r["timing"], r["days_late"], _yes(r["is_demo"])])
    return {"indicators": ind, "programmes": main}


def _support(user, f) -> dict:
    qs = records.support_applications_for(user)
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("component"):
        qs = qs.filter(component=f["component"])
    rows = [["id", "participant_bin", "participant", "cluster", "applicant", "component", "procedure", "status", "claimed_tenge", "amount_tenge",
             "agreement_amount_tenge", "agreement_signed_on", "paid_on", "refund_amount_tenge", "refunded_on", "created_at", "open_deadlines",
             "overdue_deadlines", "next_due", "is_demo"]]
    for a in qs:
        r = records.support_record(a)
        ag = r["agreement"] or {}
        open_ = [d for d in r["deadlines"] if d["status"] in ("open", "overdue")]
        dues = sorted(d["due"] for d in open_ if d["due"])
        rows.append([r["id"], r["participant_bin"], r["participant"], r["cluster"], r["applicant"], r["component"], r["procedure"], r["status"],
                     r["claimed"], r["amount"], ag.get("amount"), ag.get("signed_on"), ag.get("paid_on"), ag.get("refund_amount"), ag.get("refunded_on"),
                     _when(r["created_at"]), len(open_), sum(d["status"] == "overdue" for d in open_), dues[0] if dues else None, _yes(r["is_demo"])])
    return {"support applications": rows}


def _audit_qs(f):
    """The audit entries the filters select (the administration page's filters and search)."""
    from klaster.common.admin import AuditEntryAdmin
    from klaster.common.models import AuditEntry

    qs = AuditEntry.objects.all()
    if f.get("action__exact"):
        qs = qs.filter(action=f["action__exact"])
    if f.get("object_type__exact"):
        qs = qs.filter(object_type=f["object_type__exact"])
    if f.get("q"):
        for word in f["q"].split():
            cond = Q()
            for field in AuditEntryAdmin.search_fields:
                cond |= Q(**{f"{field}__icontains": word})
            qs = qs.filter(cond)
    if f.get("since"):
        qs = qs.filter(at__date__gte=f["since"])
    if f.get("until"):
        qs = qs.filter(at__date__lte=f["until"])
    return qs


def _audit(user, f) -> dict:
    """The audit trail with the filters and the search of its administration page."""
    qs = _audit_qs(f)
    rows = [["at", "actor", "action", "object_type", "object_id", "object", "changes", "note"]]
    for e in qs.order_by("-at", "-id").iterator(chunk_size=2000):
        rows.append([_when(e.at), e.actor_label, e.action, e.object_type, e.object_id, e.object_repr,
                     json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else "", e.note])
    return {"audit trail": rows}


# ------------------------------------------------------------------------------------------ estimates


def _estimate_audit(user, f) -> int:
    return _audit_qs(f).count()


def _estimate_applications(user, f) -> int:
    return _applications_qs(user, f).count() * 10  # each with about ten deadlines (the second sheet)


def _estimate_register(user, f) -> int:
    """Members of the clusters on the date (the participants sheet) plus the clusters."""
    from django.db.models import Q as Q_

    from klaster.common import dates
    from klaster.register.domain import services
    from klaster.register.models import Membership

    day = f.get("date") or dates.today()
    clusters = services.register_on(day)
    if f.get("cluster"):
        clusters = clusters.filter(code=f["cluster"])
    members = Membership.objects.filter(cluster__in=clusters, joined_on__lte=day).filter(Q_(left_on__isnull=True) | Q_(left_on__gt=day))
    return clusters.count() + members.count()


def task_rows() -> int:
    """Above this many rows (estimated) an export is prepared by the worker instead of in the
    request: setting ``KLASTER_EXPORT_TASK_ROWS`` (default 20,000)."""
    from django.conf import settings

    return int(getattr(settings, "KLASTER_EXPORT_TASK_ROWS", 20_000))


# ------------------------------------------------------------------------------------------ the registry


@dataclass(frozen=True)
class ListExport:
    """One list that can be exported: its page, who may export it, its filters and its builder."""

    name: str
    title: str
    page: str  #: the list page it mirrors (URL name; with a path value where the page has one)
    roles: tuple[str, ...] | None  #: the page's roles; None: everyone
    filters: Callable[[], dict]  #: name → bounded form field (the page's query names)
    rows: Callable  #: (user, filters) → {sheet: [header, *rows]}
    sheets: tuple[str, ...]
    #: (user, filters) → rows the export will have, roughly (a count query); None: always small
    estimate: Callable | None = None

    def allowed(self, user) -> bool:
        """May ``user`` export this list (the page's roles)?"""
        if self.roles is None:
            return True
        return bool(user is not None and user.is_authenticated and has_role(user, *self.roles))


def _page_roles(view) -> tuple[str, ...]:
    """The roles of a page view (its ``role_required`` marker): the export of a page takes exactly these."""
    return tuple(view.klaster_roles)


def _registry() -> dict[str, ListExport]:
    from klaster.competition import views as cv
    from klaster.competition.i18n import STATES
    from klaster.programmes import views as pv
    from klaster.support import views as sv
    from klaster.support.models import Status

    comp_states = [(k, STATES[k]) for k in STATES if k in ("draft", "stage1_intake", "stage1_admission", "stage1_review", "stage1_commission", "stage2_intake",
                                                     "stage2_admission", "stage2_review", "stage2_commission", "decided", "published", "failed",
                                                     "rerun_announced")]
    app_states = [(k, STATES[k]) for k in ("draft", "submitted", "refused_late", "withdrawn", "admitted", "returned", "under_review", "passed",
                                   "below_threshold", "winner", "not_selected")]
    stages = [("1", "1"), ("2", "2")]
    items = [
        ListExport("competitions", _("Competitions"), "competition:list", None,
                   lambda: {"state": _choice(comp_states, _("State"))}, _competitions, ("competitions",)),
        ListExport("applications", _("Applications with states and deadlines"), "competition:my_applications",
                   tuple(dict.fromkeys(_page_roles(cv.my_applications) + _page_roles(cv.organizer_competition))),
                   lambda: {"competition": _competition_field(), "stage": _choice(stages, _("Stage")), "state": _choice(app_states, _("State"))},
                   _applications, ("applications", "deadlines"), _estimate_applications),
        ListExport("ranked", _("Ranked list with each expert's scores by criterion"), "competition:organizer_ranked", _page_roles(cv.commission),
                   lambda: {"competition": _competition_field(), "stage": _choice(stages, _("Stage"))}, _ranked, ("ranked", "scores")),
        ListExport("expert-load", _("Expert load"), "competition:organizer_council", _page_roles(cv.organizer_competition),
                   lambda: {"competition": _competition_field()}, _expert_load, ("expert load",)),
        ListExport("conclusions", _("Conclusions"), "competition:conclusions",
                   tuple(dict.fromkeys(_page_roles(cv.conclusions_inbox) + _page_roles(cv.organizer_competition))),
                   lambda: {"competition": _competition_field(),
                            "body": _choice([(r.value, r.label) for r in (Role.AKIMAT, Role.AUTHORIZED_BODY, Role.REGIONAL_BODY)], _("Body")),
                            "state": _choice([("open", _("to be issued")), ("issued", _("issued"))], _("State"))},
                   _conclusions, ("conclusions",)),
        ListExport("register", _("Register of clusters and their participants"), "register:list", None,
                   lambda: {"date": kf.DayField(required=False, label=_("The register as it stood on")), "cluster": _code_field(_("Cluster (code)"))},
                   _register, ("clusters", "participants"), _estimate_register),
        ListExport("programmes", _("Programmes with targets and actuals"), "programmes:list", _page_roles(pv.programme_list),
                   lambda: {"programme": _code_field(_("Programme (cluster code)")),
                            "year": kf.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False, label=_("Year"))},
                   _programmes, ("indicators", "programmes")),
        ListExport("support", _("Support applications with amounts"), "support:list", _page_roles(sv.application_list),
                   lambda: {"status": _choice(Status.choices, _("Status")), "component": forms.CharField(required=False, max_length=5, label=_("Instrument component"))},
                   _support, ("support applications",)),
        ListExport("audit", _("Audit trail"), "admin:common_auditentry_changelist", (Role.ADMINISTRATOR.value,),
                   lambda: {"action__exact": forms.CharField(required=False, max_length=100, label=_("Action")),
                            "object_type__exact": forms.CharField(required=False, max_length=100, label=_("Object type")),
                            "q": forms.CharField(required=False, max_length=200, label=_("Search")),
                            "since": kf.DayField(required=False, label=pgettext_lazy("period", "From")), "until": kf.DayField(required=False, label=pgettext_lazy("period", "To"))},
                   _audit, ("audit trail",), _estimate_audit),
    ]
    return {x.name: x for x in items}


_REGISTRY: dict[str, ListExport] | None = None


def registry() -> dict[str, ListExport]:
    """Every list export by name (built once, when the apps are ready)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _registry()
    return _REGISTRY


# ------------------------------------------------------------------------------------------ form and build


#: What a table (a sheet of the XLSX, the file of a CSV) is called on the page; the sheet names
#: inside the files stay machine names (context "table": other catalogues have these words in
#: other grammatical forms).
SHEET_LABELS = {
    "competitions": pgettext_lazy("table", "competitions"),
    "applications": pgettext_lazy("table", "applications"),
    "deadlines": pgettext_lazy("table", "deadlines"),
    "ranked": pgettext_lazy("table", "ranked list"),
    "scores": pgettext_lazy("table", "experts' scores"),
    "expert load": pgettext_lazy("table", "expert load"),
    "conclusions": pgettext_lazy("table", "conclusions"),
    "clusters": pgettext_lazy("table", "clusters"),
    "participants": pgettext_lazy("table", "participants"),
    "indicators": pgettext_lazy("table", "indicators"),
    "programmes": pgettext_lazy("table", "programmes"),
    "support applications": pgettext_lazy("table", "support applications"),
    "audit trail": pgettext_lazy("table", "audit trail"),
}


class ExportForm(forms.Form):
    """The parameters of an export: its filters, the format and, for CSV, the sheet (one table per file)."""

    fmt = forms.ChoiceField(choices=FORMATS, initial="xlsx", label=_("Format"))

    def __init__(self, export: ListExport, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.export = export
        for name, field in export.filters().items():
            self.fields[name] = field
        self.fields["sheet"] = forms.ChoiceField(choices=[("", "—"), *[(s, SHEET_LABELS.get(s, s)) for s in export.sheets]], required=False,
                                                 label=_("Table (CSV holds one)"))
        self.order_fields([*export.filters(), "sheet", "fmt"])

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("fmt", "sheet")}


@dataclass(frozen=True)
class Export:
    data: bytes
    filename: str
    fmt: str


def build(name: str, user, params, *, today: dt.date | None = None) -> Export:
    """The export ``name`` for ``user`` with the request's ``params`` (a QueryDict or dict).

    Parameters
    ----------
    name : str
        A key of :func:`registry`.
    user : User or int
        The user (or its id: a task runner passes ids) whose rights apply.
    params : Mapping
        ``fmt`` (``csv``/``xlsx``), ``sheet`` (CSV: which table; default the first) and the
        export's filters.

    Returns
    -------
    Export
        ``data`` (bytes), ``filename`` (``<name>[-<sheet>]-<date>.<fmt>``) and ``fmt``.

    Raises
    ------
    KeyError
        An unknown export.
    PermissionError
        The user may not export this list (the page's roles).
    django.core.exceptions.ValidationError
        A malformed parameter (its field named).
    ExportRefused
        A required filter is missing, or an XLSX sheet would exceed Excel's 1,048,576 rows.
    """
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from klaster.common import dates

    export = registry()[name]
    if isinstance(user, int):
        user = get_user_model().objects.get(pk=user)
    if not export.allowed(user):
        raise PermissionError(name)
    form = ExportForm(export, params)
    if not form.is_valid():
        raise ValidationError(form.errors)
    fmt = form.cleaned_data["fmt"]
    filters = form.filters()
    sheets = export.rows(user, filters)
    day = (filters.get("date") or today or dates.today()).isoformat()  # the register: the day it is shown on
    if fmt == "csv":
        sheet = form.cleaned_data.get("sheet") or next(iter(sheets))
        rows = sheets[sheet]
        suffix = f"-{sheet.replace(' ', '-')}" if sheet != next(iter(sheets)) else ""
        return Export(exports.csv_bytes(rows), f"{name}{suffix}-{day}.csv", "csv")
    for title, rows in sheets.items():
        if len(rows) > XLSX_MAX_ROWS:
            raise ExportRefused(gettext_noop("%(sheet)s has %(rows)s rows, more than a spreadsheet holds (%(max)s): export it as CSV or narrow the filters."),
                                sheet=title, rows=len(rows), max=XLSX_MAX_ROWS)
    return Export(exports.xlsx_bytes(sheets), f"{name}-{day}.xlsx", "xlsx")
