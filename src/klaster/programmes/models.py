"""Targeted cluster programmes (ЦКП): key projects, co-financing, financing by year and source,
counter-obligations with quarterly/annual targets, quarterly reports with actuals, effect tables.

Money in mln tenge (as the seeds print it). Data and invariants only; operations are in
:mod:`klaster.programmes.domain`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.common.locking import VersionField


class Direction(models.TextChoices):
    PRIORITY = "priority-direction", _("state's priority direction (70/30)")
    BUSINESS = "business-initiative", _("business initiative (50/50)")


class FundingSource(models.TextChoices):
    REPUBLICAN = "republican-budget", _("republican budget")
    LOCAL = "local-budget", _("local budget")
    PARTICIPANTS = "participants", _("cluster participants")
    OTHER = "other", _("other")


STATE_SOURCES = (FundingSource.REPUBLICAN, FundingSource.LOCAL)


class ObligationKind(models.TextChoices):
    """What a counter-obligation is about (seed 003, ЦКП slide: innovative products, new markets,
    labour productivity…; seed 000: new products, production, exports, tax revenue)."""

    PRODUCTION = "production", _("production")
    NEW_PRODUCTS = "new-products", _("new products")
    NEW_MARKETS = "new-markets", _("new markets")
    PRODUCTIVITY = "productivity", _("labour productivity")
    JOBS = "jobs", _("jobs")
    EXPORTS = "exports", _("exports")
    TAXES = "taxes", _("tax revenue")
    OTHER = "other", _("other")


class Programme(models.Model):
    """The targeted cluster programme of one cluster."""

    cluster = models.OneToOneField("register.Cluster", on_delete=models.PROTECT, related_name="programme")
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    regulation_pin = models.JSONField(_("co-financing regulation pinned"), default=dict)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(default=False)
    version = VersionField()

    class Meta:
        verbose_name = _("targeted cluster programme")
        verbose_name_plural = _("targeted cluster programmes")
        ordering = ["cluster__code"]

    def __str__(self) -> str:
        return self.title_en or self.title_ru

    def localized_title(self, lang=None) -> str:
        lang = (lang or get_language() or "ru")[:2]
        return getattr(self, f"title_{lang}", "") or self.title_ru


class KeyProject(models.Model):
    """A key project of the programme's pool, with its co-financing split."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="projects")
    name_ru = models.CharField(_("name (Russian)"), max_length=400)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=400, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=400, blank=True)
    cost = models.DecimalField(_("cost, mln tenge"), max_digits=14, decimal_places=1)
    direction = models.CharField(_("co-financing direction"), max_length=20, choices=Direction.choices, default=Direction.PRIORITY)
    state_amount = models.DecimalField(_("state share, mln tenge"), max_digits=14, decimal_places=1)
    participants_amount = models.DecimalField(_("participants' share, mln tenge"), max_digits=14, decimal_places=1)
    printed_participants_amount = models.DecimalField(_("participants' share as printed in the source, mln tenge"), max_digits=14, decimal_places=1, null=True, blank=True)
    selected = models.BooleanField(_("selected for co-financing"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    version = VersionField()

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["programme", "id"]

    def __str__(self) -> str:
        return self.name_en or self.name_ru

    def localized_name(self, lang=None) -> str:
        lang = (lang or get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_ru


class Financing(models.Model):
    """Financing of a project in one year from one source (mln tenge)."""

    project = models.ForeignKey(KeyProject, on_delete=models.CASCADE, related_name="financing")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=20, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount, mln tenge"), max_digits=14, decimal_places=1)
    illustrative = models.BooleanField(_("illustrative (not from the source document)"), default=False)

    class Meta:
        verbose_name = _("financing of a year")
        verbose_name_plural = _("financing")
        ordering = ["project", "year", "source"]
        constraints = [models.UniqueConstraint(fields=["project", "year", "source"], name="programmes_financing_unique")]


class CounterObligation(models.Model):
    """A counter-obligation of the cluster's participants (indicator, unit, base-year value)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="obligations")
    indicator_ru = models.CharField(_("indicator (Russian)"), max_length=300)
    indicator_kk = models.CharField(_("indicator (Kazakh)"), max_length=300, blank=True)
    indicator_en = models.CharField(_("indicator (English)"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=50)
    base_year = models.PositiveSmallIntegerField(_("base year"))
    base_value = models.DecimalField(_("base-year value"), max_digits=18, decimal_places=2)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    kind = models.CharField(_("kind of obligation"), max_length=20, choices=ObligationKind.choices, default=ObligationKind.OTHER)
    #: The participant that took the obligation; None: the cluster's participants together.
    participant = models.ForeignKey("register.Participant", verbose_name=_("participant"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="counter_obligations")
    #: Where the base value and targets come from (e.g. "seed 003, line 429"); empty: typed by the organizer.
    source = models.CharField(_("source"), max_length=300, blank=True)
    #: Targets (and the obligation itself) invented for the demonstration.
    is_demo = models.BooleanField(default=False)
    version = VersionField()

    class Meta:
        verbose_name = _("counter-obligation")
        verbose_name_plural = _("counter-obligations")
        ordering = ["programme", "id"]

    def __str__(self) -> str:
        return self.indicator_en or self.indicator_ru

    def localized_indicator(self, lang=None) -> str:
        lang = (lang or get_language() or "ru")[:2]
        return getattr(self, f"indicator_{lang}", "") or self.indicator_ru


class ObligationTarget(models.Model):
    """Target of an obligation for a quarter (1–4) or, with ``quarter`` null, for the year."""

    obligation = models.ForeignKey(CounterObligation, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("target of a quarter")
        verbose_name_plural = _("targets")
        ordering = ["obligation", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "year", "quarter"], name="programmes_target_unique"),
            models.CheckConstraint(condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4), name="programmes_target_quarter_1_4"),
        ]


class QuarterlyReport(models.Model):
    """The quarterly monitoring report of a programme (seed 000: once a quarter)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    #: Actuals invented for the demonstration.
    is_demo = models.BooleanField(default=False)
    version = VersionField()

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["programme", "year", "quarter"]
        constraints = [models.UniqueConstraint(fields=["programme", "year", "quarter"], name="programmes_report_unique")]


class ObligationActual(models.Model):
    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="actuals")
    obligation = models.ForeignKey(CounterObligation, on_delete=models.CASCADE, related_name="actuals")
    value = models.DecimalField(_("actual"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("actual of a quarter")
        verbose_name_plural = _("actuals")
        constraints = [models.UniqueConstraint(fields=["report", "obligation"], name="programmes_actual_unique")]


class ProgrammePayment(models.Model):
    """A payment of the state's share of a key project (mln tenge), recorded by the organizer:
    the payments of a cluster's line (112 mln tenge a year, regulation ``budget-lines``)."""

    project = models.ForeignKey(KeyProject, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    source = models.CharField(_("source"), max_length=20, choices=[(s.value, s.label) for s in STATE_SOURCES])
    amount = models.DecimalField(_("amount, mln tenge"), max_digits=14, decimal_places=1)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("programme payment")
        verbose_name_plural = _("programme payments")
        ordering = ["project", "paid_on", "id"]


class EffectRow(models.Model):
    """A row of an effect table: the region's sector indicator, base → forecast year (seed 003)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="effects")
    indicator = models.CharField(_("indicator"), max_length=20, choices=[("production", _("production")), ("exports", _("exports")), ("taxes", _("tax revenue")),
                                                                         ("new-products", _("new products")), ("unlabelled", _("unlabelled table"))])
    unit = models.CharField(_("unit"), max_length=20)
    base_year = models.PositiveSmallIntegerField(_("base year"))
    base_value = models.DecimalField(_("base-year value"), max_digits=18, decimal_places=2)
    forecast_year = models.PositiveSmallIntegerField(_("forecast year"))
    forecast_value = models.DecimalField(_("forecast value"), max_digits=18, decimal_places=2)
    printed_effect_pct = models.DecimalField(_("effect as printed, %"), max_digits=7, decimal_places=1, null=True, blank=True)
    cluster_share_pct = models.DecimalField(_("of which due to the cluster's projects, %"), max_digits=7, decimal_places=1, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("effect of the programme")
        verbose_name_plural = _("effects of the programme")
        ordering = ["programme", "indicator"]
        constraints = [models.UniqueConstraint(fields=["programme", "indicator"], name="programmes_effect_unique")]
