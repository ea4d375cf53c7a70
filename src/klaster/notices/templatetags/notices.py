from django import template

from klaster.notices.service import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notices_unread(context) -> int:
    """Number of unread notices of the page's user (one indexed count query)."""
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
