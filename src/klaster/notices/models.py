"""Notices: one message to one user, in the app (the inbox) and, when the user has an address, by
e-mail through the outbox (the delivery fields of :class:`Notice`), with retries.

Every notice names its kind (:mod:`klaster.notices.kinds`), the clause that requires it and the
object it is about; its subject and body are rendered once, when it is written, in the recipient's
language (:func:`klaster.notices.service.language_of`) from the :class:`NoticeTemplate` of its kind
(editable in the admin; defaults shipped in :mod:`klaster.notices.kinds`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]


class Notice(models.Model):
    class Email(models.TextChoices):
        NONE = "none", _("no address")
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (no more attempts)")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=40)
    clause = models.CharField(_("clause"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES, default="ru")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    #: path of the page of the object (may be empty)
    link = models.CharField(_("link"), max_length=300, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    #: the audit entry that produced it (None for scheduled notices)
    audit_entry = models.ForeignKey("common.AuditEntry", verbose_name=_("audit entry"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: makes a notice unique per recipient ("audit:<id>:<kind>", "reminder:…", "escalation:…")
    key = models.CharField(_("key"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # the outbox: e-mail delivery
    email_to = models.EmailField(_("e-mail address"), blank=True)
    email_state = models.CharField(_("e-mail state"), max_length=10, choices=Email.choices, default=Email.NONE)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notices_notice_once")]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["email_state", "next_try_at"])]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind} {self.subject[:60]}"


class NoticeTemplate(models.Model):
    """The texts of a notice kind in kk/ru/en (Django template syntax; plain text). Created from the
    shipped defaults after migrate; an administrator edits them in the admin."""

    kind = models.CharField(_("kind"), max_length=40, unique=True)
    subject_kk = models.CharField(_("subject (Kazakh)"), max_length=300)
    subject_ru = models.CharField(_("subject (Russian)"), max_length=300)
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    body_kk = models.TextField(_("text (Kazakh)"))
    body_ru = models.TextField(_("text (Russian)"))
    body_en = models.TextField(_("text (English)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")

    def __str__(self) -> str:
        return self.kind


class Preference(models.Model):
    """The language a user receives notices in (chosen on the inbox page; default Russian)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notice_preference")
    language = models.CharField(_("language of notices"), max_length=2, choices=LANGUAGES, default="ru")

    class Meta:
        verbose_name = _("notice language")
        verbose_name_plural = _("notice languages")
