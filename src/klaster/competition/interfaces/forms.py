"""Forms of the competition pages: how the outside world talks to the domain.

Every value a page sends goes through one of these forms, with bounds (:mod:`klaster.common.forms`):
ids are bounded integers, dates lie within the calendar's years, numbers take the decimal comma of
kk/ru, choices are enumerations. The day of an act is a :class:`~klaster.common.forms.RecordedDayForm`
(not in the future; a reason when it is earlier than today); the domain re-checks it against the
events it follows.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.common import dates
from klaster.common import forms as kf

DateInput = kf.DateInput


def _lang() -> str:
    return (get_language() or "ru")[:2]


def _t(text: dict) -> str:
    return text.get(_lang()) or text.get("en") or ""


class AnnounceForm(forms.Form):
    """The announcement (§3–§5): dated the day it is made; the readings of the regulation the
    competition will use (each option with its argument, the data's default preselected)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    stage1_intake_closes = kf.DayField(label=_("Stage-1 intake closes"))
    regulation = forms.ChoiceField(label=_("Regulation version"), choices=[], required=False,
                                   help_text=_("the rules the competition pins; versions an administrator added are listed too"))
    criteria = forms.ChoiceField(label=_("Criteria set"), choices=[], required=False)
    blind = forms.BooleanField(label=_("Blind review: experts do not see who applied"), required=False)
    public_note = forms.CharField(label=_("Announcement text"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000)
    aggregation = forms.ChoiceField(label=_("Aggregation of experts' scores"), required=False, choices=[
        ("", _("default (mean)")), ("mean", _("mean")), ("median", _("median")), ("trimmed_mean", _("trimmed mean"))])
    quorum = kf.IntegerField(label=_("Quorum of experts"), min_value=1, max_value=100, required=False,
                             help_text=_("at most the number of members of the expert council (§19)"))
    rerun_of = forms.ModelChoiceField(label=_("Re-run of the failed competition (§42)"), queryset=None, required=False)

    def __init__(self, *args, today=None, **kwargs):
        from klaster.competition.models import Competition
        from klaster.engine.competition.rules import load_rules

        super().__init__(*args, **kwargs)
        self.today = today or dates.today()
        self.warnings = []
        self.fields["rerun_of"].queryset = Competition.objects.filter(state="failed")
        self.readings = load_rules().doc.readings
        rules_v, crit_v = regulation_choices()
        self.fields["regulation"].choices = [("", _("the latest version"))] + rules_v
        self.fields["criteria"].choices = [("", _("the criteria of the regulation version"))] + crit_v
        for r in self.readings:
            self.fields[f"reading_{r.id}"] = forms.ChoiceField(
                label=f"{r.clause}: {_t(r.text)}", required=False, initial=r.default.id,
                choices=[(o.id, _t(o.text) + (" — " + str(_("klaster's default")) if o.default else "")) for o in r.options],
                help_text=" ".join(f"{_t(o.text)}: {_t(o.argument)}" for o in r.options))

    def clean_stage1_intake_closes(self):
        d = self.cleaned_data["stage1_intake_closes"]
        if d <= self.today:
            raise ValidationError(_("The intake closing date %(day)s has passed; choose a date after today."), params={"day": dates.day_text(d)})
        return d

    def clean(self):
        data = super().clean()
        d = data.get("stage1_intake_closes")
        self.warnings = dates.day_warnings(d) if d else []
        return data

    def scoring(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("aggregation", "quorum") if d.get(k)}

    def chosen_readings(self) -> dict:
        return {r.id: self.cleaned_data.get(f"reading_{r.id}") or r.default.id for r in self.readings}

    def regulation_pin(self) -> tuple[str, str] | None:
        v = self.cleaned_data.get("regulation")
        return tuple(v.split(":", 1)) if v else None


def regulation_choices() -> tuple[list, list]:
    """``(rules versions, criteria versions)`` as choices ``"<id>:<version>"`` with their titles and
    effective dates: every version shipped or added by an administrator (:mod:`klaster.regulations`)."""
    from klaster.competition.pages import act_in_words
    from klaster.regulations import RegulationError, documents, load, versions

    rules_v, crit_v = [], []
    for d in documents():
        try:
            vs = versions(d)
        except RegulationError:
            continue
        for v in vs:
            try:
                doc = load(d, v)
            except RegulationError:
                continue
            label = act_in_words(doc, (get_language() or "ru")[:2]) + (
                f" — {dates.day_text(doc.effective_from)}–{dates.day_text(doc.effective_to)}" if doc.effective_from and doc.effective_to else "")
            if doc.kind == "competition-rules":
                rules_v.append((f"{d}:{v}", label))
            elif doc.kind == "competition-criteria":
                crit_v.append((f"{d}:{v}", label))
    for choices in (rules_v, crit_v):  # two versions of one act named alike: tell them apart by the version
        seen = [label for _v, label in choices]
        choices[:] = [(v, f"{label} [{v.split(':', 1)[1]}]" if seen.count(label) > 1 else label) for v, label in choices]
    return rules_v, crit_v


class ScoringForm(forms.Form):
    """The scoring configuration a competition may change until the first sheet is submitted."""

    aggregation = forms.ChoiceField(label=_("Aggregation of experts' scores"), choices=[
        ("mean", _("mean")), ("median", _("median")), ("trimmed_mean", _("trimmed mean"))])
    quorum = kf.IntegerField(label=_("Quorum of experts"), min_value=1, max_value=100)


ORGANIZER_ACTIONS = ("close_intake", "route", "assign", "review", "send", "publish", "scoring", "lift_conflict", "reopen_sheet",
                     "clarify", "blind")


class OrganizerActionForm(kf.RecordedDayForm):
    """An organizer's action on a competition, with the day it was done (and the reason for recording
    it later), and the application, expert, assignment or note the action needs."""

    action = forms.ChoiceField(choices=[(a, a) for a in ORGANIZER_ACTIONS])
    application = kf.IdField(required=False)
    expert = kf.IdField(required=False)
    assignment = kf.IdField(required=False)
    note = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    aggregation = forms.ChoiceField(required=False, choices=[("", "—"), ("mean", _("mean")), ("median", _("median")), ("trimmed_mean", _("trimmed mean"))])
    quorum = kf.IntegerField(required=False, min_value=1, max_value=100)

    blind = forms.BooleanField(required=False)

    NEEDS = {"route": ("application",), "assign": ("application", "expert"), "lift_conflict": ("assignment", "note"),
             "reopen_sheet": ("assignment", "note"), "scoring": ("aggregation", "quorum"), "clarify": ("application", "note")}

    def clean(self):
        data = super().clean()
        for f in self.NEEDS.get(data.get("action"), ()):
            if not data.get(f):
                self.add_error(f, _("This field is required."))
        return data


class CompetitionRefForm(forms.Form):
    competition = kf.IdField()


class ApplicationForm(forms.Form):
    competition = kf.IdField()
    stage = forms.TypedChoiceField(label=_("Stage"), choices=[(1, _("Stage 1")), (2, _("Stage 2"))], coerce=int)
    kind = forms.ChoiceField(label=_("Kind of participant"), choices=[])
    organisation_name = forms.CharField(label=_("Participant"), max_length=300)
    organisation_bin = forms.CharField(label=_("Participant BIN"), max_length=12, min_length=12)
    cluster_name = forms.CharField(label=_("Name of the territorial cluster"), max_length=300)
    region_kato = forms.CharField(label=_("Region (KATO)"), max_length=9, min_length=9)
    sector_oked = forms.CharField(label=_("Sector of the cluster's specialisation (OKED)"), max_length=10, required=False,
                                  help_text=_("decides the authorized body that gives its conclusion (§17, §27)"))
    signatory_position = forms.CharField(label=_("Signatory's position"), max_length=200, required=False)
    signatory_name = forms.CharField(label=_("Signatory's full name"), max_length=200, required=False)

    def __init__(self, *args, kinds=(), **kw):
        super().__init__(*args, **kw)
        self.fields["kind"].choices = list(kinds)

    def clean_organisation_bin(self):
        from klaster.common.bin import InvalidBIN, validate_bin
        from klaster.competition.i18n import bin_error_text

        v = self.cleaned_data["organisation_bin"].strip()
        try:
            validate_bin(v)
        except InvalidBIN as e:
            raise ValidationError(bin_error_text(e)) from None
        return v

    def clean_region_kato(self):
        from klaster.reference.validators import validate_kato

        v = self.cleaned_data["region_kato"].strip()
        validate_kato(v)
        return v

    def clean_sector_oked(self):
        from klaster.reference.validators import validate_oked

        v = (self.cleaned_data.get("sector_oked") or "").strip()
        if v:
            validate_oked(v)
        return v


class ApplicationActionForm(forms.Form):
    """An applicant's action on the package; ``version`` is the lock version of the draft the page showed."""

    ACTIONS = ("upload", "participant", "remove_participant", "import", "akimat", "authorized_body", "submit", "amend", "withdraw", "answer")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = kf.VersionField(required=False)


class SubmitForm(forms.Form):
    """Submission: the participant accepts the statement of §12 (its text is shown beside the box)."""

    statement = forms.BooleanField(label=_("We accept the statement above (§12)"), required=True)


class UploadForm(forms.Form):
    doc_id = forms.ChoiceField(label=_("Document"), choices=[])
    file = forms.FileField(label=_("File"), max_length=200)
    pages = kf.IntegerField(label=_("Pages"), min_value=1, max_value=10000, required=False,
                            help_text=_("leave empty for a PDF: its pages are counted"))
    volume = kf.IntegerField(label=_("Volume"), min_value=1, max_value=100, required=False)
    annex_from = kf.IntegerField(label=_("Annexes start at page"), min_value=1, max_value=10000, required=False,
                                 help_text=_("App. 2 counts the concept's pages without the annexes; leave empty when there are none "
                                             "(a PDF bookmark titled “Приложение” / “Қосымша” / “Annex” is used then)"))

    def __init__(self, *args, documents=(), **kw):
        super().__init__(*args, **kw)
        self.fields["doc_id"].choices = list(documents)


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    bin = forms.CharField(label=_("BIN"), max_length=12)
    oked = forms.CharField(label=_("OKED"), max_length=10)
    kato = forms.CharField(label=_("KATO"), max_length=9)
    affiliation_group = forms.CharField(label=_("Declared affiliation group"), max_length=200, required=False)


class RemoveParticipantForm(forms.Form):
    participant = kf.IdField()


class ImportForm(forms.Form):
    xlsx = forms.FileField(label=_("XLSX file"), max_length=200)


class NoticeForm(forms.Form):
    notice = forms.CharField(label=_("Written notice with reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ConclusionForm(kf.RecordedDayForm):
    positive = forms.TypedChoiceField(label=_("Conclusion"), coerce=lambda v: v == "1",
                                      choices=[("1", _("Positive")), ("0", _("Negative"))])
    text = forms.CharField(label=_("Text of the conclusion"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)


class RoadmapEventForm(kf.RecordedDayForm):
    action = forms.ChoiceField(choices=[("roadmap_forwarded", "roadmap_forwarded"), ("roadmap_agreed", "roadmap_agreed")])


class DeclarationForm(forms.Form):
    conflicted = forms.BooleanField(label=_("I have a conflict of interest with this application"), required=False)
    text = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class ScoreForm(forms.Form):
    """An expert's score sheet: a score on the competition's scale and a justification per criterion."""

    action = forms.ChoiceField(choices=[("save", "save"), ("submit", "submit")])
    version = kf.VersionField()

    def __init__(self, *args, criteria=(), scoring=None, **kw):
        super().__init__(*args, **kw)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.id}"] = kf.DecimalField(label=c.id, required=False, max_digits=8, decimal_places=2,
                                                           min_value=scoring.scale_min if scoring else None,
                                                           max_value=scoring.scale_max if scoring else None)
            self.fields[f"just_{c.id}"] = forms.CharField(required=False, max_length=5000)

    def scores(self) -> dict:
        return {c.id: self.cleaned_data[f"score_{c.id}"] for c in self.criteria if self.cleaned_data.get(f"score_{c.id}") is not None}

    def justifications(self) -> dict:
        return {c.id: (self.cleaned_data.get(f"just_{c.id}") or "").strip() for c in self.criteria}


class Stage1DecisionForm(forms.Form):
    minimum_score = kf.DecimalField(label=_("Minimum score for stage 2 (§24)"), max_digits=8, decimal_places=2)
    meeting_on = kf.DayField(label=_("Commission meeting"))
    protocol_on = kf.DayField(label=_("Protocol signed (§25)"))
    stage2_intake_closes = kf.DayField(label=_("Deadline for strategies and roadmaps (§26)"))
    reason = forms.CharField(label=_("Reason for recording it later"), required=False, max_length=500,
                             help_text=_("when the protocol is dated earlier than today"))
    short_deadline_confirmed = forms.BooleanField(label=_("Confirm a deadline shorter than the authorized body's 20 days (§28.2)"), required=False)

    def __init__(self, *args, score_range=None, **kw):
        super().__init__(*args, **kw)
        if score_range:
            lo, hi = score_range
            f = self.fields["minimum_score"]
            f.min_value, f.max_value = lo, hi
            from django.core.validators import MaxValueValidator, MinValueValidator

            f.validators += [MinValueValidator(lo), MaxValueValidator(hi)]
            f.help_text = _("between %(lo)s and %(hi)s points") % {"lo": lo, "hi": hi}


class Stage2DecisionForm(forms.Form):
    meeting_on = kf.DayField(label=_("Meeting"))
    received_on = kf.DayField(label=_("Protocol received"))
    reason = forms.CharField(label=_("Reason for recording it later"), required=False, max_length=500)

    def __init__(self, *args, applications=(), **kw):
        super().__init__(*args, **kw)
        self.applications = list(applications)
        for a in self.applications:
            self.fields[f"winner_{a.pk}"] = forms.BooleanField(label=_("winner"), required=False)
            self.fields[f"support_{a.pk}"] = forms.CharField(label=_("Recommended state support"), required=False, max_length=2000,
                                                             widget=forms.Textarea(attrs={"rows": 2}))

    def decisions(self) -> dict:
        d = self.cleaned_data
        return {a.pk: (bool(d.get(f"winner_{a.pk}")), d.get(f"support_{a.pk}") or "") for a in self.applications}


class NotificationsForm(forms.Form):
    notification = forms.TypedMultipleChoiceField(choices=[], coerce=int, required=False)
    all = forms.BooleanField(required=False)

    def __init__(self, *args, ids=(), **kw):
        super().__init__(*args, **kw)
        self.fields["notification"].choices = [(str(i), str(i)) for i in ids]


# ------------------------------------------------------------------------------------------ issue 15: structured documents


def _title(text) -> str:
    return text.get(_lang()) if hasattr(text, "get") else str(text)


class ItemsForm(forms.Form):
    """The text items of a structured document (App. 2, 5): one field per item, bounded; the draft's
    lock version."""

    version = kf.VersionField()

    def __init__(self, *args, form_spec=None, **kw):
        super().__init__(*args, **kw)
        self.spec = form_spec
        for it in form_spec.text_items:
            self.fields[f"item_{it.id}"] = forms.CharField(label=f"{it.id}. {_title(it.title)}", required=False, max_length=20000,
                                                           widget=forms.Textarea(attrs={"rows": 3}))

    def items(self) -> dict:
        return {it.id: self.cleaned_data.get(f"item_{it.id}") or "" for it in self.spec.text_items}


class ProfileForm(forms.Form):
    """A company profile (App. 2 §7): the fields of the regulation data and the indicators of every
    year, as text bounded in length; the engine cleans and checks the values."""

    version = kf.VersionField()

    def __init__(self, *args, table=None, years=(), **kw):
        super().__init__(*args, **kw)
        self.table, self.years = table, list(years)
        for f in table.fields:
            if f.type == "choice":
                self.fields[f.id] = forms.ChoiceField(label=_title(f.title), required=False,
                                                      choices=[("", "—")] + [(o.id, _title(o.title)) for o in f.options])
            else:
                self.fields[f.id] = forms.CharField(label=_title(f.title), required=False, max_length=f.max or 300)
        for y in self.years:
            for ind in table.indicators:
                self.fields[f"{ind.id}_{y}"] = forms.CharField(label=f"{_title(ind.title)} {y}", required=False, max_length=30)

    def raw(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class RemoveProfileForm(forms.Form):
    version = kf.VersionField()
    bin = forms.CharField(max_length=12, min_length=12)


class CashFlowForm(forms.Form):
    """The quarterly cash flow (App. 5 §9.4): the first year and an amount per line and quarter."""

    version = kf.VersionField()
    first_year = kf.IntegerField(label=_("First year"), min_value=1992, max_value=2100, required=False)

    def __init__(self, *args, table=None, **kw):
        super().__init__(*args, **kw)
        self.table = table
        for ln in table.lines:
            for k in table.keys():
                self.fields[f"cell_{ln.id}_{k}"] = forms.CharField(label=f"{_title(ln.title)} {k}", required=False, max_length=30)

    def cells(self) -> dict:
        return {ln.id: {k: self.cleaned_data.get(f"cell_{ln.id}_{k}") or "" for k in self.table.keys()} for ln in self.table.lines}


class EventForm(forms.Form):
    """A roadmap event (App. 6): its group, the columns of the table and the elements of every event."""

    version = kf.VersionField()
    index = kf.IntegerField(min_value=1, max_value=1000, required=False)
    first_year = kf.IntegerField(label=_("First year of the financing"), min_value=1992, max_value=2100, required=False)
    group = forms.ChoiceField(label=_("Group"), choices=[])

    def __init__(self, *args, table=None, **kw):
        super().__init__(*args, **kw)
        self.table = table
        self.fields["group"].choices = [(g.id, f"{g.id}. {_title(g.title)}") for g in table.groups]
        for f in table.columns + table.details:
            if f.type == "years":
                for y in range(1, table.years + 1):
                    self.fields[f"{f.id}_y{y}"] = forms.CharField(label=f"{_title(f.title)}, {y}", required=False, max_length=30)
            elif f.type == "sources":
                self.fields[f.id] = forms.MultipleChoiceField(label=_title(f.title), required=False, widget=forms.CheckboxSelectMultiple,
                                                              choices=[(o.id, _title(o.title)) for o in table.sources])
            elif f.type == "date":
                self.fields[f.id] = kf.DayField(label=_title(f.title), required=False)
            else:
                self.fields[f.id] = forms.CharField(label=_title(f.title), required=False, max_length=f.max or 1000,
                                                    widget=forms.Textarea(attrs={"rows": 2}) if (f.max or 0) > 300 else None)

    def raw(self) -> dict:
        out = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "index", "first_year")}
        for k, v in list(out.items()):
            if hasattr(v, "isoformat"):
                out[k] = v.isoformat()
        return out


class RemoveEventForm(forms.Form):
    version = kf.VersionField()
    index = kf.IntegerField(min_value=1, max_value=1000)


class EventsYearForm(forms.Form):
    version = kf.VersionField()
    first_year = kf.IntegerField(label=_("First year of the financing"), min_value=1992, max_value=2100)


class StructuredImportForm(forms.Form):
    version = kf.VersionField()
    xlsx = forms.FileField(label=_("Filled template (XLSX)"), max_length=200)


STRUCTURED_ACTIONS = ("items", "profile", "remove_profile", "cash_flow", "event", "remove_event", "events_year", "import")


class StructuredActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in STRUCTURED_ACTIONS])


