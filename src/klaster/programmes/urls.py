from django.urls import path

from klaster.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("plotly.js", views.plotly_js, name="plotly_js"),
    path("<slug:code>/", views.programme_detail, name="detail"),
    path("<slug:code>/monitoring.xlsx", views.report_xlsx, name="report_xlsx"),
    path("<slug:code>/monitoring.docx", views.report_docx, name="report_docx"),
]
