from django.urls import path

from klaster.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:name>/", views.download, name="download"),
]
