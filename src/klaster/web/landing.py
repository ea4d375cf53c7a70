"""The landing page after login (/me/): per role, what needs the user now.

Each role's section is built from the domain's own read-only functions — the deadline timelines
of the competitions (:func:`klaster.competition.domain.services.timelines_labelled`, the clause
of every deadline from the pinned regulation), the due dates of conclusions
(:func:`~klaster.competition.domain.services.conclusion_due`), the state machine's transitions
(:data:`klaster.engine.competition.states.COMPETITION_TRANSITIONS`) — so that no rule is
written here. The queries are a fixed number whatever the number of competitions, applications
or assignments (``tests/web/test_landing.py`` holds the budget).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

#: Deadline states that need someone (engine: ``DeadlineStatus.state``).
NEEDS = ("overdue", "due")
#: How many rows of a section the page shows; the section's link leads to the full list.
LIMIT = 8


@dataclass
class Item:
    """One thing to do: ``text`` (already in the user's language), where it is done (``url``), the
    clause that requires it, its due date (or None) and state (``overdue``, ``due`` or a record's
    state code, for the status tag; ``state_label`` is its text)."""

    text: str
    url: str
    clause: str = ""
    due: dt.date | None = None
    state: str = ""
    state_label: str = ""


@dataclass
class Section:
    """A block of the page: its title, its items (at most :data:`LIMIT`), how many there are in
    all, the text when there are none and a link to the full list."""

    title: str
    items: list[Item] = field(default_factory=list)
    total: int = 0
    empty: str = ""
    more_url: str = ""
    more_text: str = ""

    def keep(self, items: list[Item]) -> Section:
        order = {"overdue": 0, "due": 1}
        items = sorted(items, key=lambda i: (order.get(i.state, 2), i.due or dt.date.max))
        self.total, self.items = len(items), items[:LIMIT]
        return self


def _state_label(state: str) -> str:
    """A deadline state in the user's language (the competition app's labels)."""
    from klaster.competition import i18n

    return str(i18n.DEADLINE_STATES.get(state, state))


def _lang() -> str:
    from django.utils.translation import get_language

    return (get_language() or "ru")[:2]


def _deadline_items(competitions, *, actors: set[str] | None = None, subjects: set[str] | None = None,
                    url_of) -> list[Item]:
    """Overdue and running deadlines of ``competitions`` (rows of the engine's timeline, their
    clause and step text from the pinned regulation); only ``actors`` (regulation actor ids) and
    ``subjects`` (application keys) when given. ``url_of(competition, application)`` → link."""
    from klaster.competition.domain import services as svc

    comps = list(competitions)
    timelines = svc.timelines_labelled(comps, lang=_lang())
    out = []
    for c in comps:
        for row, app, step_text, actor_name, _spec in timelines[c.pk]:
            if row.state not in NEEDS:
                continue
            if actors is not None and row.actor not in actors:
                continue
            if subjects is not None and row.subject not in subjects:
                continue
            who = f"{app.cluster_name} — {app.organisation_name}" if app else str(c)
            out.append(Item(text=f"{step_text} · {who} · {actor_name}", url=url_of(c, app), clause=row.clause,
                            due=row.due, state=row.state, state_label=_state_label(row.state)))
    return out


# ---------------------------------------------------------------- per role
def organizer(user) -> list[Section]:
    """Deadlines due or overdue in every competition, packages to check (§13–§16, §30–§32),
    competitions waiting for a protocol to be sent to the Commission."""
    from klaster.competition.models import Application, Competition

    comps = list(Competition.objects.exclude(state__in=("draft", "published", "failed")))
    org_url = lambda c, a: reverse("competition:organizer_application", args=[a.pk]) if a else reverse("competition:organizer_competition", args=[c.pk])  # noqa: E731
    deadlines = Section(_("Deadlines due and overdue"), empty=_("No deadline needs you now."),
                        more_url=reverse("competition:organizer_dashboard"), more_text=_("All deadlines"))
    deadlines.keep(_deadline_items(comps, actors={"organizer"}, url_of=org_url))
    checks = Section(_("Packages to check for completeness"), empty=_("No package waits for its check."),
                     more_url=reverse("competition:organizer_dashboard"), more_text=_("Competitions"))
    checks.keep([Item(text=f"{a.cluster_name} — {a.organisation_name} · {a.competition}",
                      url=reverse("competition:organizer_application", args=[a.pk]),
                      clause="§13–§16" if a.stage == 1 else "§30–§32", state=a.state, state_label=_("submitted"))
                 for a in Application.objects.filter(state="submitted").select_related("competition").order_by("registered_at", "pk")])
    return [deadlines, checks]


def _commission_items(comps) -> list[Item]:
    from klaster.engine.competition.states import COMPETITION_TRANSITIONS

    return [Item(text=str(c), url=reverse("competition:commission", args=[c.pk]),
                 clause=COMPETITION_TRANSITIONS[(c.state, "record_commission_decision")][1], state="due",
                 state_label=_("decision to record"))
            for c in comps]


def commission_secretary(user) -> list[Section]:
    """Competitions whose review protocol is with the Commission: the decision to record (§24, §38)."""
    from klaster.competition.models import Competition

    comps = list(Competition.objects.filter(state__in=("stage1_commission", "stage2_commission")).order_by("pk"))
    decisions = Section(_("Commission decisions to record"), empty=_("No decision waits for the Commission."),
                        more_url=reverse("competition:list"), more_text=_("Competitions")).keep(_commission_items(comps))
    running = Competition.objects.exclude(state__in=("draft", "published", "failed"))
    deadlines = Section(_("Deadlines of the Commission"), empty=_("No deadline needs you now."),
                        more_url=reverse("competition:list"), more_text=_("Competitions"))
    deadlines.keep(_deadline_items(running, actors={"commission"}, url_of=lambda c, a: reverse("competition:commission", args=[c.pk])))
    return [decisions, deadlines]


def expert(user) -> list[Section]:
    """The expert's assignments without a submitted score sheet (conflicted ones excluded), each
    with the council's scoring deadline and clause (§20) from the competition's timeline."""
    from klaster.competition.domain import services as svc
    from klaster.competition.domain.council import blind_label
    from klaster.competition.models import ExpertAssignment

    todo = [a for a in ExpertAssignment.objects.filter(expert=user).select_related("application__competition", "sheet")
            if not a.conflicted and not (getattr(a, "sheet", None) and a.sheet.submitted_at)]
    comps = {a.application.competition_id: a.application.competition for a in todo}
    timelines = svc.timelines_labelled(list(comps.values()), lang=_lang())
    scoring = {}
    for cid, rows in timelines.items():
        rules = comps[cid].rules
        for row, _app, _text, _actor, _spec in rows:
            if row.actor == "expert_council" and row.subject is None:
                scoring.setdefault((cid, rules.step(row.step_id).stage), row)
    items = []
    for a in todo:
        app = a.application
        row = scoring.get((app.competition_id, app.stage))
        name = blind_label(app) if app.competition.blind else app.cluster_name
        state = row.state if row and row.state in NEEDS else ("due" if not a.declared_at else "open")
        items.append(Item(text=f"{name} · {app.competition}", url=reverse("competition:expert_assignment", args=[a.pk]),
                          clause=row.clause if row else "", due=row.due if row else None, state=state,
                          state_label=_state_label(state) if state in NEEDS else _("to score")))
    return [Section(_("Score sheets to fill in"), empty=_("Nothing to score now."),
                    more_url=reverse("competition:expert_workspace"), more_text=_("Expert workspace")).keep(items)]


def body(user) -> list[Section]:
    """Requested conclusions not yet issued by the user's body (akimat, authorized body, regional
    body), with their due date and clause (§6, §17, §28.2)."""
    from klaster.accounts.roles import roles_of
    from klaster.competition.domain import services as svc
    from klaster.competition.models import Conclusion
    from klaster.competition.views import BODY_OF_ROLE

    bodies = [BODY_OF_ROLE[r] for r in roles_of(user) if r in BODY_OF_ROLE]
    items = []
    today = svc.today()
    for c in Conclusion.objects.filter(body__in=bodies, issued_on__isnull=True).select_related("application__competition"):
        if not user.has_perm("competition.issue_conclusion", c):
            continue
        due, clause = svc.conclusion_due(c)
        state = "overdue" if due and due < today else "due"
        app = c.application
        items.append(Item(text=f"{app.cluster_name} — {app.organisation_name} · {c.get_body_display()}",
                          url=reverse("competition:conclusion", args=[c.pk]), clause=clause, due=due, state=state,
                          state_label=_state_label(state)))
    return [Section(_("Conclusions to issue"), empty=_("No conclusion is waiting for you."),
                    more_url=reverse("competition:conclusions"), more_text=_("All conclusions")).keep(items)]


def applicant(user) -> list[Section]:
    """The applicant's competition applications with their state and the applicant's own deadlines
    (due or overdue, with clause), and its support applications with their status."""
    from klaster.competition import i18n
    from klaster.competition.models import Application
    from klaster.support.models import Application as SupportApplication

    apps = list(Application.objects.filter(applicant=user).select_related("competition").order_by("-pk"))
    mine = Section(_("My applications"), empty=_("You have no application yet."),
                   more_url=reverse("competition:my_applications"), more_text=_("My applications"))
    mine.keep([Item(text=f"{a.cluster_name} · {a.competition}", url=reverse("competition:application", args=[a.pk]),
                    state=a.state, state_label=i18n.state_label(a.state)) for a in apps])
    steps = Section(_("My next steps"), empty=_("No deadline of yours is running."),
                    more_url=reverse("competition:my_applications"), more_text=_("My applications"))
    comps = {a.competition_id: a.competition for a in apps}
    steps.keep(_deadline_items(comps.values(), actors={"participant"}, subjects={a.key for a in apps},
                               url_of=lambda c, a: reverse("competition:application", args=[a.pk]) if a else reverse("competition:my_applications")))
    support = Section(_("Support: reimbursement applications"), empty=_("No reimbursement application."),
                      more_url=reverse("support:list"), more_text=_("Support instruments"))
    support.keep([Item(text=f"{s.participant} · {s.get_status_display()}", url=reverse("support:detail", args=[s.pk]),
                       state=s.status, state_label=s.get_status_display())
                  for s in SupportApplication.objects.filter(applicant=user).select_related("participant").order_by("-pk")])
    return [steps, mine, support]


def analyst(user) -> list[Section]:
    """The analyst's latest analysis runs with their status."""
    from klaster.analysis.labels import dataset_title
    from klaster.analysis.models import AnalysisRun

    runs = AnalysisRun.objects.filter(owner=user).order_by("-created_at")[:LIMIT]
    s = Section(_("My recent analysis runs"), empty=_("No run yet."), more_url=reverse("analysis:index"), more_text=_("Analysis"))
    return [s.keep([Item(text=f"{r.get_kind_display()} · {dataset_title(r.dataset) if r.dataset else r.upload_name}", url=reverse("analysis:run", args=[r.pk]),
                         state=r.status, state_label=r.get_status_display()) for r in runs])]


