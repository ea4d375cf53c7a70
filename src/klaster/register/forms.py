"""Forms of the register: the day a page shows (``?date=``), a participant of a cluster (add,
edit) and its leaving, the organizer's inclusion decision and the XLSX import.

Every value a request carries goes through one of these forms, built from the bounded fields of
:mod:`klaster.common.forms`: a malformed value is a form error, never a server error.

Validation of a participant is the domain's (:func:`klaster.register.domain.services.clean_participant_fields`):
BIN with its check digit (:func:`klaster.common.bin.validate_bin`), type, OKED main and up to four
additional codes (App. 2 §7 of Decree 535, :func:`klaster.reference.validators.validate_oked`),
KATO of the address (:func:`klaster.reference.validators.validate_kato`). Days a user records
(joining, leaving) follow :class:`klaster.common.forms.RecordedDayForm`: not in the future, and
earlier than today only with the reason the audit trail keeps.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klaster.common import dates
from klaster.common.forms import DayField, IdField, RecordedDayForm, VersionField
from klaster.register.domain import services
from klaster.register.domain.procedure import RESERVED_CODES
from klaster.register.models import ParticipantKind


class DayQueryForm(forms.Form):
    """``?date=`` of the register's pages, exports and API: the day the register is shown on
    (ISO or dd.mm.yyyy, years 1992–2100); empty → today."""

    date = DayField(label=_("The register as it stood on"), required=False)

    def day(self):
        """The day asked for (today when none or when the value is malformed)."""
        if self.is_bound and self.is_valid() and self.cleaned_data.get("date"):
            return self.cleaned_data["date"]
        return dates.today()


class ParticipantForm(RecordedDayForm):
    """A participant's profile and, when it is added, the day it joined (``on``) with the reason
    when that day is earlier than today."""

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
    founded_on = DayField(label=_("Founded on"), required=False)
    on = DayField(label=_("Member of the cluster since"), required=False, help_text=_("leave empty for today"))
    version = VersionField(required=False)

    field_order = ["bin", "name", "kind", "oked_main", "oked_additional", "kato", "address", "affiliation_group", "specialised", "size",
                   "founded_on", "on", "reason", "version"]

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["bin"].disabled = True  # the BIN identifies the legal entity
            del self.fields["on"]  # membership dates: the history, not the profile
            del self.fields["reason"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def clean(self):
        if self.editing:
            data = forms.Form.clean(self)
            self.warnings = []
        else:
            data = super().clean()  # the joining day: not in the future, reason when back-dated
        founded = data.get("founded_on")
        if founded and founded > dates.today():
            self.add_error("founded_on", _("%(day)s is in the future.") % {"day": dates.day_text(founded)})
        if any(f in self.errors for f in ("bin", "name", "kind", "oked_main", "oked_additional", "kato")):
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


class LeaveForm(RecordedDayForm):
    """The day a participant left (``on``: the first day it is no longer a member) and, when
    earlier than today, the reason."""

    on = DayField(label=_("Left on"), required=False, help_text=_("the first day the participant is no longer a member; leave empty for today"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class DecisionForm(forms.Form):
    """The organizer's decision on an application for inclusion (decided today)."""

    decision = forms.ChoiceField(choices=[("approve", _("Include")), ("reject", _("Refuse"))])
    note = forms.CharField(required=False, max_length=2000)


class ImportForm(forms.Form):
    """The XLSX workbook of the import (its content is checked by :func:`klaster.common.files.check_upload`)."""

    file = forms.FileField(label=_("Workbook (.xlsx)"))


class NewClusterForm(forms.Form):
    """The association's application for a new register entry: the cluster (code, names, sector,
    regions) and the association (its BIN is the applicant's organisation, from its profile)."""

    code = forms.SlugField(label=_("Register code"), max_length=50, help_text=_("Latin letters, digits and hyphens, e.g. karaganda-construction"))
    name_ru = forms.CharField(label=_("name (Russian)"), max_length=200)
    name_kk = forms.CharField(label=_("name (Kazakh)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    oked = forms.CharField(label=_("specialisation (OKED)"), max_length=10, help_text=_("e.g. 23 or 23.61"))
    regions = forms.MultipleChoiceField(label=_("Regions"))
    association_name = forms.CharField(label=_("Name of the association"), max_length=300)
    association_oked = forms.CharField(label=_("OKED of the association"), max_length=10, initial="94.11")
    association_kato = forms.CharField(label=_("KATO of the association's address"), max_length=9, help_text=_("9 digits"))
    association_address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from klaster.reference.models import Region

        self.fields["regions"].choices = [(r.kato, r.name_ru) for r in Region.objects.defer("boundary").order_by("kato")]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code in RESERVED_CODES:
            raise ValidationError(_("%(code)s is a word of the register's addresses; choose another code.") % {"code": code}, code="reserved")
        return code


class ExcludeForm(RecordedDayForm):
    """The organizer's exclusion: its day (the first day the cluster is no longer in the register;
    the reason when earlier than today) and its written reasons."""

    on = DayField(label=_("Excluded from"), required=False, help_text=_("the first day the cluster is no longer in the register; leave empty for today"))
    note = forms.CharField(label=_("Reasons for the exclusion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class WinnerForm(forms.Form):
    """The organizer's act on a competition winner: include it as a new register entry (code,
    Kazakh and English names, sector when the package gives none) or record the win for the entry
    whose association won."""

    application = IdField()
    action = forms.ChoiceField(choices=[("include", _("Include in the register")), ("link", _("Record the win for the cluster"))])
    code = forms.SlugField(label=_("Register code"), max_length=50, required=False)
    name_kk = forms.CharField(label=_("name (Kazakh)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    oked = forms.CharField(label=_("specialisation (OKED)"), max_length=10, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "include":
            if not data.get("code"):
                self.add_error("code", _("Give the register code of the new entry."))
            elif data["code"] in RESERVED_CODES:
                self.add_error("code", _("%(code)s is a word of the register's addresses; choose another code.") % {"code": data["code"]})
        return data
