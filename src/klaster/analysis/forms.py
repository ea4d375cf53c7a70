"""Forms of the analysts' pages: every GET/POST value of every analysis view goes through one.

Numbers are bounded (:mod:`klaster.common.forms`: amounts typed with a decimal comma in kk/ru,
``1e30``/``NaN``/``inf`` refused), choices come from the data being shown (years, methodologies,
regions, sectors and flags of the run), file names are bounded by the model's column. A
malformed value is a form error shown on the page (or a 404 for an unknown run / table).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from klaster.analysis.services import IO_TABLES, METHODOLOGIES
from klaster.common.forms import AmountField, DecimalField, IntegerField

#: Years a panel may have (a technical bound of the form, not a rule of law).
YEAR_MIN, YEAR_MAX = 1900, 2100
#: Most years of the over-time tables.
MAX_YEARS = 30
#: Largest page number of the flags table (200 rows a page).
MAX_PAGE = 100_000
#: Length of ``AnalysisRun.upload_name``.
NAME_MAX = 255
EXPORT_FORMATS = [("csv", "CSV"), ("xlsx", "XLSX")]
OPTIONAL_FORMAT = [("", "—"), *EXPORT_FORMATS]
IO_KEY = re.compile(r"run-([1-9][0-9]{0,17})")


class GovukMixin:
    """Gives the widgets of a form the GOV.UK Frontend classes (``govuk-input``, ``govuk-select``,
    ``govuk-file-upload``); rendered by ``analysis/_field.html``."""

    CLASSES = {forms.Select: "govuk-select", forms.FileInput: "govuk-file-upload", forms.ClearableFileInput: "govuk-file-upload",
               forms.TextInput: "govuk-input", forms.NumberInput: "govuk-input"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.govuk()

    def govuk(self) -> None:
        """Set the classes of the widgets of :attr:`fields` (call again after adding fields)."""
        for field in self.fields.values():
            cls = next((c for t, c in self.CLASSES.items() if type(field.widget) is t), None)
            if cls:
                field.widget.attrs["class"] = cls + (" govuk-input--width-10" if cls == "govuk-input" else "")


class MapForm(GovukMixin, forms.Form):
    SOURCES = [("kz-bns-gva", _("Kazakhstan: BNS gross value added by region × OKED section (mln KZT)")),
               ("us-cmp2016", _("United States: Cluster Mapping Project 2016, states × clusters")),
               ("upload", _("Upload a tidy panel (CSV or XLSX)"))]
    FRAMES = [("2022", _("2022 frame (20 units)")), ("2018", _("2018 frame (17 units)")), ("2017", _("2017 frame (16 units)"))]

    source = forms.ChoiceField(label=_("Dataset"), choices=SOURCES, initial="kz-bns-gva", widget=forms.RadioSelect)
    #: the hints of file, measure and lq_base name machine columns and values as code: analysis/map_form.html
    file = forms.FileField(label=_("Panel file"), required=False, max_length=NAME_MAX)
    frame = forms.ChoiceField(label=_("Territorial frame (Kazakhstan)"), choices=FRAMES, initial="2022")
    methodologies = forms.MultipleChoiceField(label=_("Methodologies"), widget=forms.CheckboxSelectMultiple,
                                              choices=[("cmp", _("U.S. Cluster Mapping (CMP)")),
                                                       ("eco", _("European Cluster Observatory stars (ECO)")),
                                                       ("kz-bn", _("Business Navigator (Kazakhstan)"))], initial=["cmp"])
    measure = forms.CharField(label=_("Measure"), required=False, max_length=60)
    year = IntegerField(label=_("Year"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
                        help_text=_("Blank: the latest year of the panel"))
    years = forms.CharField(label=_("Years for the over-time tables"), required=False, max_length=40,
                            help_text=_("e.g. 2019:2024 (blank: the main year only)"))
    stability = IntegerField(label=_("Stability replicates"), required=False, min_value=0, max_value=200, initial=0)
    lq_base = forms.ChoiceField(
        label=_("Base of the location quotient"), required=False, initial="",
        choices=[("", _("As the methodology says (CMP: the sector's traded or local group)")),
                 ("all", _("All activities (a stated deviation from CMP)"))],
    )

    def clean_years(self) -> list[int]:
        """``2019:2024`` or ``2014, 2016:2018`` → sorted years, each within YEAR_MIN…YEAR_MAX, at most MAX_YEARS."""
        v = (self.cleaned_data.get("years") or "").strip()
        if not v:
            return []
        out: set[int] = set()
        for part in v.split(","):
            m = re.fullmatch(r"\s*([0-9]{4})\s*(?::\s*([0-9]{4})\s*)?", part)
            if not m:
                raise forms.ValidationError(_("%(part)s is not a year or a range like 2014:2024") % {"part": part.strip()})
            a, b = int(m.group(1)), int(m.group(2) or m.group(1))
            if not (YEAR_MIN <= a <= YEAR_MAX and YEAR_MIN <= b <= YEAR_MAX):
                raise forms.ValidationError(_("years are between %(min)s and %(max)s") % {"min": YEAR_MIN, "max": YEAR_MAX})
            if b < a:
                raise forms.ValidationError(_("%(part)s: the range ends before it starts") % {"part": part.strip()})
            if b - a + 1 > MAX_YEARS:
                raise forms.ValidationError(_("at most 30 years"))
            out.update(range(a, b + 1))
            if len(out) > MAX_YEARS:
                raise forms.ValidationError(_("at most 30 years"))
        return sorted(out)

    def clean(self):
        d = super().clean()
        if d.get("source") == "upload" and not d.get("file"):
            self.add_error("file", _("Choose a file to upload."))
        return d


def _choices(values, labels=None) -> list[tuple[str, str]]:
    labels = labels or {}
    return [("", "")] + [(str(v), labels.get(v, str(v))) for v in values]


class RunFilterForm(forms.Form):
    """Filters of a run's flags table (GET); the choices are the run's own values.

    ``year`` blank = the run's main year; ``page`` must exist (checked by the view against the
    number of pages).
    """

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    methodology = forms.ChoiceField(label=_("Methodology"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    flag = forms.ChoiceField(label=_("Flag"), required=False)
    page = IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, data, *, years=(), methodologies=(), regions=(), sectors=(), flags=()):
        super().__init__(data)
        self.fields["year"].choices = _choices(years)
        self.fields["methodology"].choices = _choices(methodologies)
        self.fields["region"].choices = _choices(regions)
        self.fields["sector"].choices = _choices(sectors)
        self.fields["flag"].choices = _choices(flags)

    def filters(self) -> dict[str, str]:
        """The cleaned text filters (``methodology``, ``region``, ``sector``, ``flag``; ``""`` = all)."""
        return {k: self.cleaned_data.get(k) or "" for k in ("methodology", "region", "sector", "flag")}


class RunExportForm(RunFilterForm):
    """The filters of the flags table plus the file format (the ``flags.<fmt>`` of the URL)."""

    fmt = forms.ChoiceField(label=_("Format"), choices=EXPORT_FORMATS)


class RunFileForm(forms.Form):
    """The name of one of a run's output tables (``indicators.xlsx``, ``comparison.csv`` …)."""

    name = forms.RegexField(regex=r"^[a-z_]{1,60}\.(csv|xlsx)$", max_length=70)


