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


# ---------------------------------------------------------------- the design system (docs/ui.md)
# The navigation of the header, per role: (label, URL, roles that see it; empty = everyone). The
# workspaces come first; the public pages after them. One list, so that the header, the landing
# page's tests and docs/ui.md agree.
def _nav():
    from django.utils.translation import gettext_lazy as _

    return [
        (_("My work"), "/me/", {"*"}),
        (_("Competitions: dashboard"), "/competition/organizer/", {"organizer"}),
        (_("Expert workspace"), "/competition/expert/", {"expert"}),
        (_("Conclusions"), "/competition/conclusions/", {"akimat", "authorized_body", "regional_body"}),
        (_("My applications"), "/competition/my/", {"applicant"}),
        (_("Competitions"), "/competition/", set()),
        (_("Register of clusters"), "/register/", set()),
        (_("Programmes"), "/programmes/", {"organizer", "applicant", "analyst"}),
        (_("Support"), "/support/", {"organizer", "applicant"}),
        (_("Analysis"), "/analysis/", {"analyst", "organizer"}),
        (_("Regions"), "/regions/", set()),
        (_("OKED"), "/oked/", set()),
        (_("Exports"), "/exports/", {"*"}),
        (_("Administration"), "/admin/", {"administrator"}),
    ]


def nav_for(roles, path: str = "") -> list[tuple[str, str, bool]]:
    """The header's navigation for a user holding ``roles`` (role codes; empty = the public):
    ``[(label, url, current)]``; ``current`` marks the longest URL that prefixes ``path``."""
    items = [(label, url) for label, url, who in _nav()
             if not who or ("*" in who and roles) or (who & set(roles))]
    best = max((url for _l, url in items if url != "/" and path.startswith(url)), key=len, default=None)
    return [(label, url, url == best) for label, url in items]


@register.simple_tag(takes_context=True)
def nav_items(context):
    """:func:`nav_for` of the request's user and path (``user_roles`` from the context processor)."""
    request = context.get("request")
    return nav_for(context.get("user_roles") or (), getattr(request, "path", "") or "")


@register.simple_tag(takes_context=True)
def role_names(context) -> str:
    """The translated labels of the user's roles, joined with ", " (header)."""
    from klaster.accounts.roles import Role

    held = context.get("user_roles") or ()
    return ", ".join(str(r.label) for r in Role if r.value in held)


# Status → colour of a GOV.UK tag. The state codes of every app fall in one of these groups; an
# unknown state is grey (neutral), never an error.
_TAG_COLOURS = (
    ("red", ("overdue", "refused", "rejected", "excluded", "withdrawn", "failed", "error", "late", "not_admitted",
             "returned", "alert", "exceeded", "cancelled")),
    ("green", ("included", "admitted", "approved", "winner", "done", "met", "paid", "signed", "issued", "completed",
               "recorded", "scored", "ok", "success", "active", "published", "agreement", "passed")),
    ("yellow", ("due", "due_soon", "pending", "waiting", "clarification", "on_review", "review", "warning", "incomplete")),
    ("blue", ("submitted", "registered", "in_progress", "running", "queued", "assigned", "open", "announced", "info", "complete")),
)


@register.filter
def tag_colour(status) -> str:
    """The GOV.UK tag modifier for a state code (``govuk-tag--red`` …; ``govuk-tag--grey`` when
    unknown). Matching is on the code's words, so ``stage1_refused`` is red."""
    code = str(status or "").lower()
    words = set(code.replace("-", "_").split("_")) | {code}
    for colour, states in _TAG_COLOURS:
        if words & set(states):
            return f"govuk-tag--{colour}"
    return "govuk-tag--grey"


@register.filter
def banner_kind(tags: str) -> str:
    """The banner modifier of a Django message's tags: ``success`` → green, ``error`` → red,
    ``warning`` → amber, anything else → the default (blue) "important" banner."""
    tags = str(tags or "")
    for kind in ("error", "success", "warning"):
        if kind in tags.split():
            return f"klaster-banner--{kind}"
    return "klaster-banner--info"


@register.filter
def day_text(value) -> str:
    """A date as the active language writes it (:func:`klaster.common.dates.day_text`)."""
    from klaster.common.dates import day_text as _day_text

    return _day_text(value) if value else ""


@register.filter
def labelled(bf):
    """A form field's widget named by its own label (``aria-label``), for cells of a grid whose
    label is the row and column headers rather than a ``<label>`` element (WCAG 2.1 SC 1.3.1,
    4.1.2; axe-core rule ``label``). ``bf`` is a bound field; anything else is returned as is."""
    if not hasattr(bf, "as_widget"):
        return bf
    return bf.as_widget(attrs={"aria-label": str(bf.label)})


@register.filter
def tr(value) -> str:
    """A text of the regulation data in the active language: ``value`` is a mapping
    ``{"kk": …, "ru": …, "en": …}`` (an instrument's or a document's name, a clause's text); the
    English text when the language has none; ``""`` for None; anything else as ``str``."""
    from django.utils.translation import get_language

    if value is None:
        return ""
    if hasattr(value, "get"):
        return value.get((get_language() or "ru")[:2]) or value.get("en") or ""
    return str(value)
