"""URLs of the site plus views that fail, for the error-page tests (tests/web/test_errors.py)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from klaster.urls import handler400, handler500, urlpatterns as site_urlpatterns  # noqa: F401 — the handlers are looked up here


def boom(request):
    raise RuntimeError("secret detail of the failure")


def database_down(request):
    raise OperationalError("could not connect to server")


def forbidden(request):
    raise PermissionDenied("internal reason")


def suspicious(request):
    raise SuspiciousOperation("internal reason")


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/database/", database_down),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    *site_urlpatterns,
]
