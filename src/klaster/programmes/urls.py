from django.urls import path

from klaster.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("plotly.js", views.plotly_js, name="plotly_js"),
    path("new/", views.programme_new, name="new"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/report.xlsx", views.quarterly_xlsx, name="quarterly_xlsx"),
    path("quarterly/report.docx", views.quarterly_docx, name="quarterly_docx"),
    path("quarterly/report.pdf", views.quarterly_docx, {"fmt": "pdf"}, name="quarterly_pdf"),
    path("budget/", views.budget, name="budget"),
    path("<slug:code>/", views.programme_detail, name="detail"),
    path("<slug:code>/monitoring.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<slug:code>/monitoring.docx", views.report_docx, name="report_docx"),
    path("<slug:code>/monitoring.pdf", views.report_docx, {"fmt": "pdf"}, name="report_pdf"),
    path("<slug:code>/edit/", views.programme_edit, name="edit"),
    path("<slug:code>/projects/new/", views.project_edit, name="project_new"),
    path("<slug:code>/projects/<int:pk>/", views.project_edit, name="project_edit"),
    path("<slug:code>/projects/<int:pk>/financing/", views.financing_edit, name="financing"),
    path("<slug:code>/projects/<int:pk>/payments/", views.payments, name="payments"),
    path("<slug:code>/obligations/new/", views.obligation_edit, name="obligation_new"),
    path("<slug:code>/obligations/<int:pk>/", views.obligation_edit, name="obligation_edit"),
    path("<slug:code>/report/", views.report_new, name="report"),
]
