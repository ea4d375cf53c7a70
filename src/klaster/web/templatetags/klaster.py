"""Template helpers: localized names with a visible fallback, money and numbers per language."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from klaster.common.money import Money, format_number

register = template.Library()

LANG_NAMES = {"kk": "қазақша", "ru": "по-русски", "en": "in English"}


@register.simple_tag
def lname(obj):
    """The object's name in the active language; a fallback to another language is marked visibly
    (``<span class="fallback" lang=..>`` with a title saying which language is shown)."""
    lang = (get_language() or "ru")[:2]
    name, got = obj.localized(lang)
    if got == lang:
        return name
    return format_html('<span class="fallback" lang="{}" title="{}">{}</span>', got, f"[{got}]", name)


@register.filter
def num(value, decimals=None):
    """Format a number with the active language's separators (kk/ru ``1 234,5``; en ``1,234.5``)."""
    if value is None or value == "":
        return "—"
    from decimal import Decimal

    if isinstance(value, float):
        value = Decimal(repr(value))
    return format_number(value, (get_language() or "ru")[:2], decimals=None if decimals in (None, "") else int(decimals), nbsp=True)


@register.filter
def money(value, decimals=None):
    """Format a :class:`Money` with its unit in the active language."""
    if value is None:
        return "—"
    if not isinstance(value, Money):
        value = Money(value)
    return value.format((get_language() or "ru")[:2], decimals=None if decimals in (None, "") else int(decimals), nbsp=True)
