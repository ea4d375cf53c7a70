"""The API's views: public reads (register on a date, announcements, results), an applicant's own
applications, programmes with their indicators, support applications; the API page, the user's
token page and the documentation page (Swagger UI from the vendored sidecar assets).

Roles are those of the page each endpoint mirrors (imported from it, so the API cannot drift
wider); objects are limited by the page's query function and checked with its django-rules
predicate (:mod:`klaster.api.permissions`).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from klaster.accounts.permissions import login_required_any_role, public
from klaster.accounts.roles import Role, has_role
from klaster.api import filters, records
from klaster.api import serializers as s
from klaster.api.pagination import Pagination
from klaster.common import audit
from klaster.competition import rules as competition_rules
from klaster.competition import views as competition_views
from klaster.programmes import rules as programme_rules
from klaster.programmes import views as programme_views
from klaster.support import rules as support_rules
from klaster.support import views as support_views

# ------------------------------------------------------------------------------------------ helpers


class RecordListViewSet(viewsets.GenericViewSet):
    """A read-only list whose objects are turned into records (:mod:`klaster.api.records`) before
    they are serialized, filtered and paged."""

    def records(self, objs) -> list[dict]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(self.records(page), many=True).data)


class RecordViewSet(RecordListViewSet):
    """:class:`RecordListViewSet` with the detail; ``retrieve`` checks the object rule (``get_object``)."""

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.records([self.get_object()])[0]).data)


DATE = OpenApiParameter("date", OpenApiTypes.DATE, description="the day the register is shown on (ISO; default today; years 1992–2100)")


def _day(request):
    """The ``?date=`` of a register request through the register's own form; malformed → 400."""
    from klaster.register.forms import DayQueryForm

    form = DayQueryForm(request.query_params if "date" in request.query_params else None)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors)
    return form.day()


class RegisterPagination(Pagination):
    """A page of the register, with the date shown and the act of the eligibility figures."""

    def paginate_queryset(self, queryset, request, view=None):
        self.day = view.day
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        r = super().get_paginated_response(data)
        r.data["date"] = self.day.isoformat()
        r.data["eligibility_act"] = records.eligibility_act(self.day)
        return r

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["date"] = {"type": "string", "format": "date"}
        out["properties"]["eligibility_act"] = {"type": "object", "properties": {"id": {"type": "string"}, "version": {"type": "string"},
                                                                                  "in_force_on_date": {"type": "boolean"}}}
        out["required"] = [*out.get("required", []), "date", "eligibility_act"]
        return out


# ------------------------------------------------------------------------------------------ public


@extend_schema_view(
    list=extend_schema(summary="The register on a date", parameters=[DATE]),
    retrieve=extend_schema(summary="A cluster's public profile on a date", parameters=[DATE], responses=s.ClusterDetailSerializer),
)
class RegisterClusterViewSet(viewsets.GenericViewSet):
    """The public register of territorial clusters as it stood on ``?date=`` (default today), as
    the page ``/register/`` shows it, with each cluster's members then and the eligibility checks."""

    klaster_public = True
    serializer_class = s.ClusterSerializer
    pagination_class = RegisterPagination
    lookup_field = "code"
    lookup_value_converter = "slug"
    queryset = None

    def get_queryset(self):
        from klaster.register.domain import services
        from klaster.register.models import Cluster

        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Cluster.objects.none()
        return services.register_on(self.day).select_related("association").prefetch_related(records.regions_prefetch())

    def list(self, request, *args, **kwargs):
        self.day = _day(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ClusterSerializer(records.register_clusters(self.day, page), many=True).data)

    def retrieve(self, request, code=None, *args, **kwargs):
        from klaster.register.models import Cluster, ClusterStatus

        self.day = _day(request)
        c = Cluster.objects.select_related("association").prefetch_related(records.regions_prefetch()).filter(code=code, status=ClusterStatus.INCLUDED).first()
        if c is None:
            raise NotFound(_("No such cluster in the register."))
        return Response(s.ClusterDetailSerializer(records.cluster_detail(c, self.day)).data)


@extend_schema_view(list=extend_schema(summary="Competition announcements"), retrieve=extend_schema(summary="A competition's announcement"))
class CompetitionViewSet(RecordViewSet):
    """Announced competitions (drafts excepted) as the public competitions page lists them."""

    klaster_public = True
    serializer_class = s.CompetitionSerializer
    filterset_class = filters.CompetitionFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return records.public_competitions()

    def records(self, objs):
        return [records.competition_record(c) for c in objs]


