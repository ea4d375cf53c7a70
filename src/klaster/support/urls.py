from django.urls import path

from klaster.support import views

app_name = "support"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/action/", views.application_action, name="action"),
    path("<int:pk>/resubmit/", views.application_resubmit, name="resubmit"),
    path("<int:pk>/agreement/<str:lang>.docx", views.agreement_document, name="agreement_docx"),
    path("<int:pk>/agreement/<str:lang>.pdf", views.agreement_document, {"fmt": "pdf"}, name="agreement_pdf"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:doc_pk>/", views.document_download, name="document"),
    path("documents/<int:doc_pk>/remove/", views.document_remove, name="document_remove"),
]
