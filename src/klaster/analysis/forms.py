"""Forms of the analysts' pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klaster.analysis.services import IO_TABLES, METHODOLOGIES


class MapForm(forms.Form):
    SOURCES = [("kz-bns-gva", _("Kazakhstan: BNS gross value added by region × OKED section (mln KZT)")),
               ("us-cmp2016", _("United States: Cluster Mapping Project 2016, states × clusters")),
               ("upload", _("Upload a tidy panel (CSV or XLSX)"))]
    FRAMES = [("2022", _("2022 frame (20 units)")), ("2018", _("2018 frame (17 units)")), ("2017", _("2017 frame (16 units)"))]

    source = forms.ChoiceField(label=_("Dataset"), choices=SOURCES, initial="kz-bns-gva", widget=forms.RadioSelect)
    file = forms.FileField(label=_("Panel file"), required=False,
                           help_text=_("Columns region, sector, year, measure, value, unit [, status, group]; .csv or .xlsx"))
    frame = forms.ChoiceField(label=_("Territorial frame (Kazakhstan)"), choices=FRAMES, initial="2022")
    methodologies = forms.MultipleChoiceField(label=_("Methodologies"), widget=forms.CheckboxSelectMultiple,
                                              choices=[("cmp", _("U.S. Cluster Mapping (CMP)")),
                                                       ("eco", _("European Cluster Observatory stars (ECO)")),
                                                       ("kz-bn", _("Business Navigator (Kazakhstan)"))], initial=["cmp"])
    measure = forms.CharField(label=_("Measure"), required=False, max_length=60,
                              help_text=_("Blank: gva for Kazakhstan, employment otherwise"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100,
                              help_text=_("Blank: the latest year of the panel"))
    years = forms.CharField(label=_("Years for the over-time tables"), required=False, max_length=40,
                            help_text=_("e.g. 2019:2024 (blank: the main year only)"))
    stability = forms.IntegerField(label=_("Stability replicates"), required=False, min_value=0, max_value=200, initial=0)

    def clean_years(self):
        v = (self.cleaned_data.get("years") or "").strip()
        if not v:
            return []
        out: list[int] = []
        for part in v.split(","):
            a, _sep, b = part.strip().partition(":")
            try:
                out.extend(range(int(a), int(b) + 1) if b else [int(a)])
            except ValueError:
                raise forms.ValidationError(_("%(part)s is not a year or a range like 2014:2024") % {"part": part}) from None
        if len(out) > 30:
            raise forms.ValidationError(_("at most 30 years"))
        return sorted(set(out))

    def clean(self):
        d = super().clean()
        if d.get("source") == "upload" and not d.get("file"):
            self.add_error("file", _("Choose a file to upload."))
        return d


def io_table_choices(uploads) -> list[tuple[str, str]]:
    return [(k, v) for k, v in IO_TABLES.items()] + [(f"run-{r.pk}", f"{r.upload_name} (#{r.pk})") for r in uploads]


class IOUploadForm(forms.Form):
    file = forms.FileField(label=_("Input-output table"),
                           help_text=_("Industry-by-industry block first (same labels on rows and columns), then output, compensation, GVA rows and final-demand columns; .csv or .xlsx"))
    household_income = forms.FloatField(label=_("Total household income (Type II divisor, in the table's unit)"), required=False, min_value=0)
    check = forms.BooleanField(label=_("Check that rows balance"), required=False, initial=True)


class ImpactForm(forms.Form):
    ROWS = 5
    table = forms.ChoiceField(label=_("Table"))
    type = forms.ChoiceField(label=_("Model"), choices=[("I", _("Type I (open model)")), ("II", _("Type II (households closed)"))])

    def __init__(self, *args, table_choices=(), sectors=(), **kw):
        super().__init__(*args, **kw)
        self.fields["table"].choices = list(table_choices)
        sec = [("", "—")] + list(sectors)
        for i in range(self.ROWS):
            self.fields[f"sector_{i}"] = forms.ChoiceField(label=_("Sector"), choices=sec, required=False)
            self.fields[f"amount_{i}"] = forms.FloatField(label=_("Amount"), required=False)

    def rows(self):
        return [(self[f"sector_{i}"], self[f"amount_{i}"]) for i in range(self.ROWS)]

    def clean(self):
        d = super().clean()
        dy = {}
        for i in range(self.ROWS):
            s, a = d.get(f"sector_{i}"), d.get(f"amount_{i}")
            if s and a is None:
                self.add_error(f"amount_{i}", _("Give the amount for this sector."))
            elif s and a:
                dy[s] = dy.get(s, 0.0) + a
        if not dy and not self.errors:
            raise forms.ValidationError(_("Give at least one sector and a non-zero amount."))
        d["delta_y"] = dy
        return d


class RegionaliseForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=[("slq", "SLQ"), ("cilq", "CILQ"), ("flq", "FLQ"), ("aflq", "AFLQ")], initial="flq")
    delta = forms.FloatField(label=_("δ (FLQ, AFLQ)"), required=False, min_value=0, max_value=0.99, initial=0.2)

    def clean(self):
        d = super().clean()
        if d.get("method") in ("flq", "aflq") and d.get("delta") is None:
            self.add_error("delta", _("FLQ and AFLQ need δ (typically 0.2–0.3)."))
        return d


__all__ = ["MapForm", "IOUploadForm", "ImpactForm", "RegionaliseForm", "io_table_choices", "METHODOLOGIES"]
