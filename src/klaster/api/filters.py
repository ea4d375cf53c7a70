"""Filters of the API lists (django-filter), every value through a bounded form field.

A malformed value (an unknown state, ``year=1e30``, a 30-digit id) is answered 400 with
``{"<parameter>": ["<error>"]}`` — never a server error, never a silent empty list.
"""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from klaster.common import forms as kf
from klaster.common.calendar import MIN_YEAR
from klaster.common.dates import MAX_YEAR
from klaster.support.models import Status


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.Filter):
    """A row id, 1 … 2⁶³−1 (:class:`klaster.common.forms.IdField`, shown as a number)."""

    field_class = kf.IdField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.NumberInput)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR})
class YearFilter(django_filters.Filter):
    """A year within the calendar's years."""

    field_class = kf.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


#: The states of a competition the public sees (codes; drafts are never listed).
COMPETITION_STATES = [(k, k) for k in ("stage1_intake", "stage1_admission", "stage1_review", "stage1_commission", "stage2_intake", "stage2_admission",
                                       "stage2_review", "stage2_commission", "decided", "published", "failed", "rerun_announced")]
#: The states of an application (codes).
APPLICATION_STATES = [(k, k) for k in ("draft", "submitted", "refused_late", "withdrawn", "admitted", "returned", "under_review", "passed",
                                       "below_threshold", "winner", "not_selected")]


class CompetitionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=COMPETITION_STATES, label="state", help_text="state code")
    year = YearFilter(field_name="announced_on", lookup_expr="year", label="year", help_text="year of the announcement (1992–2100)")


class ResultFilter(django_filters.FilterSet):
    competition = IdFilter(field_name="competition_id", label="competition", help_text="competition id")


class ApplicationFilter(django_filters.FilterSet):
    competition = IdFilter(field_name="competition_id", label="competition", help_text="competition id")
    stage = django_filters.TypedChoiceFilter(choices=[("1", "1"), ("2", "2")], coerce=int, label="stage", help_text="stage of the competition")
    state = django_filters.ChoiceFilter(choices=APPLICATION_STATES, label="state", help_text="state code")


class SupportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=[(k, k) for k in Status.values], label="status", help_text="status code")
    component = django_filters.CharFilter(max_length=5, label="component", help_text="instrument component, e.g. 3a")


class YearForm(forms.Form):
    """``?year=`` of a programme's indicators (optional)."""

    year = kf.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