# ------------------------------------------------------------------------------------------ issue 15: records


class PaperForm(kf.RecordedDayForm):
    """The paper original and copy of a package (§9, §11): counts, the electronic copy, the sheets of
    each volume, and per document its volume and first and last sheet."""

    received_by = forms.CharField(label=_("Received by"), max_length=200)
    originals = kf.IntegerField(label=_("Originals"), min_value=0, max_value=10)
    copies = kf.IntegerField(label=_("Copies"), min_value=0, max_value=10)
    electronic = forms.BooleanField(label=_("Electronic copy received"), required=False)
    volumes = forms.CharField(label=_("Sheets of each volume"), max_length=400,
                              help_text=_("the number of sheets of volume 1, 2, … separated by semicolons, e.g. 120; 85"))
    version = kf.VersionField(required=False)

    def __init__(self, *args, documents=(), **kw):
        super().__init__(*args, **kw)
        self.documents = list(documents)
        for doc_id, name in self.documents:
            self.fields[f"vol_{doc_id}"] = kf.IntegerField(label=f"{name}: {_('volume')}", min_value=1, max_value=50, required=False)
            self.fields[f"from_{doc_id}"] = kf.IntegerField(label=f"{name}: {_('first sheet')}", min_value=1, max_value=5000, required=False)
            self.fields[f"to_{doc_id}"] = kf.IntegerField(label=f"{name}: {_('last sheet')}", min_value=1, max_value=5000, required=False)

    def clean_volumes(self):
        parts = [p.strip() for p in self.cleaned_data["volumes"].replace(",", ";").split(";") if p.strip()]
        if not parts or len(parts) > 50 or not all(p.isdigit() and 1 <= int(p) <= 5000 for p in parts):
            raise ValidationError(_("Give the sheets of each volume as whole numbers 1–5000 separated by semicolons (at most 50 volumes)."))
        return [int(p) for p in parts]

    def placed(self) -> dict:
        d = self.cleaned_data
        out = {}
        for doc_id, _name in self.documents:
            v, a, b = d.get(f"vol_{doc_id}"), d.get(f"from_{doc_id}"), d.get(f"to_{doc_id}")
            if v and a and b:
                out[doc_id] = [v, a, b]
        return out

    def clean(self):
        data = super().clean()
        for doc_id, name in self.documents:
            vals = [data.get(f"{k}_{doc_id}") for k in ("vol", "from", "to")]
            if any(vals) and not all(vals):
                self.add_error(f"vol_{doc_id}", _("give the volume, the first and the last sheet"))
            elif all(vals) and vals[2] < vals[1]:
                self.add_error(f"to_{doc_id}", _("the last sheet is before the first"))
        return data