def io_table_choices(uploads) -> list[tuple[str, str]]:
    """Choices of the I-O table selects: the built-in tables (titles in the user's language,
    :func:`klaster.analysis.labels.table_label`) and the user's uploaded tables (``run-<id>``)."""
    from klaster.analysis.labels import table_label

    return [(k, table_label(k)) for k in IO_TABLES] + [(f"run-{r.pk}", f"{r.upload_name} (#{r.pk})") for r in uploads]


class IOTableKeyField(forms.CharField):
    """A built-in table id (``scotland-2019``, ``uk-2019``) or ``run-<id>`` of an uploaded table.

    Whether the run exists and may be read is the view's check (404 / 403).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value not in IO_TABLES and not IO_KEY.fullmatch(value):
            raise forms.ValidationError(_("%(value)s is not a table of this page") % {"value": value[:30]}, code="invalid")


class IOViewForm(GovukMixin, forms.Form):
    """The multipliers page (GET): table, model type and an optional export format."""

    table = IOTableKeyField(label=_("Table"))
    type = forms.ChoiceField(label=_("Model"), required=False,
                             choices=[("", ""), ("I", _("Type I (open model)")), ("II", _("Type II (households closed)"))])
    format = forms.ChoiceField(label=_("Format"), required=False, choices=OPTIONAL_FORMAT)


class IOTableSelectForm(forms.Form):
    """The table of the impact page (GET or POST)."""

    table = IOTableKeyField(label=_("Table"))


class IOUploadForm(GovukMixin, forms.Form):
    file = forms.FileField(label=_("Input-output table"), max_length=NAME_MAX,
                           help_text=_("Industry-by-industry block first (same labels on rows and columns), then output, compensation, GVA rows and final-demand columns; .csv or .xlsx"))
    household_income = AmountField(label=_("Total household income (Type II divisor, in the table's unit)"), required=False,
                                   max_digits=20, decimal_places=6)
    check = forms.BooleanField(label=_("Check that rows balance"), required=False, initial=True)


class ImpactForm(GovukMixin, forms.Form):
    """Up to :attr:`ROWS` sectors with a final-demand change each (in the table's unit; a
    decrease is negative). ``cleaned_data["delta_y"]`` is ``{sector: float}``."""

    ROWS = 5
    table = forms.ChoiceField(label=_("Table"))
    type = forms.ChoiceField(label=_("Model"), choices=[("I", _("Type I (open model)")), ("II", _("Type II (households closed)"))])
    export = forms.ChoiceField(label=_("Format"), required=False, choices=OPTIONAL_FORMAT)

    def __init__(self, *args, table_choices=(), sectors=(), **kw):
        super().__init__(*args, **kw)
        self.fields["table"].choices = list(table_choices)
        sec = [("", "—")] + list(sectors)
        for i in range(self.ROWS):
            self.fields[f"sector_{i}"] = forms.ChoiceField(label=_("Sector"), choices=sec, required=False)
            self.fields[f"amount_{i}"] = DecimalField(label=_("Amount"), required=False, max_digits=18, decimal_places=6)
        self.govuk()

    def rows(self):
        return [(self[f"sector_{i}"], self[f"amount_{i}"]) for i in range(self.ROWS)]

    def clean(self):
        d = super().clean()
        dy: dict[str, Decimal] = {}
        for i in range(self.ROWS):
            if f"amount_{i}" in self.errors or f"sector_{i}" in self.errors:
                continue
            s, a = d.get(f"sector_{i}"), d.get(f"amount_{i}")
            if s and a is None:
                self.add_error(f"amount_{i}", _("Give the amount for this sector."))
            elif a is not None and not s:
                self.add_error(f"sector_{i}", _("Choose the sector of this amount."))
            elif s and a:
                dy[s] = dy.get(s, Decimal(0)) + a
        if not dy and not self.errors:
            raise forms.ValidationError(_("Give at least one sector and a non-zero amount."))
        d["delta_y"] = {s: float(a) for s, a in dy.items()}
        return d


class RegionaliseForm(GovukMixin, forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=[("slq", "SLQ"), ("cilq", "CILQ"), ("flq", "FLQ"), ("aflq", "AFLQ")], initial="flq")
    delta = DecimalField(label=_("δ (FLQ, AFLQ)"), required=False, min_value=Decimal(0), max_value=Decimal("0.99"),
                         max_digits=4, decimal_places=3, initial=Decimal("0.2"))
    format = forms.ChoiceField(label=_("Format"), required=False, choices=OPTIONAL_FORMAT)

    def clean(self):
        d = super().clean()
        if d.get("method") in ("flq", "aflq") and d.get("delta") is None and "delta" not in self.errors:
            self.add_error("delta", _("FLQ and AFLQ need δ (typically 0.2–0.3)."))
        return d


__all__ = ["MapForm", "RunFilterForm", "RunExportForm", "RunFileForm", "IOViewForm", "IOTableSelectForm", "IOUploadForm",
           "ImpactForm", "RegionaliseForm", "io_table_choices", "METHODOLOGIES"]
