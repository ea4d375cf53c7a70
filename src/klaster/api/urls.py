"""``/api/``: the API page, the user's token, the OpenAPI schema and its documentation, and the
read-only endpoints of version 1 (``/api/v1/…``, path converters: no format-suffix patterns)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from klaster.api import views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("register/clusters", views.RegisterClusterViewSet, basename="cluster")
router.register("competitions", views.CompetitionViewSet, basename="competition")
router.register("results", views.ResultViewSet, basename="result")
router.register("my/applications", views.MyApplicationViewSet, basename="my-application")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("support/applications", views.SupportApplicationViewSet, basename="support-application")

# Each API view carries its view set's permission marker, as page views carry theirs
# (tests/accounts/test_permissions.py reads it from the URL pattern's callback).
for _p in router.urls:
    _cls = _p.callback.cls
    if getattr(_cls, "klaster_public", False):
        _p.callback.klaster_public = True
    else:
        _p.callback.klaster_roles = tuple(_cls.klaster_roles)

urlpatterns = [
    path("", views.index, name="index"),
    path("token/", views.token, name="token"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("v1/", include(router.urls)),
]