class PublicationForm(kf.RecordedDayForm):
    """A publication of the announcement (§4)."""

    medium = forms.ChoiceField(label=_("Medium"), choices=[("print", _("official print media")), ("website", _("the organizer's website"))])
    outlet = forms.CharField(label=_("Outlet"), max_length=300)
    reference = forms.CharField(label=_("Issue No. or address"), max_length=500, required=False)


class AdmissionReviewForm(forms.Form):
    """The organizer's review of the drafted admission protocol: per package a decision, the notice
    and the reason for an override; the protocol's lock version."""

    version = kf.VersionField()

    def __init__(self, *args, decisions=(), **kw):
        super().__init__(*args, **kw)
        self.decisions = list(decisions)
        for d in self.decisions:
            self.fields[f"decision_{d.application_id}"] = forms.ChoiceField(label=_("Decision"), choices=[("admit", _("admit")), ("return", _("return"))])
            self.fields[f"notice_{d.application_id}"] = forms.CharField(label=_("Notice to the participant"), required=False, max_length=5000,
                                                                        widget=forms.Textarea(attrs={"rows": 3}))
            self.fields[f"reason_{d.application_id}"] = forms.CharField(label=_("Reason for the override"), required=False, max_length=2000)

    def reviewed(self) -> dict:
        d = self.cleaned_data
        return {x.application_id: (d[f"decision_{x.application_id}"], d.get(f"notice_{x.application_id}") or "",
                                   d.get(f"reason_{x.application_id}") or "") for x in self.decisions}