@extend_schema_view(list=extend_schema(summary="Published results (§40): the winners"))
class ResultViewSet(RecordListViewSet):
    """The winners of the competitions whose results are published (§40), as their public pages show them."""

    klaster_public = True
    serializer_class = s.ResultSerializer
    filterset_class = filters.ResultFilter

    def get_queryset(self):
        return records.results()

    def records(self, objs):
        return [records.result_record(a) for a in objs]


# ------------------------------------------------------------------------------------------ logged in


@extend_schema_view(list=extend_schema(summary="My applications in competitions"), retrieve=extend_schema(summary="One of my applications"))
class MyApplicationViewSet(RecordViewSet):
    """The applicant's own applications (as the page "My applications"), with states and deadlines."""

    klaster_roles = competition_views.my_applications.klaster_roles  # the page "My applications"
    object_rule = competition_rules.owns_application  # the rule "competition.edit_application" of the page
    serializer_class = s.ApplicationSerializer
    filterset_class = filters.ApplicationFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        from klaster.competition.models import Application

        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Application.objects.none()
        return Application.objects.filter(applicant=self.request.user).select_related("competition", "applicant__profile").order_by("-id")

    def records(self, objs):
        return records.application_records(objs)


class ProgrammeViewSet(RecordViewSet):
    """Targeted cluster programmes the user may read (the programmes page's rule: the ministry's roles
    every one, an akimat those of its region, an association its own)."""

    klaster_roles = tuple(r.value for r in programme_views.VIEWERS)  # the programmes pages' roles
    object_rule = programme_rules.can_view_programme
    serializer_class = s.ProgrammeSerializer
    lookup_field = "cluster__code"
    lookup_url_kwarg = "code"
    lookup_value_converter = "slug"

    def get_queryset(self):
        from klaster.programmes.models import Programme

        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Programme.objects.none()
        return programme_rules.programmes_for(self.request.user).select_related("cluster").order_by("cluster__code")

    def records(self, objs):
        return [records.programme_record(p) for p in objs]

    @extend_schema(summary="A programme's indicators: targets against actuals", responses=s.IndicatorSerializer(many=True),
                   parameters=[OpenApiParameter("year", int, description="only this year (1992–2100)")])
    @action(detail=True, methods=["get"], url_path="indicators", url_name="indicators")
    def indicators(self, request, *args, **kwargs):
        programme = self.get_object()
        form = filters.YearForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        rows = records.indicator_records(programme, year=form.cleaned_data.get("year"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.IndicatorSerializer(page, many=True).data)


@extend_schema_view(list=extend_schema(summary="Support applications with amounts"), retrieve=extend_schema(summary="A support application"))
class SupportApplicationViewSet(RecordViewSet):
    """Applications for support instruments the user sees on the support page (an organizer every one,
    an applicant its own and its association's), with their amounts and deadlines."""

    klaster_roles = tuple(r.value for r in support_views.BOTH)  # the support pages' roles
    object_rule = support_rules.can_view_application
    serializer_class = s.SupportApplicationSerializer
    filterset_class = filters.SupportFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        from klaster.support.models import Application

        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Application.objects.none()
        return records.support_applications_for(self.request.user)

    def records(self, objs):
        return [records.support_record(a) for a in objs]


# ------------------------------------------------------------------------------------------ schema and pages


class SchemaLangForm(forms.Form):
    """``?lang=`` of the schema: its descriptions in another interface language (default English:
    the schema is a machine format)."""

    lang = forms.ChoiceField(choices=[("kk", "kk"), ("ru", "ru"), ("en", "en")], required=False)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML; ``?format=json`` for JSON), in English unless ``?lang=`` asks
    (a malformed ``lang`` → 400)."""

    klaster_public = True

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        from django.utils import translation

        form = SchemaLangForm(request.GET)
        if not form.is_valid():
            raise ValidationError(form.errors)
        with translation.override(form.cleaned_data.get("lang") or "en"):
            return self._get_schema_response(request)


class DocsView(SpectacularSwaggerSplitView):
    """The browsable documentation (Swagger UI, assets from drf-spectacular-sidecar, no CDN). The
    page loads its script from ``?script=`` (no inline script: the site's Content-Security-Policy)."""

    klaster_public = True
    url_name = "api:schema"
    template_name = "api/swagger_ui.html"
    title = "klaster API"


#: The endpoints the API page lists: (path, the view set whose roles apply, what it returns).
ENDPOINTS = [
    ("/api/v1/register/clusters/?date=YYYY-MM-DD", "RegisterClusterViewSet", gettext_lazy("the register of clusters on a date")),
    ("/api/v1/register/clusters/<code>/?date=YYYY-MM-DD", "RegisterClusterViewSet", gettext_lazy("a cluster's profile: members on the date, stages won")),
    ("/api/v1/competitions/", "CompetitionViewSet", gettext_lazy("competition announcements (filters: state, year)")),
    ("/api/v1/results/", "ResultViewSet", gettext_lazy("published results: the winners (filter: competition)")),
    ("/api/v1/my/applications/", "MyApplicationViewSet", gettext_lazy("my applications with states and deadlines (filters: competition, stage, state)")),
    ("/api/v1/programmes/", "ProgrammeViewSet", gettext_lazy("the programmes the user may read")),
    ("/api/v1/programmes/<code>/indicators/?year=", "ProgrammeViewSet", gettext_lazy("a programme's indicators: targets against actuals")),
    ("/api/v1/support/applications/", "SupportApplicationViewSet", gettext_lazy("support applications with amounts (filters: status, component)")),
]


def _who(view_set_name: str) -> str:
    """Who may call a view set, in the active language (its roles' labels, or "everyone")."""
    from klaster.accounts.roles import ROLE_LABELS
    from klaster.api.permissions import view_roles

    roles = view_roles(globals()[view_set_name])
    if roles is None:
        return _("everyone")
    return ", ".join(str(ROLE_LABELS[Role(r)]) for r in roles if r in Role._value2member_map_)


def _examples(user) -> list[tuple[str, str]]:
    """Links to real records the user may read, one per endpoint with a path value."""
    from django.urls import reverse

    from klaster.register.models import Cluster, ClusterStatus

    out = []
    c = Cluster.objects.filter(status=ClusterStatus.INCLUDED).order_by("code").first()
    if c is not None:
        out.append((_("A cluster"), reverse("api:cluster-detail", args=[c.code])))
    comp = records.public_competitions().order_by("id").first()
    if comp is not None:
        out.append((_("A competition"), reverse("api:competition-detail", args=[comp.pk])))
    if user.is_authenticated:
        from klaster.competition.models import Application

        if has_role(user, Role.APPLICANT):
            a = Application.objects.filter(applicant=user).order_by("id").first()
            if a is not None:
                out.append((_("My application"), reverse("api:my-application-detail", args=[a.pk])))
        if has_role(user, *programme_views.VIEWERS):
            p = programme_rules.programmes_for(user).order_by("cluster__code").first()
            if p is not None:
                out.append((_("A programme"), reverse("api:programme-detail", args=[p.cluster.code])))
                out.append((_("Its indicators"), reverse("api:programme-indicators", args=[p.cluster.code])))
        if has_role(user, *support_views.BOTH):
            a = records.support_applications_for(user).first()
            if a is not None:
                out.append((_("A support application"), reverse("api:support-application-detail", args=[a.pk])))
    return out


@public
def index(request):
    """The API page: what it offers and to whom, how to authenticate, links to the schema, the
    documentation and real examples."""
    from klaster.register.models import Cluster, ClusterStatus

    endpoints = [(path, _who(view_set), what) for path, view_set, what in ENDPOINTS]
    legacy = Cluster.objects.filter(status=ClusterStatus.INCLUDED).order_by("code").values_list("code", flat=True).first()
    return render(request, "api/index.html", {"endpoints": endpoints, "examples": _examples(request.user), "legacy_code": legacy})


class TokenForm(forms.Form):
    """What the user does with their API token."""

    action = forms.ChoiceField(choices=[("create", gettext_lazy("Create a new token")), ("revoke", gettext_lazy("Revoke the token"))])


@login_required_any_role
def token(request):
    """The user's API token: create (a new one replaces the old, shown once) or revoke; audited
    without the key."""
    from rest_framework.authtoken.models import Token

    existing = Token.objects.filter(user=request.user).first()
    new_key = None
    status = 200
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            new_key = _token_action(request.user, form.cleaned_data["action"], existing)
            existing = Token.objects.filter(user=request.user).first()
            if form.cleaned_data["action"] == "revoke":
                messages.success(request, _("The token was revoked."))
        else:
            status = 400
    r = render(request, "api/token.html", {"form": form, "existing": existing, "new_key": new_key}, status=status)
    r["Cache-Control"] = "no-store"
    return r


def _token_action(user, what: str, existing) -> str | None:
    """Create (replacing the old) or revoke ``user``'s token in one transaction; the audit trail
    records the act, never the key. Returns the new key (None when revoked)."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        key = None
        if what == "create":
            key = Token.objects.create(user=user).key
        audit.record(actor=user, action=f"api.token.{what}", object_type="auth.user", object_id=str(user.pk), object_repr=user.get_username(),
                     changes={"token": [existing.created.isoformat() if existing else None, "new" if key else None]})
    return key

