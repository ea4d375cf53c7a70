"""Forms of the organizer (programme, key project, financing, counter-obligation) and of the
cluster association (quarterly report). Shares of a project are never typed: the direction is
chosen from the regulation data and the domain computes them.

Every value goes through the bounded fields of :mod:`klaster.common.forms`: numbers typed with
the decimal comma in kk/ru (``17 000,5``), bounded by the model's ``max_digits`` and
``decimal_places``; amounts (costs, financing, counter-obligations in money or counts) ≥ 0
(:func:`klaster.engine.programmes.monitoring.is_signed`); years within the calendar's
(:data:`klaster.common.calendar.MIN_YEAR` – :data:`klaster.common.dates.MAX_YEAR`). Edit forms carry
the version of the record they show (:mod:`klaster.common.locking`).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.common.calendar import MIN_YEAR
from klaster.common.dates import MAX_YEAR
from klaster.common.forms import AmountField, DayField, DecimalField, IdField, IntegerField, RecordedDayForm, VersionField
from klaster.engine.programmes import cofinancing, monitoring
from klaster.programmes.models import STATE_SOURCES, FundingSource, ObligationKind
from klaster.register.i18n import unit_label

#: Bounds of every year a programme form takes (PositiveSmallIntegerField columns).
YEAR = {"min_value": MIN_YEAR, "max_value": MAX_YEAR}
#: max_digits, decimal_places of the money columns of a key project and its financing (mln tenge).
MONEY = {"max_digits": 14, "decimal_places": 1}
#: max_digits, decimal_places of counter-obligation values, targets and actuals.
VALUE = {"max_digits": 18, "decimal_places": 2}
COMMENT_MAX = 2000


def _lang() -> str:
    return (get_language() or "ru")[:2]


class ProgrammeForm(forms.Form):
    cluster = forms.ModelChoiceField(queryset=None, label=_("Cluster"), help_text=_("clusters in the register without a programme"))
    title_ru = forms.CharField(label=_("title (Russian)"), max_length=300)
    title_kk = forms.CharField(label=_("title (Kazakh)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=300, required=False)
    start_year = IntegerField(label=_("first year"), **YEAR)
    end_year = IntegerField(label=_("last year"), **YEAR)
    source = forms.CharField(label=_("source"), max_length=300, required=False)
    version = VersionField()

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        from klaster.register.models import Cluster, ClusterStatus

        if programme is not None:
            del self.fields["cluster"]
        else:
            del self.fields["version"]
            self.fields["cluster"].queryset = Cluster.objects.filter(status=ClusterStatus.INCLUDED, programme__isnull=True).order_by("code")
            self.fields["cluster"].label_from_instance = lambda c: c.localized_name()

    def clean(self):
        data = super().clean()
        s, e = data.get("start_year"), data.get("end_year")
        if s is not None and e is not None and e < s:
            self.add_error("end_year", _("The last year is before the first year."))
        return data

    def programme_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("cluster", "version")}


def direction_choices(doc=None) -> list[tuple[str, str]]:
    """Co-financing directions of the regulation data, labelled with their shares (e.g. 70/30)."""
    lang = _lang()
    out = []
    for code, rule in cofinancing.directions(doc).items():
        st, pa = (int(Decimal(str(rule[k])) * 100) for k in ("state", "participants"))
        out.append((code, f"{rule['name'].get(lang) or rule['name']['en']} ({st}/{pa})"))
    return out


class ProjectForm(forms.Form):
    name_ru = forms.CharField(label=_("name (Russian)"), max_length=400)
    name_kk = forms.CharField(label=_("name (Kazakh)"), max_length=400, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=400, required=False)
    cost = AmountField(label=_("cost, mln tenge"), min_value=Decimal("0.1"), **MONEY)
    direction = forms.ChoiceField(label=_("co-financing direction"), help_text=_("the state's and the participants' shares are computed from the rule of the direction"))
    selected = forms.BooleanField(label=_("selected for co-financing"), required=False, initial=True)
    source = forms.CharField(label=_("source"), max_length=300, required=False)
    version = VersionField()

    def __init__(self, *args, rules_doc=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].choices = direction_choices(rules_doc)
        if not editing:
            del self.fields["version"]

    def project_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FinancingForm(forms.Form):
    """A grid: one amount (mln tenge, ≥ 0) per programme year and funding source; empty = none.
    Carries the version of the key project whose financing it edits."""

    version = VersionField()

    def __init__(self, *args, programme, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(range(programme.start_year, programme.end_year + 1))
        have = {(f.year, f.source): f.amount for f in project.financing.all()}
        for y in self.years:
            for src, label in FundingSource.choices:
                self.fields[f"y{y}_{src}"] = AmountField(label=f"{y}: {label}", required=False, initial=have.get((y, src)), **MONEY)

    @property
    def grid(self):
        return [(y, [self[f"y{y}_{src}"] for src in FundingSource.values]) for y in self.years]

    def amounts(self) -> dict[tuple[int, str], Decimal | None]:
        return {(y, src): self.cleaned_data.get(f"y{y}_{src}") for y in self.years for src in FundingSource.values}


def unit_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The units of a counter-obligation (:data:`klaster.engine.programmes.monitoring.OBLIGATION_UNITS`)
    in the page's language; an older free-text unit of the edited obligation is kept."""
    units = list(monitoring.OBLIGATION_UNITS)
    if current and current not in units:
        units.append(current)
    return [(u, unit_label(u)) for u in units]


