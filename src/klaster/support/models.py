"""Reimbursement applications under the support instruments of "Productivity 2020".

An application pins the instruments regulation (id, version, SHA-256) and the readings of the act
it is computed under when it is registered; its facts, cost lines, documents, events (registered,
completeness-passed, decided, …), the computed amount with its explanation, the agreement and any
refund are kept here. An application carries a version (optimistic locking,
:mod:`klaster.common.locking`): the applicant's edits of a draft or returned application carry the
version the page showed. Operations: :mod:`klaster.support.domain`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klaster.common.locking import VersionField
from klaster.support.uploads import storage_name


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    REGISTERED = "registered", _("registered")
    INCOMPLETE = "incomplete", _("incomplete: returned for correction")
    COMPLETE = "complete", _("complete: under review")
    APPROVED = "approved", _("reimbursement approved")
    REFUSED = "refused", _("reimbursement refused")
    AGREEMENT = "agreement", _("agreement signed")
    PAID = "paid", _("paid")
    BREACHED = "breached", _("agreement breached: refund due")
    REFUNDED = "refunded", _("refunded")


class Application(models.Model):
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_applications")
    participant = models.ForeignKey("register.Participant", on_delete=models.PROTECT, related_name="support_applications")
    cluster = models.ForeignKey("register.Cluster", null=True, blank=True, on_delete=models.PROTECT, related_name="support_applications")
    component = models.CharField(_("instrument component"), max_length=5)
    procedure = models.CharField(_("procedure"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    regulation_pin = models.JSONField(_("regulation pinned"), default=dict)
    facts = models.JSONField(_("applicant's facts"), default=dict)
    executor = models.JSONField(_("executor"), default=dict)
    documents = models.JSONField(_("documents provided"), default=list)
    events = models.JSONField(_("events"), default=dict)
    eligibility = models.JSONField(_("eligibility findings"), default=list)
    amount = models.DecimalField(_("reimbursable amount, tenge"), max_digits=16, decimal_places=2, null=True, blank=True)
    unit_amounts = models.JSONField(_("amounts per employee/specialist"), default=dict)
    explanation = models.JSONField(_("explanation"), default=dict)
    decision_note = models.TextField(_("reasons"), blank=True)
    readings = models.JSONField(_("readings of the act used"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Invented for the demonstration.
    is_demo = models.BooleanField(default=False)
    version = VersionField()

    class Meta:
        verbose_name = _("support application")
        verbose_name_plural = _("support applications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.component} {self.participant.name}"


class CostLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="costs")
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount, tenge"), max_digits=16, decimal_places=2)
    incurred_on = models.DateField(_("incurred on"))
    unit_id = models.CharField(_("employee / specialist"), max_length=300, blank=True,
                               help_text=_("several employees of one contract separated by “;” (the cost is split equally)"))
    kind = models.CharField(_("kind"), max_length=20, default="services", choices=[("services", _("services")), ("labour", _("labour")), ("travel", _("travel")), ("accommodation", _("accommodation")), ("per-diem", _("per diem")), ("other", _("other"))])
    budget_funded = models.BooleanField(_("financed from the budget under another programme"), default=False)
    period_start = models.DateField(_("work from"), null=True, blank=True)
    period_end = models.DateField(_("work to"), null=True, blank=True)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["application", "incurred_on", "id"]


class Agreement(models.Model):
    """The reimbursement agreement (§5.4, instruments 2–5, items 6–9)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="agreement")
    amount = models.DecimalField(_("amount, tenge"), max_digits=16, decimal_places=2)
    signed_on = models.DateField(_("signed on"))
    target_indicator = models.CharField(_("target indicator"), max_length=300, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    breached_on = models.DateField(_("breached on"), null=True, blank=True)
    breach_note = models.TextField(_("breach"), blank=True)
    refund_amount = models.DecimalField(_("refund due, tenge"), max_digits=16, decimal_places=2, null=True, blank=True)
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("reimbursement agreement")
        verbose_name_plural = _("reimbursement agreements")


class ApplicationDocument(models.Model):
    """A file for one item of the application's document checklist (§5.4 document lists).

    Stored under ``MEDIA_ROOT`` with a random name (:func:`klaster.support.uploads.storage_name`);
    downloadable only through ``support:document`` (the applicant who owns the application, the
    programme operator).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    code = models.CharField(_("checklist item"), max_length=60)
    file = models.FileField(_("file"), upload_to=storage_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size, bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "code", "id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.original_name}"
