"""URL configuration: each app mounts its own ``urls.py`` under a prefix; the error handlers."""

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
    path("api/", include("klaster.api.urls")),
    path("exports/", include("klaster.exports.urls")),
    path("notices/", include("klaster.notices.urls")),
    path("", include("klaster.web.urls")),
]

# Error pages in the site's design and the user's language (403 and 404: Django's handlers with
# the templates 403.html and 404.html of klaster.web).
handler400 = "klaster.web.views.bad_request"
handler500 = "klaster.web.views.server_error"
