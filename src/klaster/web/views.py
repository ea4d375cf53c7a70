"""Pages of the web shell: home, regions with the map, OKED browser; the error pages."""

from __future__ import annotations

import logging

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from klaster.accounts.permissions import login_required_any_role, public
from klaster.common.forms import errors_text
from klaster.reference.models import OkedCode, Region, TerritorialChange, normalize_oked
from klaster.web.cache import cached
from klaster.web.forms import OkedQueryForm


# The entry points of each role on the home page: (label, URL name).
ROLE_ENTRY_POINTS = {
    "organizer": [(_("Competitions: dashboard and deadlines"), "competition:organizer_dashboard"),
                  (_("Register: applications for inclusion"), "register:applications"),
                  (_("Targeted cluster programmes"), "programmes:list"),
                  (_("Support instruments: reimbursement applications"), "support:list")],
    "analyst": [(_("Regions and map"), "web:regions"), (_("OKED"), "web:oked"),
                (_("Ranking of clusters"), "register:rankings"), (_("Targeted cluster programmes"), "programmes:list")],
    "expert": [(_("Expert workspace"), "competition:expert_workspace")],
    "akimat": [(_("Conclusions to issue"), "competition:conclusions")],
    "authorized_body": [(_("Conclusions to issue"), "competition:conclusions")],
    "regional_body": [(_("Conclusions to issue"), "competition:conclusions")],
    "commission_secretary": [(_("Competitions"), "competition:list")],
    "applicant": [(_("My applications"), "competition:my_applications"),
                  (_("Register of clusters"), "register:list"),
                  (_("Targeted cluster programmes"), "programmes:list"),
                  (_("Support instruments"), "support:list")],
    "administrator": [(_("Administration"), "admin:index")],
}


@public
def home(request):
    """Home page: what klaster is, and the entry points of the user's roles. The two counts are
    cached until the reference data changes (:mod:`klaster.web.cache`)."""
    from klaster.accounts.roles import ROLE_LABELS, Role, roles_of

    mine = []
    for role in Role:
        if role.value in roles_of(request.user):
            mine.append((ROLE_LABELS[role], [(label, reverse(name)) for label, name in ROLE_ENTRY_POINTS.get(role.value, [])]))
    region_count, oked_count = cached(("reference",), ("home-counts",), lambda: (Region.objects.count(), OkedCode.objects.count()))
    return render(request, "web/home.html", {"region_count": region_count, "oked_count": oked_count, "my_roles": mine})


@login_required_any_role
def me(request):
    """The landing page after login (``LOGIN_REDIRECT_URL``): per role, what needs the user now —
    deadlines due and overdue with their clause, packages to check, conclusions to issue, sheets to
    score, decisions to record, the applicant's next steps (:mod:`klaster.web.landing`)."""
    from klaster.web.landing import sections_for

    blocks = sections_for(request.user)
    return render(request, "web/me.html", {"blocks": blocks, "crumbs": [(gettext("Home"), reverse("web:home")), (gettext("My work"), "")],
                                           "needs": sum(1 for _r, secs in blocks for s in secs for i in s.items if i.state in ("overdue", "due"))})


def _lang() -> str:
    return (translation.get_language() or "ru")[:2]


