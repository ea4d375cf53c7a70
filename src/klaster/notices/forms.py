"""Forms of the inbox (every request value goes through a bounded form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klaster.common.forms import IdField, IntegerField
from klaster.notices.models import LANGUAGES


class MarkReadForm(forms.Form):
    """Mark one notice (``notice``) or all unread ones (``all=1``) as read."""

    notice = IdField(required=False)
    all = forms.BooleanField(required=False)

    def clean(self):
        d = super().clean()
        if not d.get("all") and not d.get("notice"):
            raise forms.ValidationError(_("choose a notice to mark as read"))
        return d


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my notices"), choices=LANGUAGES)


class InboxFilterForm(forms.Form):
    unread = forms.BooleanField(required=False)
    page = IntegerField(required=False, min_value=1, max_value=10000)
