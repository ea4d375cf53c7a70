"""Forms of the support pages: every GET and POST value goes through one of them.

Bounds come from the models (``CostLine.amount``: 16 digits, 2 decimals; text lengths) and from
the regulation data (components, cost kinds, declarations, documents, executor kinds of the
instrument): a malformed or unknown value is a form error shown on the page, never a server
error, never a silent zero. Numbers are read as people type them in kk/ru/en
(:class:`klaster.common.forms.AmountField`: ``17000,5``, ``17 000,5``); dates with
:class:`klaster.common.forms.DayField`; the operator's acts with
:class:`klaster.common.forms.RecordedDayForm` (not in the future; the reason when back-dated).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klaster.common import dates
from klaster.common.forms import AmountField, DayField, IdField, IntegerField, RecordedDayForm, VersionField
from klaster.reference.codes import normalize_oked
from klaster.support.i18n import COST_KINDS, EXECUTOR_KINDS
from klaster.support.models import Agreement, CostLine

_AMOUNT = CostLine._meta.get_field("amount")
#: Most cost rows one application form takes (a technical bound; 15 employees × a few costs).
MAX_COST_ROWS = 60
#: Blank cost rows offered on a new form.
DEFAULT_COST_ROWS = 3
MAX_OKED_CODES = 10


def _not_future(day):
    if day is not None and day > dates.today():
        raise ValidationError(_("%(day)s is in the future.") % {"day": dates.day_text(day)}, code="future")
    return day


class ComponentForm(forms.Form):
    """The instrument component chosen on the new-application page (``?component=5b&rows=5``)."""

    component = forms.ChoiceField(label=_("Instrument"), required=False)
    rows = IntegerField(label=_("Rows for costs"), min_value=1, max_value=MAX_COST_ROWS, required=False)

    def __init__(self, data=None, *, components, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["component"].choices = [(c.id, c.id) for c in components]


class CostForm(forms.Form):
    """One cost line: description, amount in tenge (≥ 0), day incurred, employee or specialist
    (several employees of one contract separated by ``;`` where the instrument splits a group
    contract equally), kind (one of the component's eligible kinds), financed from the budget under
    another programme, and — where only full calendar months are reimbursed — the period of work."""

    description = forms.CharField(label=_("Description"), max_length=CostLine._meta.get_field("description").max_length)
    amount = AmountField(label=_("Amount, tenge"), max_digits=_AMOUNT.max_digits, decimal_places=_AMOUNT.decimal_places)
    incurred_on = DayField(label=_("Incurred on"))
    unit_id = forms.CharField(label=_("Employee or specialist"), max_length=CostLine._meta.get_field("unit_id").max_length, required=False)
    kind = forms.ChoiceField(label=_("Kind"))
    budget_funded = forms.BooleanField(label=_("Financed from the budget under another programme"), required=False)
    period_start = DayField(label=_("Work from"), required=False)
    period_end = DayField(label=_("Work to"), required=False)

    def __init__(self, *args, kinds=(), needs_unit=False, needs_period=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, COST_KINDS.get(k, k)) for k in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0]
        self.needs_unit = needs_unit
        self.needs_period = needs_period
        if not needs_period:
            del self.fields["period_start"]
            del self.fields["period_end"]
        for name in ("description", "unit_id"):
            self.fields[name].widget.attrs.setdefault("size", 30 if name == "description" else 14)
        self.fields["amount"].widget.attrs.setdefault("size", 14)

    def clean_incurred_on(self):
        return _not_future(self.cleaned_data.get("incurred_on"))

    def clean(self):
        data = super().clean()
        if self.needs_unit and data.get("description") and not (data.get("unit_id") or "").strip():
            self.add_error("unit_id", _("This instrument caps the amount per employee or specialist: name them."))
        if self.needs_period and data.get("description"):
            start, end = data.get("period_start"), data.get("period_end")
            if "period_start" not in self.errors and "period_end" not in self.errors:
                if start is None or end is None:
                    self.add_error("period_start", _("Only full calendar months of work are reimbursed: give the period of work this cost pays for."))
                elif end < start:
                    self.add_error("period_end", _("The period of work ends before it starts."))
                elif end > dates.today():
                    self.add_error("period_end", _("%(day)s is in the future.") % {"day": dates.day_text(end)})
        return data


class BaseCostFormSet(forms.BaseFormSet):
    def filled(self) -> list[dict]:
        """The cleaned rows the user filled (blank rows are skipped)."""
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")]

    def check_activity(self, since) -> None:
        """Mark rows incurred before the applicant's activity started (``since``)."""
        if since is None:
            return
        for f in self.forms:
            day = (getattr(f, "cleaned_data", None) or {}).get("incurred_on")
            if day and day < since:
                f.add_error("incurred_on", _("%(day)s is before the applicant's activity started on %(since)s.") % {
                    "day": dates.day_text(day), "since": dates.day_text(since)})


def cost_formset(data=None, *, component, kinds, rows: int | None = None):
    """The cost rows of ``component`` (prefix ``costs``)."""
    extra = rows or DEFAULT_COST_ROWS
    fs = forms.formset_factory(CostForm, formset=BaseCostFormSet, extra=extra, max_num=MAX_COST_ROWS, absolute_max=MAX_COST_ROWS, validate_max=True)
    return fs(data, prefix="costs", form_kwargs={"kinds": tuple(kinds), "needs_unit": component.calculation.per_unit is not None,
                                                 "needs_period": bool(component.calculation.full_months_clause)})


class ApplicationForm(forms.Form):
    """The application for an instrument component: participant, facts, executor, documents.

    ``participants`` is the queryset the user may apply for (:func:`klaster.support.rules.participants_for`).
    The stage of the competition won is not a field: it is read from the register (the wins
    recorded from the competition's records). Leasing (instrument 1) takes the leased asset's
    value, the own cash and the term instead of cost lines.
    """

    component = forms.ChoiceField(widget=forms.HiddenInput)
    participant = IdField(label=_("Participant"))
    procedure = forms.ChoiceField(label=_("Procedure"), required=False)
    oked_codes = forms.CharField(label=_("OKED codes of the activity (comma-separated; default the participant's)"), max_length=200, required=False)
    activity_since = DayField(label=_("Activity since"), required=False)
    size = forms.ChoiceField(label=_("Size"), choices=[("", "—"), ("sme", _("small or medium")), ("large", _("large"))], required=False)
    declarations = forms.MultipleChoiceField(label=_("Declarations"), required=False)
    base_ciw = AmountField(label=_("Construction-and-installation cost, tenge"), max_digits=_AMOUNT.max_digits, decimal_places=_AMOUNT.decimal_places, required=False)
    executor_kind = forms.ChoiceField(label=_("Executor"), required=False)
    executor_years = IntegerField(label=_("years of experience"), min_value=0, max_value=100, required=False)
    executor_projects = IntegerField(label=_("prior projects"), min_value=0, max_value=10_000, required=False)
    executor_projects_expertise = IntegerField(label=_("of them with a positive conclusion of the extra-departmental expertise"), min_value=0, max_value=10_000, required=False)
    executor_licence_required = forms.BooleanField(label=_("the law requires a licence for the executor's services"), required=False)
    executor_has_licence = forms.BooleanField(label=_("the executor has it"), required=False)
    asset_value = AmountField(label=_("Value of the leased asset, tenge"), max_digits=_AMOUNT.max_digits, decimal_places=_AMOUNT.decimal_places, required=False)
    own_cash = AmountField(label=_("Own cash in the project, tenge"), max_digits=_AMOUNT.max_digits, decimal_places=_AMOUNT.decimal_places, required=False)
    term_years = IntegerField(label=_("Term of the leasing, years"), min_value=1, max_value=100, required=False)
    documents = forms.MultipleChoiceField(label=_("Documents"), required=False)

    def __init__(self, data=None, *, component, participants, **kwargs):
        super().__init__(data, **kwargs)
        self.component_obj = component
        self.participants = participants
        self.fields["component"].choices = [(component.id, component.id)]
        self.fields["procedure"].choices = [(p, p) for p in component.procedures]
        self.fields["declarations"].choices = [(r.id, r.id) for r in component.eligibility if r.type == "declaration"]
        self.fields["executor_kind"].choices = [("", "—")] + [(v.kind, EXECUTOR_KINDS.get(v.kind, v.kind)) for v in component.executor_variants]
        self.fields["documents"].choices = [(c, c) for c in (*component.documents_required, *component.documents_conditional)]

    def clean_participant(self):
        pk = self.cleaned_data.get("participant")
        p = self.participants.filter(pk=pk).first() if pk is not None else None
        if p is None:
            raise ValidationError(_("choose a participant you act for"), code="participant")
        return p

    def clean_oked_codes(self):
        text = self.cleaned_data.get("oked_codes") or ""
        codes = [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]
        if len(codes) > MAX_OKED_CODES:
            raise ValidationError(_("At most %(n)s OKED codes.") % {"n": MAX_OKED_CODES}, code="too_many")
        bad = [c for c in codes if not (normalize_oked(c).isdigit() and 2 <= len(normalize_oked(c)) <= 5)]
        if bad:
            raise ValidationError(_("Not OKED codes (2 to 5 digits, e.g. 23.61): %(codes)s") % {"codes": ", ".join(bad)}, code="oked")
        return codes

    def clean_activity_since(self):
        return _not_future(self.cleaned_data.get("activity_since"))

    @property
    def leasing(self) -> bool:
        return self.component_obj.calculation.kind == "leasing"

    def clean(self):
        data = super().clean()
        if data.get("executor_kind") == "" and (data.get("executor_years") is not None or data.get("executor_projects") is not None):
            self.add_error("executor_kind", _("Choose the executor's kind, or leave its experience empty."))
        if self.leasing:
            for name in ("asset_value", "own_cash", "term_years"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Leasing financing: give the value of the asset, the own cash and the term."))
            if data.get("asset_value") is not None and data.get("own_cash") is not None and data["own_cash"] > data["asset_value"]:
                self.add_error("own_cash", _("The own cash exceeds the value of the asset."))
        p, e = data.get("executor_projects"), data.get("executor_projects_expertise")
        if p is not None and e is not None and e > p:
            self.add_error("executor_projects_expertise", _("More projects with a positive expertise than prior projects."))
        return data

    def facts(self) -> dict:
        """The applicant's facts as the application stores them (JSON)."""
        d = self.cleaned_data
        p = d["participant"]
        since = d.get("activity_since")
        out = {
            "oked_codes": d.get("oked_codes") or list(p.oked_codes),
            "activity_since": since.isoformat() if since else None,
            "declarations": {k: True for k in d.get("declarations") or ()},
            "enterprise_size": d.get("size") or p.size,
            "bases": {"construction-installation-cost": str(d["base_ciw"])} if d.get("base_ciw") is not None else {},
        }
        if self.leasing:
            out["leasing"] = {"asset_value": str(d["asset_value"]), "own_cash": str(d["own_cash"]), "term_years": d["term_years"]}
        return out

    def executor(self) -> dict:
        d = self.cleaned_data
        if not d.get("executor_kind"):
            return {}
        return {"kind": d["executor_kind"], "years_experience": d.get("executor_years") or 0, "prior_projects": d.get("executor_projects") or 0,
                "prior_projects_positive_expertise": d.get("executor_projects_expertise") or 0,
                "licence_required": bool(d.get("executor_licence_required")), "has_licence": bool(d.get("executor_has_licence"))}


class UploadForm(forms.Form):
    """A file for one checklist item of a draft or returned application."""

    code = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File"), error_messages={"required": _("Choose a file.")})
    version = VersionField(label=_("Version of the application"))

    def __init__(self, data=None, files=None, *, codes=(), **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["code"].choices = [(c, c) for c in codes]


class VersionForm(forms.Form):
    """An edit that carries only the version of the application its page showed."""

    version = VersionField(label=_("Version of the application"))


class ResubmitForm(forms.Form):
    """The corrected checklist of a returned application, registered again."""

    documents = forms.MultipleChoiceField(label=_("Documents"), required=False)
    version = VersionField(label=_("Version of the application"))

    def __init__(self, data=None, *, codes=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["documents"].choices = [(c, c) for c in codes]


ACTIONS = ("completeness", "expertise", "approve", "refuse", "agreement", "pay", "breach", "refund")


class ActionForm(RecordedDayForm):
    """An act of the programme operator on an application: which act, its day (not in the future;
    the reason when back-dated), reasons / note / target indicator, and the version the page showed."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(label=_("reasons / note / target indicator"), max_length=2000, required=False, widget=forms.TextInput(attrs={"size": 40}))
    version = VersionField(label=_("Version of the application"))

    def clean(self):
        data = super().clean()
        limit = Agreement._meta.get_field("target_indicator").max_length
        if data.get("action") == "agreement" and len(data.get("note") or "") > limit:
            self.add_error("note", _("The target indicator is at most %(n)s characters.") % {"n": limit})
        return data


class PkForm(forms.Form):
    """A row id taken from the URL path (bounded; anything else is 404)."""

    pk = IdField()
