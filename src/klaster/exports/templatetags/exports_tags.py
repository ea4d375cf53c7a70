"""``{% export_links "register" %}``: the CSV and XLSX links of a list page, with the page's own
query (its filters as on screen) and extra values (``competition=c.pk``); nothing for a user who
may not export that list."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def export_links(context, name, **values):
    """CSV and XLSX links of the list export ``name`` with the page's filter ``values``, for a user
    the export allows; empty otherwise."""
    from klaster.exports.lists import registry

    export = registry().get(name)
    request = context.get("request")
    if export is None or request is None or not export.allowed(request.user):
        return ""
    names = set(export.filters())
    query = {k: v for k, v in request.GET.items() if k in names}
    query.update({k: v for k, v in values.items() if k in names and v not in (None, "")})
    base = reverse("exports:download", args=[name])
    links = [format_html('<a href="{}" download>{}</a>', f"{base}?{urlencode({**query, 'fmt': fmt})}", label) for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"))]
    return format_html('<span class="export-links">{} — {}: {} · {}</span>', _("Export"), export.title, links[0], links[1])
