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
    criteria = forms.ChoiceField(label=_("Criteria set"), choices=[
        ("", _("Decree 535 (2015) criteria")), ("competition-criteria-2016:order-873-2016", _("2016 criteria (seed 003)"))], required=False)
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


class ScoringForm(forms.Form):
    """The scoring configuration a competition may change until the first sheet is submitted."""

    aggregation = forms.ChoiceField(label=_("Aggregation of experts' scores"), choices=[
        ("mean", _("mean")), ("median", _("median")), ("trimmed_mean", _("trimmed mean"))])
    quorum = kf.IntegerField(label=_("Quorum of experts"), min_value=1, max_value=100)


ORGANIZER_ACTIONS = ("close_intake", "admission", "route", "assign", "review", "send", "publish", "scoring", "lift_conflict", "reopen_sheet")


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

    NEEDS = {"route": ("application",), "assign": ("application", "expert"), "lift_conflict": ("assignment", "note"),
             "reopen_sheet": ("assignment", "note"), "scoring": ("aggregation", "quorum")}

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


class ApplicationActionForm(forms.Form):
    """An applicant's action on the package; ``version`` is the lock version of the draft the page showed."""

    ACTIONS = ("upload", "participant", "remove_participant", "import", "akimat", "authorized_body", "submit", "amend", "withdraw")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = kf.VersionField(required=False)


class UploadForm(forms.Form):
    doc_id = forms.ChoiceField(label=_("Document"), choices=[])
    file = forms.FileField(label=_("File"), max_length=200)
    pages = kf.IntegerField(label=_("Pages"), min_value=1, max_value=10000, required=False,
                            help_text=_("leave empty for a PDF: its pages are counted"))
    volume = kf.IntegerField(label=_("Volume"), min_value=1, max_value=100, required=False)

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