class AdmissionActionForm(kf.RecordedDayForm):
    action = forms.ChoiceField(choices=[("draft", "draft"), ("review", "review"), ("sign", "sign")])
    version = kf.VersionField(required=False)


# ------------------------------------------------------------------------------------------ issue 15: the expert council


class ExpertProfileForm(forms.Form):
    """An expert's sectors (OKED codes), affiliated organisations and declared interests (BINs)."""

    version = kf.VersionField(required=False)
    sectors = forms.CharField(label=_("Sectors (OKED codes)"), required=False, max_length=600,
                              help_text=_("OKED codes of any level separated by commas, e.g. 23, 24.10"))
    affiliate_bins = forms.CharField(label=_("BINs of affiliated organisations"), required=False, max_length=800,
                                     help_text=_("organisations affiliated with your employer, separated by commas"))
    interest_bins = forms.CharField(label=_("BINs of organisations you have an interest in"), required=False, max_length=800)
    interests_text = forms.CharField(label=_("Declared interests"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def _split(value: str) -> list[str]:
        return [p.strip() for p in (value or "").replace(";", ",").split(",") if p.strip()]

    def values(self) -> dict:
        d = self.cleaned_data
        return {"sectors": self._split(d["sectors"]), "affiliate_bins": self._split(d["affiliate_bins"]),
                "interest_bins": self._split(d["interest_bins"]), "interests_text": d["interests_text"]}


class AllocationForm(forms.Form):
    """How many experts per package the suggested allocation aims at (GET)."""

    per = kf.IntegerField(label=_("Experts per application"), min_value=1, max_value=20, required=False)


class BulkAssignForm(forms.Form):
    """The pairs (application, expert) to assign, each ``<application id>:<expert id>``."""

    pair = forms.MultipleChoiceField(choices=[], required=True)

    def __init__(self, *args, pairs=(), **kw):
        super().__init__(*args, **kw)
        self.fields["pair"].choices = [(p, p) for p in pairs]

    def pairs(self) -> list[tuple[int, int]]:
        return [tuple(int(x) for x in p.split(":")) for p in self.cleaned_data["pair"]]


class PostForm(forms.Form):
    text = forms.CharField(label=_("Post"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(choices=[("comment", _("comment")), ("consensus", _("consensus note"))], required=False)


class RankedForm(forms.Form):
    """The ranked list of a stage, on the page or exported (GET)."""

    stage = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int, required=False)
    fmt = forms.ChoiceField(choices=[("", "html"), ("csv", "CSV"), ("xlsx", "XLSX")], required=False)


class ClarificationAnswerForm(forms.Form):
    request = kf.IdField()
    answer = forms.CharField(label=_("Answer"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))


class BlindForm(forms.Form):
    blind = forms.BooleanField(required=False)


# ------------------------------------------------------------------------------------------ issue 15: regulations


class RegulationForm(forms.Form):
    """A new regulation version: its YAML file, or the text pasted; after the preview, ``confirm`` with
    ``data`` (the previewed bytes, base64) stores exactly what was previewed."""

    file = forms.FileField(label=_("YAML file"), required=False, max_length=200)
    text = forms.CharField(label=_("or the YAML text"), required=False, max_length=2_000_000, strip=False,
                           widget=forms.Textarea(attrs={"rows": 12}))
    data = forms.CharField(required=False, max_length=3_000_000, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False)

    def clean(self):
        import base64
        import binascii

        data = super().clean()
        f = data.get("file")
        if data.get("data"):
            try:
                data["yaml"] = base64.b64decode(data["data"], validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError(_("The previewed text was damaged; upload the file again.")) from None
        elif f is not None:
            if f.size > 2 * 1024 * 1024:
                raise ValidationError(_("The file is larger than 2 MB."))
            data["yaml"] = f.read()
        elif (data.get("text") or "").strip():
            data["yaml"] = data["text"].replace("\r\n", "\n").encode("utf-8")  # a browser sends CR LF from a text area
        else:
            raise ValidationError(_("Upload the YAML file or paste its text."))
        return data
