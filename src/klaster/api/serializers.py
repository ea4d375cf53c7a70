"""What the API returns: one serializer per kind of record, documented in the OpenAPI schema.

A machine format: names in all three languages side by side (``{"kk", "ru", "en"}``), codes
instead of labels (states, kinds), dates ISO, amounts as decimal strings with a point. Records
invented by the demo data carry ``is_demo: true`` (the register's, programmes' and support's
``is_demo`` columns; a competition or an application is a demo record when the account that
created it is a demo account, ``Profile.is_demo``).
"""

from __future__ import annotations

from rest_framework import serializers


class NamesSerializer(serializers.Serializer):
    """A name in the three interface languages."""

    kk = serializers.CharField()
    ru = serializers.CharField()
    en = serializers.CharField()


def names(obj, prefix: str) -> dict:
    """``{"kk", "ru", "en"}`` of ``obj.<prefix>_kk`` … (empty text where a language is missing)."""
    return {lang: getattr(obj, f"{prefix}_{lang}", "") or "" for lang in ("kk", "ru", "en")}


# ------------------------------------------------------------------------------------------ register


class EligibilitySerializer(serializers.Serializer):
    """One eligibility check of the register (thresholds of Decree 535 with their clause)."""

    id = serializers.CharField()
    clause = serializers.CharField()
    required = serializers.IntegerField()
    actual = serializers.IntegerField()
    passed = serializers.BooleanField()


class ActSerializer(serializers.Serializer):
    """The act the eligibility figures are computed under, and whether it is in force on the date asked."""

    id = serializers.CharField()
    version = serializers.CharField()
    in_force_on_date = serializers.BooleanField()


class ClusterSerializer(serializers.Serializer):
    """A cluster as the register shows it on the date asked for."""

    code = serializers.CharField()
    is_demo = serializers.BooleanField(help_text="Invented by the demo data (the fields listed in `invented`).")
    invented = serializers.ListField(child=serializers.CharField(), help_text="Fields the demo data invents for this cluster (empty for real records).")
    name = NamesSerializer()
    oked = serializers.CharField(help_text="OKED of the cluster's specialisation")
    regions = serializers.ListField(child=serializers.CharField(), help_text="KATO codes of the cluster's regions")
    status = serializers.CharField()
    included_on = serializers.DateField(allow_null=True)
    association_bin = serializers.CharField(allow_null=True)
    members = serializers.IntegerField(help_text="members on the date")
    eligibility = EligibilitySerializer(many=True)


class MemberSerializer(serializers.Serializer):
    bin = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    oked_main = serializers.CharField()
    oked_additional = serializers.ListField(child=serializers.CharField())
    kato = serializers.CharField()
    is_demo = serializers.BooleanField()


class WinSerializer(serializers.Serializer):
    """A stage of the competition the cluster won (recorded from the Commission's decision)."""

    stage = serializers.IntegerField()
    decided_on = serializers.DateField()
    competition = serializers.CharField()
    winner_bin = serializers.CharField()
    is_demo = serializers.BooleanField()


class ClusterDetailSerializer(ClusterSerializer):
    """A cluster's public profile on the date: its members then and the stages it won."""

    source = serializers.CharField()
    esca_label = serializers.CharField(allow_null=True)
    esca_source = serializers.CharField(allow_null=True)
    members_on_date = MemberSerializer(many=True)
    wins = WinSerializer(many=True)


# ------------------------------------------------------------------------------------------ competition


class RegulationPinSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    version = serializers.CharField(allow_null=True)


class CompetitionSerializer(serializers.Serializer):
    """A competition's announcement (§4): its dates and state."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField(help_text="state code, e.g. stage1_intake, published")
    announced_on = serializers.DateField(allow_null=True)
    stage1_intake_closes = serializers.DateField()
    stage2_intake_closes = serializers.DateField(allow_null=True)
    public_note = serializers.CharField()
    rerun_of = serializers.IntegerField(allow_null=True)
    regulation = RegulationPinSerializer()
    is_demo = serializers.BooleanField()
    url = serializers.CharField(help_text="the public page")


class ResultSerializer(serializers.Serializer):
    """A winner of a competition whose results are published (§40), as its public page shows it."""

    competition = serializers.IntegerField()
    competition_title = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    cluster_name = serializers.CharField()
    participant = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    recommended_support = serializers.CharField()
    is_demo = serializers.BooleanField()


class DeadlineSerializer(serializers.Serializer):
    """A deadline of the procedure with its clause (computed on the working calendar)."""

    step = serializers.CharField()
    clause = serializers.CharField()
    actor = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    done = serializers.DateField(allow_null=True)
    state = serializers.CharField(help_text="pending, due, overdue, met, late, open or closed")


class ApplicationSerializer(serializers.Serializer):
    """An applicant's own application (package) in a competition, with its deadlines."""

    id = serializers.IntegerField()
    competition = serializers.IntegerField()
    competition_title = serializers.CharField()
    stage = serializers.IntegerField()
    state = serializers.CharField()
    registration_number = serializers.CharField()
    registered_at = serializers.DateTimeField(allow_null=True)
    organisation_name = serializers.CharField()
    organisation_bin = serializers.CharField()
    cluster_name = serializers.CharField()
    region_kato = serializers.CharField()
    notice = serializers.CharField(help_text="the written notice of a return or withdrawal")
    deadlines = DeadlineSerializer(many=True)
    is_demo = serializers.BooleanField()


# ------------------------------------------------------------------------------------------ programmes


class ProgrammeSerializer(serializers.Serializer):
    """A targeted cluster programme (ЦКП) in brief."""

    code = serializers.CharField(help_text="the cluster's code")
    cluster = NamesSerializer()
    title = NamesSerializer()
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    source = serializers.CharField()
    is_demo = serializers.BooleanField()


class IndicatorSerializer(serializers.Serializer):
    """A counter-obligation's target for a year or quarter against the actual reported."""

    obligation = serializers.IntegerField()
    indicator = NamesSerializer()
    kind = serializers.CharField()
    unit = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    base_year = serializers.IntegerField()
    base_value = serializers.DecimalField(max_digits=18, decimal_places=2)
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True, help_text="null: the annual target")
    target = serializers.DecimalField(max_digits=18, decimal_places=2)
    actual = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    difference = serializers.DecimalField(max_digits=19, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    missed = serializers.BooleanField()
    report_due = serializers.DateField()
    timing = serializers.CharField(help_text="on-time, late, overdue or not-due")
    days_late = serializers.IntegerField()
    is_demo = serializers.BooleanField()


# ------------------------------------------------------------------------------------------ support


class SupportDeadlineSerializer(serializers.Serializer):
    step = serializers.CharField()
    clause = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    status = serializers.CharField(help_text="done, open, overdue, pending or passed-over")
    done_on = serializers.DateField(allow_null=True)


class AgreementSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    signed_on = serializers.DateField()
    paid_on = serializers.DateField(allow_null=True)
    refund_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    refunded_on = serializers.DateField(allow_null=True)


class SupportApplicationSerializer(serializers.Serializer):
    """An application for a support instrument ("Productivity 2020") with its amounts, tenge."""

    id = serializers.IntegerField()
    participant_bin = serializers.CharField()
    participant = serializers.CharField()
    cluster = serializers.CharField(allow_null=True)
    component = serializers.CharField()
    procedure = serializers.CharField()
    status = serializers.CharField()
    claimed = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="sum of the cost lines, tenge")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, help_text="reimbursable amount, tenge")
    agreement = AgreementSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    deadlines = SupportDeadlineSerializer(many=True)
    is_demo = serializers.BooleanField()

