from django.urls import path

from klaster.api import legacy as api_legacy
from klaster.register import procedure_views, views

app_name = "register"
urlpatterns = [
    path("", views.register_list, name="list"),
    path("rankings/", views.rankings, name="rankings"),
    path("api/clusters.json", api_legacy.clusters, name="api_clusters"),  # kept: the API is /api/v1/register/clusters/
    path("api/clusters/<slug:code>.json", api_legacy.cluster, name="api_cluster"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("extract.docx", views.extract_docx, name="extract_docx"),
    path("extract.pdf", views.extract_docx, {"fmt": "pdf"}, name="extract_pdf"),
    path("applications/", views.organizer_applications, name="applications"),
    path("applications/<int:pk>/decide/", views.organizer_decide, name="decide"),
    path("import-template.xlsx", views.import_template, name="import_template"),
    path("winners/", procedure_views.winners, name="winners"),
    path("new/", procedure_views.new_cluster, name="new_cluster"),
    path("alerts/", procedure_views.alerts, name="alerts"),
    path("<slug:code>/", views.cluster_detail, name="detail"),
    path("<slug:code>/apply/", views.apply_inclusion, name="apply"),
    path("<slug:code>/import/", views.organizer_import, name="import"),
    path("<slug:code>/participants/new/", views.participant_new, name="participant_new"),
    path("<slug:code>/participants/<int:pk>/", views.participant_edit, name="participant_edit"),
    path("<slug:code>/memberships/<int:pk>/leave/", views.membership_leave, name="membership_leave"),
    path("<slug:code>/exclude/", procedure_views.exclude, name="exclude"),
    path("<slug:code>/recheck/", procedure_views.recheck, name="recheck"),
]
