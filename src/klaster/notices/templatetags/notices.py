from django import template

from klaster.notices.service import unread_for_request

register = template.Library()


@register.simple_tag(takes_context=True)
def notices_unread(context) -> int:
    """Number of unread notices of the page's user (one indexed count query per request)."""
    return unread_for_request(context.get("request"))
