"""URL configuration: each app mounts its own ``urls.py`` under a prefix."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("klaster.accounts.urls")),
    path("competition/", include("klaster.competition.urls")),
    path("register/", include("klaster.register.urls")),
    path("programmes/", include("klaster.programmes.urls")),
    path("support/", include("klaster.support.urls")),
    path("analysis/", include("klaster.analysis.urls")),
    path("", include("klaster.web.urls")),
]
