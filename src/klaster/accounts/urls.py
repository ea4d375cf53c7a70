from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from klaster.accounts.permissions import login_required_any_role, public
from klaster.notices.password import NewPasswordForm, ResetForm

app_name = "accounts"

urlpatterns = [
    path("login/", public(auth_views.LoginView.as_view(template_name="registration/login.html")), name="login"),
    path("logout/", login_required_any_role(auth_views.LogoutView.as_view()), name="logout"),
    # Password reset by e-mail (Django's views; the link is valid for PASSWORD_RESET_TIMEOUT, 3 days;
    # the page answers the same whether or not an account has that address).
    path("password-reset/", public(auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset_form.html", email_template_name="accounts/password_reset_email.txt",
        subject_template_name="accounts/password_reset_subject.txt", success_url=reverse_lazy("accounts:password_reset_done"),
        form_class=ResetForm)),
        name="password_reset"),
    path("password-reset/sent/", public(auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")),
         name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", public(auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", success_url=reverse_lazy("accounts:password_reset_complete"),
        form_class=NewPasswordForm)),
        name="password_reset_confirm"),
    path("password-reset/done/", public(auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")),
         name="password_reset_complete"),
]