def _person(user) -> str:
    """A user as people are named: the profile's full name, else Django's first and last name, else
    the login (a login such as ``sample_chamber_admission`` is a code, not a name)."""
    profile = getattr(user, "profile", None)
    return (getattr(profile, "full_name", "") or user.get_full_name() or user.get_username()).strip()


def _regulation_item(doc_id: str) -> Item:
    """A regulation document as its title in the user's language with its versions named as people
    name them (:func:`klaster.register.i18n.version_label`), not its codes."""
    from klaster import regulations
    from klaster.register.i18n import in_language, version_label

    docs = [regulations.load(doc_id, version=v) for v in regulations.versions(doc_id)]
    title = in_language(docs[-1].title) if docs else doc_id
    return Item(text=f"{title}: {'; '.join(version_label(d) for d in docs)}", url=reverse("competition:regulations"))


def administrator(user) -> list[Section]:
    """Accounts (the latest joined) and the regulation documents with their versions."""
    from django.contrib.auth import get_user_model

    from klaster import regulations

    users = list(get_user_model().objects.select_related("profile").order_by("-date_joined")[:LIMIT])
    accounts = Section(_("Accounts"), empty=_("No account."), more_url=reverse("admin:auth_user_changelist"),
                       more_text=_("All accounts"))
    accounts.keep([Item(text=_person(u), url=reverse("admin:auth_user_change", args=[u.pk]),
                        state="active" if u.is_active else "inactive",
                        state_label=_("active") if u.is_active else _("inactive")) for u in users])
    docs = Section(_("Regulation versions"), empty=_("No regulation document."),
                   more_url=reverse("competition:regulations"), more_text=_("Regulation versions"))
    docs.keep([_regulation_item(d) for d in regulations.documents()])
    return [accounts, docs]


BUILDERS = {
    "organizer": organizer,
    "commission_secretary": commission_secretary,
    "expert": expert,
    "akimat": body,
    "authorized_body": body,
    "regional_body": body,
    "applicant": applicant,
    "analyst": analyst,
    "administrator": administrator,
}


def sections_for(user) -> list[tuple[str, list[Section]]]:
    """``[(role label, sections)]`` for each role ``user`` holds, in the order of
    :class:`~klaster.accounts.roles.Role`; the three bodies share one section (built once)."""
    from klaster.accounts.roles import ROLE_LABELS, Role, roles_of

    held = roles_of(user)
    out, built = [], set()
    for role in Role:
        if role.value not in held:
            continue
        fn = BUILDERS[role.value]
        if fn in built:
            continue
        built.add(fn)
        out.append((str(ROLE_LABELS[role]), fn(user)))
    return out
