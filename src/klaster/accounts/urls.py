from django.contrib.auth import views as auth_views
from django.urls import path

from klaster.accounts.permissions import login_required_any_role, public

app_name = "accounts"

urlpatterns = [
    path("login/", public(auth_views.LoginView.as_view(template_name="registration/login.html")), name="login"),
    path("logout/", login_required_any_role(auth_views.LogoutView.as_view()), name="logout"),
]
