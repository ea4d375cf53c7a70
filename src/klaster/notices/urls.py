from django.urls import path

from klaster.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="read"),
    path("language/", views.language, name="language"),
]
