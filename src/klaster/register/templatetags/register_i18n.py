"""Template filters of the register, programmes and support pages for words that come from data
(units, clause references, source references, regulation pins), shown in the active language.

``{% load register_i18n %}`` then ``{{ ob.unit|unit }}``, ``{{ f.clause|clause }}``,
``{{ pr.source|source }}``, ``{{ a.regulation_pin|regulation }}``.
"""

from __future__ import annotations

from django import template

from klaster.register import i18n

register = template.Library()


@register.filter
def unit(value):
    """A unit of measure (``mln tenge``, ``persons``, ``%``…) in the active language."""
    return i18n.unit_label(value)


@register.filter
def clause(value):
    """A clause reference (``Programme §5.3, instrument 7``, ``Criteria 1.1``) as the language writes it."""
    return i18n.clause_in(value)


@register.filter
def source(value):
    """A source reference ``seed 003, line 349`` in the active language."""
    return i18n.source_in(value)


@register.filter
def regulation(pin):
    """A pinned regulation (``{"id", "version", "sha256"}``) as its title in the active language and version."""
    return i18n.regulation_label(pin)


@register.filter
def isoday(value):
    """An ISO day (``2026-12-05``, as JSON keeps it) written the page language's way (05.12.2026)."""
    import datetime as dt

    from klaster.common.dates import day_text

    try:
        return day_text(dt.date.fromisoformat(str(value)))
    except ValueError:
        return value
