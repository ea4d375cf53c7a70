"""Register of territorial clusters: clusters, participants, membership history, yearly
indicators (App. 2 §7 of Decree 535), inclusion applications and rankings.

Data and invariants only; operations are in :mod:`klaster.register.domain` and every change
goes through :func:`klaster.common.audit.record`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klaster.common.locking import VersionField


class ParticipantKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    SUPPLIER = "supplier", _("supplier")
    RESEARCH = "research", _("research organisation")
    EDUCATION = "education", _("educational organisation")
    INFRASTRUCTURE = "infrastructure", _("infrastructure organisation")
    ASSOCIATION = "association", _("association")
    OTHER = "other", _("other")


class ClusterStatus(models.TextChoices):
    APPLIED = "applied", _("applied for inclusion")
    INCLUDED = "included", _("included in the register")
    REJECTED = "rejected", _("inclusion refused")
    EXCLUDED = "excluded", _("excluded from the register")


class Participant(models.Model):
    """A legal entity taking part in one or more clusters (App. 2 §7 profile)."""

    bin = models.CharField(_("BIN"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("type"), max_length=20, choices=ParticipantKind.choices, default=ParticipantKind.ENTERPRISE)
    oked_main = models.CharField(_("OKED, main activity"), max_length=5, help_text=_("code without dots, e.g. 10511"))
    oked_additional = models.JSONField(_("OKED, up to four additional activities"), default=list, blank=True)
    kato = models.CharField(_("KATO of the address"), max_length=9)
    address = models.CharField(_("address"), max_length=300, blank=True)
    affiliation_group = models.CharField(
        _("affiliation group"), max_length=100, blank=True,
        help_text=_("participants with the same non-empty group are affiliated with each other"),
    )
    specialised = models.BooleanField(_("specialised in the cluster's sector"), default=True)
    size = models.CharField(_("size"), max_length=5, choices=[("sme", _("small or medium")), ("large", _("large"))], default="sme")
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    is_demo = models.BooleanField(default=False)
    version = VersionField()

    class Meta:
        ordering = ["name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.name} ({self.bin})"

    @property
    def oked_codes(self) -> list[str]:
        return [self.oked_main, *self.oked_additional]


class Cluster(models.Model):
    """A territorial cluster in (or applying to) the register."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    oked = models.CharField(_("specialisation (OKED)"), max_length=5)
    regions = models.ManyToManyField("reference.Region", verbose_name=_("regions"), related_name="clusters", blank=True)
    region_label_ru = models.CharField(_("region as printed"), max_length=200, blank=True)
    association = models.ForeignKey(Participant, verbose_name=_("cluster association"), null=True, blank=True, on_delete=models.SET_NULL, related_name="associations")
    status = models.CharField(_("status"), max_length=10, choices=ClusterStatus.choices, default=ClusterStatus.APPLIED)
    included_on = models.DateField(_("included on"), null=True, blank=True)
    excluded_on = models.DateField(_("excluded on"), null=True, blank=True)
    exclusion_reason = models.TextField(_("reasons for the exclusion"), blank=True)
    #: The highest stage of the competitive selection the cluster won: kept equal to the highest
    #: :class:`ClusterWin` (read from the competition's records), never typed by an applicant.
    competition_stage_won = models.PositiveSmallIntegerField(_("competition stage won"), default=0)
    esca_label = models.CharField(_("ESCA cluster management label"), max_length=10, blank=True,
                                  choices=[("bronze", _("bronze")), ("silver", _("silver")), ("gold", _("gold"))])
    esca_source = models.CharField(_("source of the ESCA label"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    #: Invented for the demonstration (dates of application and inclusion, stage won, association).
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("territorial cluster")
        verbose_name_plural = _("territorial clusters")

    def __str__(self) -> str:
        return self.name_en or self.code

    def localized_name(self, lang: str | None = None) -> str:
        lang = (lang or get_language() or "ru")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_ru or self.name_en


class Membership(models.Model):
    """A participant's membership of a cluster from ``joined_on`` to ``left_on`` (exclusive; open when null)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["cluster", "joined_on", "participant__name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "participant", "joined_on"], name="register_membership_unique_start"),
            models.CheckConstraint(condition=models.Q(left_on__isnull=True) | models.Q(left_on__gt=models.F("joined_on")), name="register_membership_left_after_joined"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.cluster} {self.joined_on}–{self.left_on or ''}"


class ParticipantIndicator(models.Model):
    """Yearly indicators of a participant (Decree 535, App. 2 §7): money in thousand tenge."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="indicators")
    year = models.PositiveSmallIntegerField(_("year"))
    turnover = models.DecimalField(_("turnover, thousand tenge"), max_digits=18, decimal_places=1, null=True, blank=True)
    export = models.DecimalField(_("export, thousand tenge"), max_digits=18, decimal_places=1, null=True, blank=True)
    net_profit_pct = models.DecimalField(_("net profit, %"), max_digits=7, decimal_places=2, null=True, blank=True)
    gross_value_added = models.DecimalField(_("gross value added, thousand tenge"), max_digits=18, decimal_places=1, null=True, blank=True)
    employees = models.PositiveIntegerField(_("average number of employees, persons"), null=True, blank=True)
    rd_staff_pct = models.DecimalField(_("staff in R&D, %"), max_digits=6, decimal_places=2, null=True, blank=True)
    rd_spending = models.DecimalField(_("R&D spending, thousand tenge"), max_digits=18, decimal_places=1, null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("participant indicators of a year")
        verbose_name_plural = _("participant indicators")
        ordering = ["participant", "year"]
        constraints = [models.UniqueConstraint(fields=["participant", "year"], name="register_indicator_unique_year")]


class InclusionApplication(models.Model):
    """The association's application to include its cluster in the register; the organizer decides."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="applications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_on = models.DateField(_("submitted on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    eligibility = models.JSONField(_("eligibility at submission"), default=list)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("reasons"), blank=True)
    #: The application created the register entry (a new cluster, not one already recorded).
    new_cluster = models.BooleanField(_("application for a new register entry"), default=False)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("application for inclusion")
        verbose_name_plural = _("applications for inclusion")
        ordering = ["-submitted_on", "-id"]


class ClusterWin(models.Model):
    """A stage of the competitive selection (Decree 535) the cluster won, read from the
    competition's records: the winning application and the Commission's decision. The register
    never takes a stage typed by an applicant; a demo win without a competition record is marked
    ``is_demo``."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="wins")
    stage = models.PositiveSmallIntegerField(_("stage won"), choices=[(1, "1"), (2, "2")])
    competition_application = models.ForeignKey("competition.Application", null=True, blank=True, on_delete=models.PROTECT, related_name="register_wins")
    competition_title = models.CharField(_("competition"), max_length=300, blank=True)
    decided_on = models.DateField(_("Commission's decision of"))
    winner_bin = models.CharField(_("winner's BIN"), max_length=12)
    winner_name = models.CharField(_("winner"), max_length=300)
    support_recommended = models.TextField(_("recommended state support"), blank=True)
    recorded_on = models.DateField(_("recorded on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("competition win")
        verbose_name_plural = _("competition wins")
        ordering = ["cluster", "stage", "decided_on"]
        constraints = [models.UniqueConstraint(fields=["competition_application"], name="register_win_once_per_application")]

    def __str__(self) -> str:
        return f"{self.cluster} won stage {self.stage} ({self.decided_on})"


class EligibilityAlert(models.Model):
    """Raised when a membership change leaves an included cluster below a mandatory eligibility
    threshold (Criteria 1.1 of Decree 535); addressed to the organizer and the cluster's
    association; resolved when a later change restores eligibility or the cluster is excluded."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="alerts")
    day = models.DateField(_("checked on"))
    raised_at = models.DateTimeField(auto_now_add=True)
    cause = models.CharField(_("cause"), max_length=300)
    #: The change that caused the check, to show in any language: ``{"event": "joined" | "left" |
    #: "import" | "recheck", "participant", "bin", "day", "name"}``.
    cause_params = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(_("checks failed"), default=list)
    recipients = models.JSONField(_("addressed to"), default=list)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("eligibility alert")
        verbose_name_plural = _("eligibility alerts")
        ordering = ["-raised_at", "-id"]


class RankingMethodology(models.Model):
    """A named, saved ranking methodology (indicators, normalisation, weights, method)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    definition = models.JSONField(_("definition"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ranking methodology")
        verbose_name_plural = _("ranking methodologies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ranking(models.Model):
    """A ranking computed with a methodology: its input table, result and sensitivity report."""

    methodology = models.ForeignKey(RankingMethodology, on_delete=models.PROTECT, related_name="rankings")
    methodology_snapshot = models.JSONField(_("methodology as used"))
    year = models.PositiveSmallIntegerField(_("data year"))
    computed_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(_("input table"))
    result = models.JSONField(_("result"))
    sensitivity = models.JSONField(_("sensitivity"))
    #: Computed from invented (demo) data.
    is_demo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["-computed_at", "-id"]
