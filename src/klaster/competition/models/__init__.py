"""Data of the competitive selection: competitions pinned to a regulation version, applications with
frozen package versions, documents, participants, conclusions, expert assignments and score sheets
(optimistic locking), Commission decisions, and the recorded events the deadlines run from.

Invariants only; the operations are in :mod:`klaster.competition.domain.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klaster.common.locking import VersionField

STAGES = [(1, _("Stage 1")), (2, _("Stage 2"))]
BODIES = [("akimat", _("Akimat")), ("authorized_body", _("Authorized body")), ("regional_body", _("Regional development body"))]


class Competition(models.Model):
    """A competition run under one regulation version, pinned (id, version, sha256) when announced."""

    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(_("state"), max_length=30, default="draft")
    rules_pins = models.JSONField(_("regulation pinned"), default=dict, blank=True)
    scoring = models.JSONField(_("scoring configuration"), default=dict, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    stage1_intake_closes = models.DateField(_("stage-1 intake closes"))
    stage2_intake_closes = models.DateField(_("stage-2 intake closes (§26)"), null=True, blank=True)
    minimum_score = models.DecimalField(_("Commission's minimum score (§24)"), max_digits=8, decimal_places=2, null=True, blank=True)
    readings = models.JSONField(_("readings of the regulation used"), default=dict, blank=True,
                                help_text="{reading id: option id} — where the text admits two readings (regulation data 'readings')")
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reruns")
    public_note = models.TextField(_("announcement text"), blank=True)
    blind = models.BooleanField(_("blind review: experts do not see who applied"), default=False)
    #: A sample competition of the demo data (shown with a translated "sample" tag, never a suffix in the title).
    is_sample = models.BooleanField(_("sample"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-stage1_intake_closes", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def rules(self):
        """The pinned regulation (raises RegulationError if its text changed since the pin).

        Kept on the instance while its pins, scoring and readings stay the same (a page asks for it
        several times: parsing the regulation costs about 2 ms each time)."""
        import json

        from klaster.engine.competition.rules import load_pinned, load_rules

        key = json.dumps([self.rules_pins, self.scoring, self.readings], sort_keys=True, default=str)
        memo = self.__dict__.get("_rules_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        rules = load_pinned(self.rules_pins) if self.rules_pins else load_rules()
        rules = rules.with_scoring(self.scoring) if self.scoring else rules
        rules = rules.with_readings(self.readings)
        self.__dict__["_rules_memo"] = (key, rules)
        return rules

    def intake_closes(self, stage: int):
        """The intake closing date of a stage as announced (§4) or stated in the protocol (§26)."""
        return self.stage1_intake_closes if stage == 1 else self.stage2_intake_closes

    def intake_closes_effective(self, stage: int, rules=None):
        """The last day a package of the stage is accepted: the closing date, moved to the next working day
        when it is a day off and the competition's reading says so (reading ``intake_closes_on_day_off``)."""
        from klaster.common.calendar import default_calendar

        return (rules or self.rules).intake_closes_effective(default_calendar(), self.intake_closes(stage))


class CompetitionEvent(models.Model):
    """A recorded event a deadline runs from or is met by (see :mod:`klaster.engine.competition.deadlines`)."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="events")
    application = models.ForeignKey("Application", null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=80)
    day = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]


class Application(models.Model):
    """A participant's application in one stage. Its package lives in :class:`PackageVersion` rows."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="applications")
    stage = models.PositiveSmallIntegerField(choices=STAGES, default=1)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="competition_applications")
    organisation_name = models.CharField(_("participant"), max_length=300)
    organisation_bin = models.CharField(_("participant BIN"), max_length=12)
    kind = models.CharField(_("kind of participant"), max_length=50)
    cluster_name = models.CharField(_("name of the territorial cluster"), max_length=300)
    region_kato = models.CharField(_("region (KATO)"), max_length=9)
    signatory_position = models.CharField(_("signatory's position"), max_length=200, blank=True)
    signatory_name = models.CharField(_("signatory's full name"), max_length=200, blank=True)
    skipped_stage1 = models.BooleanField(_("did not take part in stage 1 (§8)"), default=False)
    stage1_application = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="stage2_applications")
    state = models.CharField(_("state"), max_length=30, default="draft")
    registration_number = models.CharField(_("registration No."), max_length=30, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=200, blank=True)
    notice = models.TextField(_("written notice (return / withdrawal)"), blank=True)
    sector_oked = models.CharField(_("sector of the cluster's specialisation (OKED)"), max_length=10, blank=True)
    statement_at = models.DateTimeField(_("statement of responsibility accepted (§12)"), null=True, blank=True)
    statement_text = models.TextField(_("statement of responsibility (§12)"), blank=True)

    class Meta:
        ordering = ["competition", "stage", "id"]

    def __str__(self) -> str:
        return f"{self.cluster_name} — {self.organisation_name}"

    @property
    def key(self) -> str:
        return f"app{self.pk}"

    def current_version(self):
        return self.versions.order_by("-number").first()

    def submitted_version(self):
        return self.versions.filter(frozen=True).order_by("-number").first()


