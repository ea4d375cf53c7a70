"""Read-only helpers of the organizer's pages (issue 13): what the competition page's tabs and the
dashboard's summary show, computed from the rows the views already loaded (no query of their own
unless stated)."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from klaster.common import forms as kf
from klaster.competition import i18n

#: Rows per page of the applications and deadlines tabs and of the dashboard.
PAGE = 20
DASHBOARD_PAGE = 10

#: The protocols of a competition: (clause of the Rules, name). Source: Decree 535, Rules §15, §22,
#: §25 (stage 1), §31, §36, §39 (stage 2).
PROTOCOLS = (
    ("15", _("Admission protocol, stage 1")),
    ("22", _("Expert council's review protocol, stage 1")),
    ("25", _("Commission's protocol, stage 1")),
    ("31", _("Admission protocol, stage 2")),
    ("36", _("Expert council's review protocol, stage 2")),
    ("39", _("Commission's protocol, stage 2")),
)
LANGUAGES = (("kk", _("in Kazakh")), ("ru", _("in Russian")))

#: The experts' scores aggregation (competition.scoring["aggregation"]) in words.
AGGREGATIONS = {"mean": _("arithmetic mean"), "median": _("median"), "trimmed_mean": _("trimmed mean")}

#: Deadline filters of the Deadlines tab → the deadline row states they keep.
DEADLINE_FILTERS = {
    "all": (_("all"), None),
    "due": (_("due or pending"), ("due", "pending", "open")),
    "overdue": (_("overdue"), ("overdue",)),
    "done": (_("done"), ("met", "late", "closed")),
}
#: States of a deadline still to be met (the next deadlines).
OPEN_STATES = ("overdue", "due", "pending", "open")

#: Dashboard filters: running / finished / all competitions (by competition state). A failed
#: competition runs until its re-run is announced (§42).
FINISHED = ("published", "rerun_announced")
DASHBOARD_FILTERS = {"running": _("running"), "finished": _("finished"), "all": _("all")}

APPLICATION_SORTS = {"number": _("registration number"), "cluster": _("cluster"), "state": _("state")}


def protocol_links(competition_pk: int) -> list[dict]:
    """``[{clause, name, files: [(language label, docx url, pdf url)]}]`` — the protocols of a
    competition with links labelled in words (Rules §15, §22, §25, §31, §36, §39)."""
    from django.urls import reverse

    return [{"clause": "§" + cl, "name": name,
             "files": [(label, reverse("competition:protocol_document", args=[competition_pk, cl, lang]),
                        reverse("competition:protocol_pdf", args=[competition_pk, cl, lang])) for lang, label in LANGUAGES]}
            for cl, name in PROTOCOLS]


def act_in_words(doc, lang: str) -> str:
    """A regulation document as people name it: its title in ``lang`` and the act's number and date
    (``Критерии и Правила … (№ 535 от 16.07.2015)``) — never its id or SHA-256."""
    if doc is None:
        return ""
    title = doc.title.get(lang) or doc.title.get("ru") or doc.id
    act = doc.act or {}
    number, date = act.get("number"), act.get("date")
    if number and date:
        return str(_("%(title)s (No. %(number)s of %(date)s)") % {"title": title, "number": number, "date": i18n.day_in(date)})
    return title


def next_deadlines(timeline, n: int = 3) -> list:
    """The first ``n`` rows of a labelled timeline still to be met (overdue, due, pending, open),
    earliest due date first."""
    rows = [row for row in timeline if row[0].state in OPEN_STATES and row[0].due is not None]
    return sorted(rows, key=lambda row: (row[0].due, row[0].state != "overdue"))[:n]


def deadline_counts(timeline) -> list[tuple[str, int]]:
    """``[(deadline state, number of rows)]`` in a fixed order, states without rows left out."""
    c = Counter(row[0].state for row in timeline)
    return [(st, c[st]) for st in ("overdue", "late", "due", "met", "pending", "open", "closed") if c[st]]


def application_counts(apps) -> list[tuple[str, int]]:
    """``[(application state, number)]`` in the order of :data:`klaster.competition.i18n.STATES`."""
    c = Counter(a.state for a in apps)
    return [(st, c[st]) for st in i18n.STATES if c[st]]


class CompetitionPageQuery(forms.Form):
    """The query of the organizer's competition page: the applications tab's state filter, sort and
    page, and the deadlines tab's filter and page. Every value bounded; a malformed one is a form
    error (the page is shown with its defaults and the error)."""

    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("all"))] + [(k, v) for k, v in i18n.STATES.items()])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(APPLICATION_SORTS.items()))
    page = kf.IntegerField(label=_("Page"), required=False, min_value=1, max_value=100000)
    deadlines = forms.ChoiceField(label=_("Deadlines"), required=False, choices=[(k, v[0]) for k, v in DEADLINE_FILTERS.items()])
    dpage = kf.IntegerField(label=_("Page"), required=False, min_value=1, max_value=100000)

    def value(self, name: str, default):
        """The cleaned value of ``name`` or ``default`` (when empty or the form is invalid)."""
        if not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default


class DashboardQuery(forms.Form):
    """The dashboard's filter (running / finished / all) and page."""

    show = forms.ChoiceField(label=_("Competitions"), required=False, choices=list(DASHBOARD_FILTERS.items()))
    page = kf.IntegerField(label=_("Page"), required=False, min_value=1, max_value=100000)

    def value(self, name: str, default):
        if not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default


def sort_applications(apps, key: str) -> list:
    """The applications sorted by registration number (stage, number, key), cluster name or state."""
    if key == "cluster":
        return sorted(apps, key=lambda a: (a.cluster_name.casefold(), a.pk))
    if key == "state":
        order = list(i18n.STATES)
        return sorted(apps, key=lambda a: (order.index(a.state) if a.state in order else len(order), a.pk))
    return sorted(apps, key=lambda a: (a.stage, a.registration_number or "~", a.pk))


def page_of(rows, number: int, per_page: int = PAGE):
    """A :class:`django.core.paginator.Page` of ``rows`` (a list); a number past the end gives the last page."""
    return Paginator(rows, per_page).get_page(number)


def deadline_rows(timeline, which: str) -> list:
    """The rows of a labelled timeline kept by the filter ``which`` (:data:`DEADLINE_FILTERS`)."""
    states = DEADLINE_FILTERS.get(which, DEADLINE_FILTERS["all"])[1]
    return [row for row in timeline if states is None or row[0].state in states]


def is_running(state: str) -> bool:
    """A competition not finished (results published, re-run announced)."""
    return state not in FINISHED



#: Kinds of regulation documents (klaster.regulations, ``kind:``) in words, for the administrators'
#: list of versions; an unknown kind is shown as its code.
DOCUMENT_KINDS = {
    "competition-rules": _("rules of the competition"),
    "competition-criteria": _("criteria of the competition"),
    "competition-forms": _("forms of the appendices"),
    "competition-clauses": _("inventory of clauses"),
    "sector-bodies": _("authorized bodies by sector"),
    "support-instruments": _("state support instruments"),
    "support-parameters": _("parameters of state support"),
    "budget-lines": _("budget lines"),
    "cluster-programme-cofinancing": _("co-financing of cluster programmes"),
    "priority-sectors": _("priority sectors"),
}
