"""Account data beyond Django's user: the organisation a user acts for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """The organisation a user belongs to (akimat of a region, a body, an association, an expert's employer).

    ``organisation_bin`` is used for conflict-of-interest checks (an expert whose organisation's
    BIN is among a package's participants is conflicted); ``region_kato`` scopes an akimat user
    to its region.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    organisation_bin = models.CharField(_("organisation BIN"), max_length=12, blank=True)
    region_kato = models.CharField(_("region (KATO)"), max_length=9, blank=True)
    years_experience = models.PositiveSmallIntegerField(_("years of practical experience"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.full_name or self.user.get_username()