class PackageVersion(models.Model):
    """One version of a package. A submitted version is frozen; a change before intake closes makes a
    new version (§10)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    frozen = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = VersionField()  # optimistic lock of the draft (klaster.common.locking)
    change_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="competition_version_unique")]


def upload_to(instance, filename):
    return f"competition/{instance.version.application.competition_id}/{instance.version.application_id}/v{instance.version.number}/{filename}"


class PackageDocument(models.Model):
    version = models.ForeignKey(PackageVersion, on_delete=models.CASCADE, related_name="documents")
    doc_id = models.CharField(_("document"), max_length=50)
    file = models.FileField(upload_to=upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    volume = models.PositiveSmallIntegerField(_("volume"), null=True, blank=True)
    annex_from = models.PositiveIntegerField(_("annexes start at page"), null=True, blank=True)
    annex_source = models.CharField(max_length=20, blank=True)  # "stated", "bookmark" or ""
    non_a4 = models.JSONField(default=list, blank=True)  # pages of a PDF that are not A4
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class Participant(models.Model):
    """A company or organisation of the cluster (App. 2 §7; App. 3 table)."""

    version = models.ForeignKey(PackageVersion, on_delete=models.CASCADE, related_name="participants")
    row = models.PositiveIntegerField(default=0)
    name = models.CharField(_("name"), max_length=300)
    bin = models.CharField(_("BIN"), max_length=12)
    oked = models.CharField(_("OKED (main activity)"), max_length=10)
    kato = models.CharField(_("KATO"), max_length=9)
    affiliation_group = models.CharField(_("declared affiliation group"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "row", "id"]


class Conclusion(models.Model):
    """A conclusion of the akimat (App. 3), the authorized body (§17, §28–§29) or the regional development body (§17, §33)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conclusions")
    body = models.CharField(max_length=30, choices=BODIES)
    requested_on = models.DateField(_("request registered on"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    positive = models.BooleanField(_("positive"), null=True)
    text = models.TextField(_("conclusion"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ministry = models.CharField(_("authorized body of the cluster's sector"), max_length=30, blank=True)

    class Meta:
        ordering = ["application", "body"]
        constraints = [models.UniqueConstraint(fields=["application", "body"], name="competition_conclusion_unique")]


class ExpertAssignment(models.Model):
    """An expert assigned to score an application, with the conflict-of-interest declaration."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="competition_assignments")
    auto_conflict = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_conflict = models.BooleanField(default=False)
    declaration_text = models.TextField(blank=True)
    conflict_lifted_at = models.DateTimeField(null=True, blank=True)
    conflict_lift_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="competition_assignment_unique")]

    @property
    def conflicted(self) -> bool:
        return bool(self.auto_conflict) or self.declared_conflict


class ScoreSheet(models.Model):
    """An expert's scores with a justification per criterion. ``version`` is the optimistic lock
    (:mod:`klaster.common.locking`): an edit made from a stale page is refused, not silently
    written over another one."""

    assignment = models.OneToOneField(ExpertAssignment, on_delete=models.CASCADE, related_name="sheet")
    scores = models.JSONField(default=dict)
    justifications = models.JSONField(default=dict)
    version = VersionField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class CommissionDecision(models.Model):
    """The Commission's decision on an application: passes the minimum (§24) or wins stage 2 with the support recommended (§38)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision")
    positive = models.BooleanField()
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    support = models.TextField(_("recommended state support"), blank=True)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")


class Escalation(models.Model):
    """A missed deadline escalated on one day (product.md: deadlines are escalated when missed).

    At most one per deadline (competition, step, application) per day: ``klaster competition
    escalate`` may run any number of times a day.
    """

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="escalations")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.CASCADE, related_name="escalations")
    subject = models.CharField(max_length=30, blank=True)  # application key, "" for a competition deadline
    step_id = models.CharField(max_length=80)
    clause = models.CharField(max_length=80)
    actor = models.CharField(max_length=50)
    due = models.DateField()
    day = models.DateField(_("escalated on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "competition", "step_id"]
        constraints = [models.UniqueConstraint(fields=["competition", "step_id", "subject", "day"], name="competition_escalation_once_a_day")]

    def __str__(self) -> str:
        return f"{self.competition_id}:{self.step_id}:{self.subject or '-'} overdue since {self.due:%Y-%m-%d} ({self.day:%Y-%m-%d})"


class Notification(models.Model):
    """An outbox message to one user: written first (``sent_at`` empty), then sent — shown in the
    user's in-app inbox and, when e-mail is enabled and the user has an address, e-mailed."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["escalation", "recipient"], name="competition_notification_once")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.escalation}"


# ------------------------------------------------------------------------------------------ issue 15: packages as data, records, council


class StructuredDocument(models.Model):
    """The content of a structured document of a package version (the concept, App. 2; the strategy,
    App. 5; the roadmap, App. 6) as the regulation data's structure lays it out (see
    :mod:`klaster.engine.competition.forms` for the shape of ``data``). Frozen with its version."""

    version = models.ForeignKey(PackageVersion, on_delete=models.CASCADE, related_name="structured")
    form_id = models.CharField(max_length=50)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "form_id"], name="competition_structured_unique")]


class PaperReceipt(models.Model):
    """The paper original and copy of a package received by the organizer (§9, §11): how many, whether
    the electronic copy came with them, the sheets of each volume and where each document is."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="paper")
    received_on = models.DateField(_("received on"))
    received_by = models.CharField(_("received by"), max_length=200)
    originals = models.PositiveSmallIntegerField(_("originals"))
    copies = models.PositiveSmallIntegerField(_("copies"))
    electronic = models.BooleanField(_("electronic copy received"), default=True)
    volumes = models.JSONField(default=list)  # sheets of volume 1, 2, …
    documents = models.JSONField(default=dict)  # {doc id: [volume, first sheet, last sheet]}
    version = VersionField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)


class Publication(models.Model):
    """A publication of the announcement (§4): in official print media or on the organizer's website."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="publications")
    medium = models.CharField(_("medium"), max_length=20)
    outlet = models.CharField(_("outlet"), max_length=300)
    day = models.DateField(_("published on"))
    reference = models.CharField(_("issue No. or address"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["competition", "day", "id"]


class ExpertProfile(models.Model):
    """What the allocation of experts needs beyond the account: the sectors (OKED prefixes) the expert
    knows, the BINs of organisations affiliated with the expert's, and declared interests (BINs)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile")
    sectors = models.JSONField(default=list, blank=True)
    affiliate_bins = models.JSONField(default=list, blank=True)
    interest_bins = models.JSONField(default=list, blank=True)
    interests_text = models.TextField(blank=True)
    version = VersionField()
    updated_at = models.DateTimeField(auto_now=True)


class AuthorizedBodyUser(models.Model):
    """The ministry an authorized-body user works for (an id of the ``sector-bodies`` regulation data):
    §17 and §27 send a package to the authorized body of the cluster's sector, and only its users answer."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorized_body")
    ministry = models.CharField(_("ministry"), max_length=30)

    def __str__(self) -> str:
        return f"{self.user} — {self.ministry}"


class DiscussionPost(models.Model):
    """A post in the expert council's discussion of an application (visible to the council and the
    organizer); ``kind`` ``consensus`` is the council's consensus note, recorded by the organizer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, default="comment")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "id"]


class ClarificationRequest(models.Model):
    """The organizer asks the participant to substantiate information in its package (§16, §32); the
    participant answers."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField()
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "asked_on", "id"]


class AdmissionProtocol(models.Model):
    """The admission protocol of a stage (§15 / §31): drafted with the engine's proposal per package,
    reviewed by the organizer (a decision and an editable notice per package), then signed."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="admission_protocols")
    stage = models.PositiveSmallIntegerField(choices=STAGES)
    state = models.CharField(max_length=20, default="draft")  # draft, signed
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    signed_on = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = VersionField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["competition", "stage"], name="competition_admission_protocol_once")]


class AdmissionDecision(models.Model):
    """One package in an admission protocol: the engine's proposal with its findings, the organizer's
    decision (``admit`` or ``return``), the notice to the participant, and the reason for an override."""

    protocol = models.ForeignKey(AdmissionProtocol, on_delete=models.CASCADE, related_name="decisions")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="admission_decisions")
    proposed = models.CharField(max_length=10)
    decision = models.CharField(max_length=10)
    findings = models.JSONField(default=list)  # [[message (English engine text), clause, severity], …]
    notice = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["protocol", "application"]
        constraints = [models.UniqueConstraint(fields=["protocol", "application"], name="competition_admission_decision_once")]
