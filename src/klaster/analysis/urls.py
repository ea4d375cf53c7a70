from django.urls import path

from klaster.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.map_new, name="map"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/flags.<str:fmt>", views.run_export, name="run_export"),
    path("runs/<int:pk>/report.html", views.run_report, name="run_report"),
    path("runs/<int:pk>/files/<str:name>", views.run_file, name="run_file"),
    path("io/", views.io_multipliers, name="io"),
    path("io/impact/", views.io_impact, name="io_impact"),
    path("io/regionalise/", views.io_regionalise, name="io_regionalise"),
]