class ObligationForm(forms.Form):
    indicator_ru = forms.CharField(label=_("indicator (Russian)"), max_length=300)
    indicator_kk = forms.CharField(label=_("indicator (Kazakh)"), max_length=300, required=False)
    indicator_en = forms.CharField(label=_("indicator (English)"), max_length=300, required=False)
    unit = forms.ChoiceField(label=_("unit"), help_text=_("amounts and counts are never negative; a change (growth) is given in %"))
    base_year = IntegerField(label=_("base year"), **YEAR)
    base_value = DecimalField(label=_("base-year value"), **VALUE)
    higher_is_better = forms.BooleanField(label=_("higher is better"), required=False, initial=True)
    kind = forms.ChoiceField(label=_("kind of obligation"), choices=ObligationKind.choices, initial=ObligationKind.OTHER, required=False,
                             help_text=_("new products, new markets, labour productivity, jobs, exports… (seeds 000, 003)"))
    participant = forms.ModelChoiceField(label=_("participant"), queryset=None, required=False,
                                         help_text=_("leave empty for an obligation of the cluster's participants together"))
    source = forms.CharField(label=_("source"), max_length=300, required=False, help_text=_("where the base value and the targets come from"))
    version = VersionField()
    PERIODS = ((1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4")), (None, _("year")))
    HEAD = ("indicator_ru", "indicator_kk", "indicator_en", "kind", "participant", "unit", "base_year", "base_value", "higher_is_better", "source")

    def __init__(self, *args, programme, obligation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(range(programme.start_year, programme.end_year + 1))
        self.fields["unit"].choices = unit_choices(obligation.unit if obligation else None)
        from klaster.register.models import Participant

        self.fields["participant"].queryset = Participant.objects.filter(memberships__cluster=programme.cluster).distinct().order_by("name")
        if obligation is None:
            del self.fields["version"]
        have = {(t.year, t.quarter): t.value for t in obligation.targets.all()} if obligation else {}
        for y in self.years:
            for q, label in self.PERIODS:
                self.fields[self._name(y, q)] = DecimalField(label=f"{y} {label}", required=False, initial=have.get((y, q)), **VALUE)

    @property
    def head_fields(self):
        return [self[k] for k in self.HEAD]

    @staticmethod
    def _name(y, q) -> str:
        return f"t{y}_{'y' if q is None else f'q{q}'}"

    @property
    def grid(self):
        return [(y, [self[self._name(y, q)] for q, _label in self.PERIODS]) for y in self.years]

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit and not monitoring.is_signed(unit):
            for name in ["base_value", *(self._name(y, q) for y in self.years for q, _label in self.PERIODS)]:
                v = data.get(name)
                if v is not None and v < 0:
                    self.add_error(name, _("An amount or a count is not negative (the unit is %(unit)s).") % {"unit": unit_label(unit)})
        if not self.targets() and not any(n.startswith("t") for n in self.errors):
            raise forms.ValidationError(_("Give at least one target: a quarter or the year."))
        return data

    def clean_kind(self):
        return self.cleaned_data.get("kind") or ObligationKind.OTHER

    def targets(self) -> dict:
        return {(y, q): self.cleaned_data[self._name(y, q)] for y in self.years for q, _label in self.PERIODS if self.cleaned_data.get(self._name(y, q)) is not None}

    def fields_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.HEAD}


class ReportQueryForm(forms.Form):
    """``?year=&quarter=`` of the report page: the quarter to show (and to re-submit)."""

    year = IntegerField(**YEAR)
    quarter = IntegerField(min_value=1, max_value=4)


class ReportForm(forms.Form):
    """The quarterly report: year, quarter, an actual per counter-obligation (≥ 0 unless its unit
    is signed) and a comment. A re-submission of a quarter already reported carries the report
    the page showed (``report``) and its ``version``."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    comment = forms.CharField(label=_("comment"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    report = IdField(required=False)
    version = VersionField(required=False)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in range(programme.start_year, programme.end_year + 1)]
        self.obligations = list(programme.obligations.all())
        for ob in self.obligations:
            bounds = {} if monitoring.is_signed(ob.unit) else {"min_value": Decimal(0)}
            self.fields[f"actual_{ob.pk}"] = DecimalField(label=f"{ob.localized_indicator()}, {unit_label(ob.unit)}", required=False, **VALUE, **bounds)

    @property
    def actual_fields(self):
        return [self[f"actual_{ob.pk}"] for ob in self.obligations]

    def clean(self):
        data = super().clean()
        if not self.actuals() and not any(n.startswith("actual_") for n in self.errors):
            raise forms.ValidationError(_("Give the actual value of at least one counter-obligation."))
        return data

    def actuals(self) -> dict:
        return {ob: self.cleaned_data[f"actual_{ob.pk}"] for ob in self.obligations if self.cleaned_data.get(f"actual_{ob.pk}") is not None}


class PaymentForm(RecordedDayForm):
    """A payment of the state's share of a key project: its day (not in the future; the reason
    when earlier than today), the budget it comes from, the amount (mln tenge, > 0) and a note."""

    on = DayField(label=_("paid on"), required=False, help_text=_("leave empty for today"))
    source = forms.ChoiceField(label=_("source"), choices=[(s.value, s.label) for s in STATE_SOURCES])
    amount = AmountField(label=_("amount, mln tenge"), min_value=Decimal("0.1"), **MONEY)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class QuarterForm(forms.Form):
    """``?year=&quarter=`` of the consolidated report (default: the last quarter that has ended)
    and ``lang`` of its documents (kk or ru; default the page's)."""

    year = IntegerField(label=_("Year"), required=False, **YEAR)
    quarter = IntegerField(label=_("Quarter"), min_value=1, max_value=4, required=False)
    lang = forms.ChoiceField(choices=[("kk", "қазақша"), ("ru", "русский"), ("en", "English")], required=False)

    def period(self, today) -> tuple[int, int]:
        """The quarter asked for; the last ended quarter when none or malformed."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("year") and self.cleaned_data.get("quarter"):
            return self.cleaned_data["year"], self.cleaned_data["quarter"]
        q = (today.month - 1) // 3  # the quarter before the current one
        return (today.year, q) if q else (today.year - 1, 4)


class BudgetYearForm(forms.Form):
    """``?year=`` of the budget execution page (default this year)."""

    year = IntegerField(label=_("Year"), required=False, **YEAR)
