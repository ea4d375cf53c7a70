"""Organizer forms of the register: a participant of a cluster (add, edit) and its leaving.

Validation is the domain's (:func:`klaster.register.domain.services.clean_participant_fields`):
BIN with its check digit (:func:`klaster.common.bin.validate_bin`), type, OKED main and up to four
additional codes (App. 2 §7 of Decree 535, :func:`klaster.reference.validators.validate_oked`),
KATO of the address (:func:`klaster.reference.validators.validate_kato`).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klaster.register.domain import services
from klaster.register.models import ParticipantKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ParticipantForm(forms.Form):
    bin = forms.CharField(label=_("BIN"), max_length=12, help_text=_("12 digits, with its check digit"))
    name = forms.CharField(label=_("Name"), max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    kind = forms.ChoiceField(label=_("Type"), choices=ParticipantKind.choices)
    oked_main = forms.CharField(label=_("OKED, main activity"), max_length=10, help_text=_("e.g. 10.51.1 or 10511"))
    oked_additional = forms.CharField(label=_("OKED, additional activities"), required=False, max_length=100,
                                      help_text=_("up to four codes, separated by commas"))
    kato = forms.CharField(label=_("KATO of the address"), max_length=9, help_text=_("9 digits"))
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    affiliation_group = forms.CharField(label=_("Affiliation group"), required=False, max_length=100,
                                        help_text=_("participants with the same non-empty group are affiliated with each other"))
    specialised = forms.BooleanField(label=_("Specialised in the cluster's sector"), required=False, initial=True)
    size = forms.ChoiceField(label=_("Size"), choices=[("sme", _("small or medium")), ("large", _("large"))], initial="sme")
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DATE)
    joined_on = forms.DateField(label=_("Member of the cluster since"), widget=DATE, initial=dt.date.today)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["bin"].disabled = True  # the BIN identifies the legal entity
            del self.fields["joined_on"]  # membership dates: the history, not the profile

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        extra = [c.strip() for c in (data.get("oked_additional") or "").replace(";", ",").split(",") if c.strip()]
        try:
            clean = services.clean_participant_fields(bin=data["bin"], name=data["name"], kind=data["kind"], oked_main=data["oked_main"], oked_additional=extra, kato=data["kato"])
        except ValidationError as e:
            for field, errs in e.error_dict.items():
                self.add_error(field if field in self.fields else None, errs)
            return data
        data.update(clean)
        return data

    def participant_fields(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("bin", "name", "kind", "oked_main", "oked_additional", "kato", "address", "affiliation_group", "specialised", "size", "founded_on")}


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE, help_text=_("the first day the participant is no longer a member"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
