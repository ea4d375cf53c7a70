"""Forms of the web shell's pages (every request value goes through one)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klaster.common.forms import IntegerField

#: OKED has 2,098 codes, 50 a page: no listing has more pages than this.
MAX_PAGE = 1000


class OkedQueryForm(forms.Form):
    """``?q=`` (code or name, at most 100 characters), ``?parent=`` (an OKED code as stored: a
    section letter or 2–5 digits) and ``?page=`` (1 … :data:`MAX_PAGE`) of the OKED browser."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    parent = forms.RegexField(label=_("Code"), required=False, regex=r"^(?:[A-U]|[0-9]{2,5})$", max_length=5)
    page = IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE)
