from django.urls import path

from klaster.competition import views as v

app_name = "competition"
urlpatterns = [
    path("", v.competition_list, name="list"),
    path("<int:pk>/", v.competition_public, name="public"),
    path("organizer/", v.organizer_dashboard, name="organizer_dashboard"),
    path("organizer/announce/", v.organizer_announce, name="organizer_announce"),
    path("organizer/<int:pk>/", v.organizer_competition, name="organizer_competition"),
    path("organizer/<int:pk>/action/", v.organizer_action, name="organizer_action"),
    path("organizer/application/<int:pk>/", v.organizer_application, name="organizer_application"),
    path("commission/<int:pk>/", v.commission, name="commission"),
    path("my/", v.my_applications, name="my_applications"),
    path("my/new/", v.application_create, name="application_create"),
    path("my/<int:pk>/", v.application_detail, name="application"),
    path("my/<int:pk>/action/", v.application_action, name="application_action"),
    path("file/<int:pk>/", v.package_file, name="package_file"),
    path("conclusions/", v.conclusions_inbox, name="conclusions"),
    path("conclusions/<int:pk>/", v.conclusion_form, name="conclusion"),
    path("expert/", v.expert_workspace, name="expert_workspace"),
    path("expert/<int:pk>/", v.expert_assignment, name="expert_assignment"),
    path("notifications/", v.notifications, name="notifications"),
    path("application/<int:pk>/<str:kind>/<str:lang>.docx", v.application_document, name="application_document"),
    path("protocol/<int:pk>/<str:clause>/<str:lang>.docx", v.protocol_document, name="protocol_document"),
]
