"""Forms of the competition pages: how the outside world talks to the domain."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class AnnounceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    announced_on = forms.DateField(label=_("Announced on"), widget=DateInput)
    stage1_intake_closes = forms.DateField(label=_("Stage-1 intake closes"), widget=DateInput)
    criteria = forms.ChoiceField(label=_("Criteria set"), choices=[
        ("", _("Decree 535 (2015) criteria")), ("competition-criteria-2016:order-873-2016", _("2016 criteria (seed 003)"))], required=False)
    public_note = forms.CharField(label=_("Announcement text"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    aggregation = forms.ChoiceField(label=_("Aggregation of experts' scores"), required=False, choices=[
        ("", _("default (mean)")), ("mean", _("mean")), ("median", _("median")), ("trimmed_mean", _("trimmed mean"))])
    quorum = forms.IntegerField(label=_("Quorum of experts"), min_value=1, required=False)
    rerun_of = forms.ModelChoiceField(label=_("Re-run of the failed competition (§42)"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from klaster.competition.models import Competition

        super().__init__(*args, **kwargs)
        self.fields["rerun_of"].queryset = Competition.objects.filter(state="failed")

    def scoring(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("aggregation", "quorum") if d.get(k)}


class ApplicationForm(forms.Form):
    competition = forms.IntegerField(widget=forms.HiddenInput)
    stage = forms.TypedChoiceField(label=_("Stage"), choices=[(1, _("Stage 1")), (2, _("Stage 2"))], coerce=int)
    kind = forms.ChoiceField(label=_("Kind of participant"), choices=[])
    organisation_name = forms.CharField(label=_("Participant"), max_length=300)
    organisation_bin = forms.CharField(label=_("Participant BIN"), max_length=12)
    cluster_name = forms.CharField(label=_("Name of the territorial cluster"), max_length=300)
    region_kato = forms.CharField(label=_("Region (KATO)"), max_length=9)
    signatory_position = forms.CharField(label=_("Signatory's position"), max_length=200, required=False)
    signatory_name = forms.CharField(label=_("Signatory's full name"), max_length=200, required=False)

    def __init__(self, *args, kinds=(), **kw):
        super().__init__(*args, **kw)
        self.fields["kind"].choices = list(kinds)


class UploadForm(forms.Form):
    doc_id = forms.ChoiceField(label=_("Document"), choices=[])
    file = forms.FileField(label=_("File"))
    pages = forms.IntegerField(label=_("Pages"), min_value=1, required=False)
    volume = forms.IntegerField(label=_("Volume"), min_value=1, required=False)

    def __init__(self, *args, documents=(), **kw):
        super().__init__(*args, **kw)
        self.fields["doc_id"].choices = list(documents)


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    bin = forms.CharField(label=_("BIN"), max_length=12)
    oked = forms.CharField(label=_("OKED"), max_length=10)
    kato = forms.CharField(label=_("KATO"), max_length=9)
    affiliation_group = forms.CharField(label=_("Declared affiliation group"), max_length=200, required=False)


class ImportForm(forms.Form):
    xlsx = forms.FileField(label=_("XLSX file"))


class NoticeForm(forms.Form):
    notice = forms.CharField(label=_("Written notice with reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class ConclusionForm(forms.Form):
    positive = forms.TypedChoiceField(label=_("Conclusion"), coerce=lambda v: v == "1",
                                      choices=[("1", _("Positive")), ("0", _("Negative"))])
    text = forms.CharField(label=_("Text of the conclusion"), widget=forms.Textarea(attrs={"rows": 6}))


class DeclarationForm(forms.Form):
    conflicted = forms.BooleanField(label=_("I have a conflict of interest with this application"), required=False)
    text = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class Stage1DecisionForm(forms.Form):
    minimum_score = forms.DecimalField(label=_("Minimum score for stage 2 (§24)"), max_digits=8, decimal_places=2)
    meeting_on = forms.DateField(label=_("Commission meeting"), widget=DateInput)
    protocol_on = forms.DateField(label=_("Protocol signed (§25)"), widget=DateInput)
    stage2_intake_closes = forms.DateField(label=_("Deadline for strategies and roadmaps (§26)"), widget=DateInput)
