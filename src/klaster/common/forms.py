"""Form fields with bounds: nothing a user sends reaches the code unparsed.

Every view reads GET and POST data through a Django form built from these fields (or Django's
own choice, boolean and text fields), so a malformed value is a form error — never a server
error, never a silent zero:

* :class:`DecimalField` / :class:`AmountField` — numbers as people type them in the page's
  language (:func:`klaster.common.money.parse_decimal`: ``17000,5`` and ``17 000,5`` in kk/ru),
  bounded by ``max_digits``/``decimal_places`` (the model's), amounts ≥ 0;
* :class:`IntegerField` — bounded by default to what every database stores;
* :class:`IdField` — a row id (1 … 2⁶³−1) as posted by a select or a hidden input;
* :class:`DayField` — a date within the calendar's years (ISO ``2026-12-04`` or ``04.12.2026``);
* :class:`VersionField` — the hidden version of an edited record (optimistic locking,
  :mod:`klaster.common.locking`);
* :class:`RecordedDayForm` — the day an act happened, not in the future, with the reason when
  it is earlier than today (:mod:`klaster.common.dates`), and warnings for days off.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.common import dates
from klaster.common.calendar import MIN_YEAR
from klaster.common.money import MoneyError, parse_decimal

#: Bounds every supported database stores in an integer column.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def _lang() -> str:
    return (get_language() or "ru")[:2]


class DecimalField(forms.DecimalField):
    """A decimal number typed in the page's language; bounded digits.

    ``max_digits`` and ``decimal_places`` are required (use the model field's) so that nothing
    reaches the database that it cannot store (``1e30`` is a form error, not an overflow).
    Rendered as a text input with ``inputmode="decimal"`` (a browser's number input refuses the
    decimal comma).
    """

    widget = forms.TextInput

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            d = value
        else:
            if len(str(value)) > 60:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            try:
                d = parse_decimal(str(value), _lang())
            except MoneyError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return d

    def prepare_value(self, value):
        if isinstance(value, Decimal) and _lang() != "en":
            return format(value, "f").replace(".", ",")
        return value


class AmountField(DecimalField):
    """An amount the law means as a quantity (costs, production, money): ≥ 0 by default."""

    def __init__(self, *, min_value=Decimal(0), **kwargs):
        super().__init__(min_value=min_value, **kwargs)


class IntegerField(forms.IntegerField):
    """An integer bounded by default to a 32-bit column (0 … 2³¹−1); pass tighter bounds."""

    def __init__(self, *, min_value: int = 0, max_value: int = INT32_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 20:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdField(IntegerField):
    """A row id posted by a select or a hidden input: 1 … 2⁶³−1."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(**kwargs)


class VersionField(IntegerField):
    """The version of the edited record when the page was loaded (hidden)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class DayField(forms.DateField):
    """A date within the calendar's years (:data:`MIN_YEAR` … :data:`klaster.common.dates.MAX_YEAR`).

    Accepts ISO ``2026-12-04`` (what a date input sends) and ``04.12.2026`` (what kk/ru users type).
    """

    widget = DateInput
    input_formats = ["%Y-%m-%d", "%d.%m.%Y"]

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 30:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and not (MIN_YEAR <= value.year <= dates.MAX_YEAR):
            raise ValidationError(_("Give a date between %(min)s and %(max)s."), code="range",
                                  params={"min": MIN_YEAR, "max": dates.MAX_YEAR})


class RecordedDayForm(forms.Form):
    """The day an act happened (default today) and, when earlier than today, why it is recorded
    only now. A day in the future is a form error; a weekend or holiday is a warning
    (:attr:`warnings`, translatable refusals) shown beside the success message.

    The domain re-checks the day against the events it follows
    (:func:`klaster.common.dates.check_recorded_day`). ``today=`` overrides the site's today
    (a module whose clock tests move).
    """

    on = DayField(label=_("Date of the act"), required=False, help_text=_("leave empty for today"))
    reason = forms.CharField(label=_("Reason for recording it later"), required=False, max_length=500,
                             widget=forms.TextInput(attrs={"size": 40}))

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.warnings = []

    def clean(self):
        data = super().clean()
        self.warnings = []
        now = self.today or dates.today()
        day = data.get("on")
        if "on" in self.errors:
            return data
        if day is None:
            data["on"] = day = now
        if day > now:
            self.add_error("on", _("%(day)s is in the future; record an act on or after the day it happens.") % {"day": dates.day_text(day)})
        elif day < now and not (data.get("reason") or "").strip():
            self.add_error("reason", _("The act is dated earlier than today: give the reason why it is recorded only now."))
        else:
            self.warnings = dates.day_warnings(day)
        return data


def errors_text(form: forms.Form) -> list[str]:
    """Each error of a bound form as ``label: message`` (non-field errors as they are)."""
    out = []
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for e in errs:
            out.append(f"{label}: {e}" if label else str(e))
    return out
