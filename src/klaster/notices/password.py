"""Password reset by e-mail (Django's views under ``/accounts/password-reset/``): the form sends the
link at once through the e-mail backend; when the mail server is down the page answers as usual
(it never says whether an address has an account) and the failure is logged — the user asks again."""

from __future__ import annotations

import logging

from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

log = logging.getLogger(__name__)


class ResetForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"class": "govuk-input", "autocomplete": "email", "spellcheck": "false"})
        self.fields["email"].max_length = 254

    def send_mail(self, *args, **kwargs) -> None:
        try:
            super().send_mail(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a down mail server must not become an error page
            log.error("password reset e-mail to %s not sent: %s: %s", args[4] if len(args) > 4 else "?", exc.__class__.__name__, exc)


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.update({"class": "govuk-input", "autocomplete": "new-password"})

    def save(self, commit=True):
        from django.db import transaction

        from klaster.common import audit

        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                audit.record(actor=user, action="accounts.password_reset", obj=user, changes={"password": ["***", "***"]},
                             note="password reset by e-mail")
        return user
