from django.urls import path

from klaster.competition import views as v
from klaster.competition import views_council as vc
from klaster.competition import views_package as vp
from klaster.competition import views_regulations as vr

app_name = "competition"
urlpatterns = [
    path("", v.competition_list, name="list"),
    path("<int:pk>/", v.competition_public, name="public"),
    path("organizer/", v.organizer_dashboard, name="organizer_dashboard"),
    path("organizer/announce/", v.organizer_announce, name="organizer_announce"),
    path("organizer/<int:pk>/", v.organizer_competition, name="organizer_competition"),
    path("organizer/<int:pk>/action/", v.organizer_action, name="organizer_action"),
    path("organizer/<int:pk>/council/", vc.organizer_council, name="organizer_council"),
    path("organizer/<int:pk>/ranked/", vc.organizer_ranked, name="organizer_ranked"),
    path("organizer/<int:pk>/admission/", vc.organizer_admission, name="organizer_admission"),
    path("organizer/<int:pk>/publication/", vc.organizer_publication, name="organizer_publication"),
    path("organizer/application/<int:pk>/", v.organizer_application, name="organizer_application"),
    path("organizer/application/<int:pk>/paper/", vp.organizer_paper, name="organizer_paper"),
    path("commission/<int:pk>/", v.commission, name="commission"),
    path("my/", v.my_applications, name="my_applications"),
    path("my/new/", v.application_create, name="application_create"),
    path("my/<int:pk>/", v.application_detail, name="application"),
    path("my/<int:pk>/action/", v.application_action, name="application_action"),
    path("my/<int:pk>/form/<slug:form_id>/", vp.structured_form, name="structured_form"),
    path("my/<int:pk>/form/<slug:form_id>/template.xlsx", vp.structured_template, name="structured_template"),
    path("package/<int:pk>/form/<slug:form_id>/", vp.structured_view, name="structured_view"),
    path("package/<int:pk>/form/<slug:form_id>/<str:lang>.docx", vp.structured_document, name="structured_document"),
    path("package/<int:pk>/form/<slug:form_id>/<str:lang>.pdf", vp.structured_document, {"fmt": "pdf"}, name="structured_pdf"),
    path("package/<int:pk>/discussion/", vc.discussion, name="discussion"),
    path("file/<int:pk>/", v.package_file, name="package_file"),
    path("conclusions/", v.conclusions_inbox, name="conclusions"),
    path("conclusions/<int:pk>/", v.conclusion_form, name="conclusion"),
    path("expert/", v.expert_workspace, name="expert_workspace"),
    path("expert/profile/", vc.expert_profile, name="expert_profile"),
    path("expert/<int:pk>/", v.expert_assignment, name="expert_assignment"),
    path("notifications/", v.notifications, name="notifications"),
    path("regulations/", vr.regulations, name="regulations"),
    path("regulations/add/", vr.regulation_add, name="regulation_add"),
    path("application/<int:pk>/<str:kind>/<str:lang>.docx", v.application_document, name="application_document"),
    path("protocol/<int:pk>/<str:clause>/<str:lang>.docx", v.protocol_document, name="protocol_document"),
    path("application/<int:pk>/<str:kind>/<str:lang>.pdf", v.application_document, {"fmt": "pdf"}, name="application_pdf"),
    path("protocol/<int:pk>/<str:clause>/<str:lang>.pdf", v.protocol_document, {"fmt": "pdf"}, name="protocol_pdf"),
]
