"""Filters of the input-output pages: the library's English headers, validation items,
tolerances, units and regionalisation labels in the user's language (:mod:`klaster.analysis.labels`)."""

from __future__ import annotations

from django import template

from klaster.analysis import labels

register = template.Library()


@register.filter
def io_column(name):
    """A column header of the library (``Output multiplier``) in the active language."""
    return labels.column(str(name))


@register.filter
def io_item(item):
    """A row of the validation table (``Type II Output multiplier``) in the active language."""
    return labels.validation_item(str(item))


@register.filter
def io_tolerance(text):
    """A tolerance (``1e-06 (absolute)``) as a sentence in the active language."""
    return labels.tolerance(str(text))


@register.filter
def io_unit(unit):
    """A table's unit (``£m``) in the active language."""
    return labels.unit(str(unit))


@register.filter
def io_method(label):
    """A row of the regionalisation comparison (``FLQ δ=0.2``, ``UK national …``) in the active language."""
    return labels.method_label(str(label))


@register.filter
def io_group(name):
    """One of the 29 groups of the regionalisation (English name) in the active language."""
    return labels.sector_names(labels.GROUPS).get(str(name), str(name))


@register.filter
def dataset_title(dataset):
    """A run's dataset id (``kz-bns-gva``) as its title in the active language."""
    return labels.dataset_title(str(dataset))


@register.filter
def io_number(value, places=3):
    """A number with ``places`` decimals as the language writes it; a missing one (None, NaN) as «—»."""
    import math

    from django.template.defaultfilters import floatformat

    try:
        if value is None or math.isnan(float(value)):
            return "—"
    except (TypeError, ValueError):
        return value
    return floatformat(value, places)