def regions_map(day, regions, clusters: dict) -> dict | None:
    """The regions page's map (:func:`klaster.web.maps.map_context`): each region coloured by the
    number of clusters of the register on ``day`` that include it (:func:`klaster.web.maps.count_breaks`),
    its hover text naming them, a click leading to the cluster (or to the register when it has
    several); ``None`` when no boundary is loaded. ``regions``: Region rows annotated ``drawn``
    (has a boundary); ``clusters``: {KATO: [Cluster]}."""
    from klaster.common.dates import day_text
    from klaster.web import maps
    from klaster.web.templatetags.klaster import num

    drawn = [r for r in regions if r.drawn]
    if not drawn:
        return None
    lang = _lang()
    counts = {r.kato: len(clusters.get(r.kato, [])) for r in drawn}
    top = max(counts.values(), default=0)
    breaks, idx = maps.count_breaks(top)
    palette = [maps.PALETTE[i] for i in idx]

    def n_clusters(n):
        return ngettext("%(n)s cluster", "%(n)s clusters", n) % {"n": n}

    legend = [n_clusters(int(lo)) if lo == hi else f"{num(lo, 1)} – {num(hi, 1)}" for lo, hi in breaks]
    names, links, hover = {}, {}, {}
    for r in drawn:
        mine = clusters.get(r.kato, [])
        names[r.kato] = r.localized_name(lang)
        if mine:
            links[r.kato] = reverse("register:detail", args=[mine[0].code]) if len(mine) == 1 else reverse("register:list")
        hover[r.kato] = n_clusters(len(mine)) + "".join(("<br>" + escape(c.localized_name(lang))) for c in mine[:8])
    figure = maps.choropleth_figure(counts, names=names, links=links, measure=gettext("Territorial clusters in the register"),
                                    unit="", breaks=breaks, palette=palette, hover=hover, legend=legend,
                                    geojson=reverse("web:boundaries"))
    rows = [(names[r.kato], links.get(r.kato, ""),
             "; ".join(c.localized_name(lang) for c in clusters.get(r.kato, [])) or "—",
             legend[maps.class_of(counts[r.kato], breaks)]) for r in drawn]
    caption = ngettext("Territorial clusters in the register on %(day)s: %(n)s, by region",
                       "Territorial clusters in the register on %(day)s: %(n)s, by region",
                       len({c.pk for v in clusters.values() for c in v})) % {
        "day": day_text(day), "n": len({c.pk for v in clusters.values() for c in v})}
    return maps.map_context("kz-map", caption=caption, figure=figure, rows=rows,
                            head=[gettext("Region"), gettext("Clusters"), gettext("Legend")],
                            note=gettext("A region is coloured by the number of clusters of the register that include it; "
                                         "point at a region to see them, select it to open its cluster."))


def regions_body(day=None) -> tuple[str, dict | None]:
    """The regions page's table and territorial changes as HTML in the active language, and its
    map's context: ``(html, map)``.

    The map (:func:`regions_map`) is a choropleth of the clusters in the register on ``day``
    (default today; :func:`klaster.register.domain.services.register_on`) by region, drawn by
    plotly.js from the figure's JSON and the boundaries of ``/regions/boundaries.json``
    (:func:`boundaries_json`); :func:`regions` caches both per language, day and data version and
    renders the map's include per request (its script element carries the page's CSP nonce).
    """
    from django.db.models import BooleanField, ExpressionWrapper

    from klaster.common.dates import today
    from klaster.reference.changes import localized_changes
    from klaster.register.domain.services import register_on

    day = day or today()
    regions = list(Region.objects.defer("boundary").annotate(
        drawn=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())))
    clusters: dict[str, list] = {}
    for c in register_on(day).prefetch_related(Prefetch("regions", queryset=Region.objects.only("kato"))):
        for r in c.regions.all():
            clusters.setdefault(r.kato, []).append(c)
    html = loader.render_to_string("web/_regions_body.html", {
        "regions": regions, "day": day, "changes": localized_changes(TerritorialChange.objects.all(), regions, _lang())})
    return html, regions_map(day, regions, clusters)


@public
def regions(request):
    """The 20 regions of the 2024 frame: the map of the registered clusters by region, table,
    territorial changes — computed once per language and day until the reference data or the
    register changes."""
    from klaster.common.dates import today

    day = today()
    body, map_ctx = cached(("reference", "register"), ("regions-map", _lang(), day.isoformat()), lambda: regions_body(day))
    return render(request, "web/regions.html", {"body": mark_safe(body), "map": map_ctx})  # noqa: S308 — our own template's output


@public
def boundaries_json(request):
    """``/regions/boundaries.json``: the regions' simplified boundaries as GeoJSON
    (:func:`klaster.web.maps.boundaries`; the maps' ``geojson``), computed once per reference data
    version. Cached by browsers for a day and revalidated by its ETag (the data version)."""
    from django.utils.http import quote_etag

    from klaster.web.cache import tokens
    from klaster.web.maps import boundaries_bytes

    etag = quote_etag("boundaries-" + tokens("reference"))
    if etag in request.headers.get("If-None-Match", ""):
        resp = HttpResponse(status=304)
    else:
        resp = HttpResponse(boundaries_bytes(), content_type="application/geo+json")
    resp["ETag"] = etag
    resp["Cache-Control"] = "public, max-age=86400"
    return resp


