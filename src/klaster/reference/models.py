"""Reference data: Kazakhstan's regions and territorial changes, KATO, OKED.

Loaded by ``klaster load-reference`` (:mod:`klaster.reference.loaders`), idempotently.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from klaster.reference.codes import display_oked, normalize_oked  # noqa: F401 (re-exported)


class LocalizedNameMixin:
    """``localized_name()`` picks ``name_<lang>`` and falls back (visibly, see ``name_fallback``)."""

    FALLBACK_ORDER = {"kk": ("kk", "ru", "en"), "ru": ("ru", "en", "kk"), "en": ("en", "ru", "kk")}

    def localized(self, lang: str | None = None) -> tuple[str, str]:
        """(name, language it is in) for ``lang`` (default: the active language)."""
        lang = (lang or get_language() or "ru")[:2]
        for code in self.FALLBACK_ORDER.get(lang, ("ru", "en", "kk")):
            v = getattr(self, f"name_{code}", "")
            if v:
                return v, code
        return "", lang

    def localized_name(self, lang: str | None = None) -> str:
        return self.localized(lang)[0]


class Region(LocalizedNameMixin, models.Model):
    """A first-level unit (oblast or city of republican significance) of the 2024 frame."""

    kato = models.CharField(_("KATO"), max_length=9, unique=True)
    iso = models.CharField(_("ISO 3166-2"), max_length=6, unique=True)
    iso_alpha = models.CharField(_("former ISO 3166-2 alpha code"), max_length=6, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=[("oblast", _("oblast")), ("city", _("city of republican significance"))])
    valid_from = models.DateField(_("in the frame since"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON geometry, WGS84)"), null=True, blank=True)

    class Meta:
        ordering = ["kato"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.kato} {self.name_en}"


class TerritorialChange(models.Model):
    """A change of the first-level frame: ``from_units`` became ``to_units`` on ``date``.

    Names are stored as KATO codes (old units keep their historical codes) and English labels.
    """

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=[("split", _("split")), ("carve-out", _("new unit carved out"))])
    from_units = models.JSONField(_("from (KATO: name)"))
    to_units = models.JSONField(_("to (KATO: name)"))
    basis = models.CharField(_("basis"), max_length=300)

    class Meta:
        verbose_name = _("territorial change")
        verbose_name_plural = _("territorial changes")
        ordering = ["date", "id"]
        unique_together = [("date", "basis")]

    def __str__(self) -> str:
        return f"{self.date} {self.basis}"


class KatoUnit(models.Model):
    """A unit of the KATO classifier (17 Oct 2022), Russian name."""

    code = models.CharField(_("KATO"), max_length=9, unique=True)
    source_id = models.PositiveIntegerField(unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"))  # 1 region, 2 district/city, 3 rural district/town, 4 settlement

    class Meta:
        ordering = ["code"]
        verbose_name = _("KATO unit")
        verbose_name_plural = _("KATO units")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ru}"


class OkedCode(LocalizedNameMixin, models.Model):
    """A code of OKED (НК РК 03-2019): section A–U, division 2, group 3, class 4 or subclass 5 digits.

    ``code`` is stored without dots ("10511"); ``display_code`` with them ("10.51.1").
    """

    LEVELS = ["section", "division", "group", "class", "subclass"]
    #: The levels as the classifier names them (НК РК 03-2019: секция, раздел, группа, класс,
    #: подкласс; kk: секция, бөлім, топ, сынып, кіші сынып).
    LEVEL_LABELS = {"section": pgettext_lazy("OKED level", "section"), "division": pgettext_lazy("OKED level", "division"),
                    "group": pgettext_lazy("OKED level", "group"), "class": pgettext_lazy("OKED level", "class"),
                    "subclass": pgettext_lazy("OKED level", "subclass")}

    code = models.CharField(_("code"), max_length=5, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=list(LEVEL_LABELS.items()), db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    section = models.CharField(_("section"), max_length=1, db_index=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["section", "code"]
        verbose_name = _("OKED code")
        verbose_name_plural = _("OKED codes")

    def __str__(self) -> str:
        return f"{self.display_code} {self.name_ru}"

    @property
    def display_code(self) -> str:
        return display_oked(self.code)
