from django.urls import path

from klaster.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/", views.regions, name="regions"),
    path("regions/boundaries.json", views.boundaries_json, name="boundaries"),
    path("oked/", views.oked, name="oked"),
    path("me/", views.me, name="me"),
]