def _oked_page(parent: str, number: int):
    """One page (50 rows) of the OKED tree under ``parent`` ("" → the sections): ``(rows, crumbs,
    number, num_pages)`` with model instances, for the cache."""
    qs = OkedCode.objects.filter(parent__code=parent) if parent else OkedCode.objects.filter(level="section")
    crumbs = []
    node = OkedCode.objects.select_related("parent__parent__parent__parent").filter(code=parent).first() if parent else None
    while node is not None:
        crumbs.insert(0, node)
        node = node.parent
    page = Paginator(qs.order_by("section", "code"), 50).get_page(number)
    return list(page.object_list), crumbs, page.number, page.paginator.num_pages


@public
def oked(request):
    """OKED browser: search by code or name (Russian, English, Kazakh), browse by parent; the tree's
    pages are cached until the reference data changes. ``?q``, ``?parent`` and ``?page`` go through
    :class:`~klaster.web.forms.OkedQueryForm`; a malformed value is shown as its error (400) with
    the sections."""
    form = OkedQueryForm(request.GET)
    valid = form.is_valid()
    d = form.cleaned_data if valid else {}
    q, parent, number = d.get("q", ""), d.get("parent", ""), d.get("page") or 1
    if q:
        code = normalize_oked(q)
        qs = OkedCode.objects.filter(Q(code__startswith=code) | Q(name_ru__icontains=q) | Q(name_en__icontains=q) | Q(name_kk__icontains=q))
        page = Paginator(qs.order_by("section", "code"), 50).get_page(number)
        rows, crumbs, number, pages = list(page.object_list), [], page.number, page.paginator.num_pages
    else:
        rows, crumbs, number, pages = cached(("reference",), ("oked", parent, number), lambda: _oked_page(parent, number))
    return render(request, "web/oked.html", {"rows": rows, "number": number, "pages": pages, "q": q, "crumbs": crumbs,
                                             "parent": parent, "form": form, "errors": errors_text(form) if not valid else []},
                  status=200 if valid else 400)


# ---------------------------------------------------------------- error pages
# 403 and 404 are Django's own handlers with the templates 403.html and 404.html (they render with
# the request context: the header shows the user). 400, 500 and the refused CSRF check are below.
log = logging.getLogger(__name__)


def _error_page(request, template_name: str, status: int) -> HttpResponse:
    """``template_name`` rendered in the user's language without the database.

    The language comes from the request itself (the ``django_language`` cookie, then
    ``Accept-Language``), because a 400 can be raised before ``LocaleMiddleware`` ran. The
    template gets ``request`` and ``csrf_token`` (so the language switch works), but no
    context processors: the page must render when the database is what failed (no ``user``, the
    header shows "Log in"). If even that fails, a plain page in the same language is returned.
    """
    try:
        lang = translation.get_language_from_request(request)
    except Exception:  # noqa: BLE001 — a malformed request must still get its error page
        lang = translation.get_language()
    with translation.override(lang):
        try:
            html = loader.render_to_string(template_name, {"request": request, "csrf_token": get_token(request)})
        except Exception:  # noqa: BLE001 — the error page of an error page is this plain one
            log.exception("error page %s could not be rendered", template_name)
            html = (f'<!DOCTYPE html><html lang="{escape(lang)}"><meta charset="utf-8"><title>klaster</title>'
                    f"<h1>{status}</h1><p>{escape(gettext('Something went wrong on our side. The error has been recorded; please try again later.'))}</p>"
                    f'<p><a href="/">{escape(gettext("Home page"))}</a></p></html>')
    return HttpResponse(html, status=status)


def bad_request(request, exception):
    """``handler400``: a malformed request or a host not in ``KLASTER_ALLOWED_HOSTS`` → 400 page."""
    return _error_page(request, "400.html", 400)


def server_error(request):
    """``handler500``: an unexpected error → 500 page (never a stack trace; the error is logged)."""
    return _error_page(request, "500.html", 500)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a refused form (expired page, cookies blocked, or a request whose
    ``Origin`` does not match the site — behind a proxy, see ``docs/deployment.md``) → 403 page in
    the site's design. ``reason`` (Django's text) is logged by Django, not shown."""
    return render(request, "403_csrf.html", status=403)
