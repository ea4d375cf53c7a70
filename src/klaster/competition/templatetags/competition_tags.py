"""Template filters of the competition pages: states, engine messages and clauses in the active
language."""

from __future__ import annotations

from django import template

from klaster.competition import i18n
from klaster.web.templatetags.klaster import tr as _tr

register = template.Library()


@register.filter
def state(value: str) -> str:
    """A competition or application state in the active language."""
    return i18n.state_label(value)


@register.filter
def deadline_state(value: str) -> str:
    """A deadline state (pending, due, overdue, met, late, open, closed) in the active language."""
    return str(i18n.DEADLINE_STATES.get(value, value))


@register.filter
def problem(value) -> str:
    """A package problem of the engine with its clause, in the active language."""
    return i18n.problem_text(value)


@register.filter
def stored(value: str) -> str:
    """Engine messages stored as text (a return notice, an automatic conflict) in the active language."""
    return i18n.stored_text(value or "")


@register.filter
def clause(value: str) -> str:
    """A clause reference as the active language writes it (§13 → 13-тармақ / п. 13)."""
    return i18n.clause_in(value or "")


@register.inclusion_tag("competition/_notifications_link.html", takes_context=True)
def notifications_badge(context):
    """A link to the user's notices (klaster.notices) with the number of unread ones (on the competition pages)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    from klaster.notices.service import unread_for_request

    return {"user": user, "unread": unread_for_request(request)}


@register.filter
def day(value) -> str:
    """A date (or date-time) as users write it: kk/ru ``22.12.2026``, en ``22 Dec 2026``."""
    return i18n.day_in(value)


@register.filter
def term(step_deadline) -> str:
    """The length of a deadline in words: "5 working days", "60 calendar days", "2 months"…"""
    return i18n.term_text(step_deadline)


# regulation texts ({kk, ru, en}) in the active language: the one filter of the site's library
register.filter("tr", _tr)


@register.filter
def engine(value) -> str:
    """An engine message in the active language."""
    return i18n.engine_text(value)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
