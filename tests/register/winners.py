"""Competition records with winners, as the competition app leaves them after the Commission's
stage-2 decision (§38): a decided competition, the stage-1 application that passed (§24) and the
stage-2 winner with their CommissionDecision rows, and the frozen package of the winner listing
its participants. Written as rows (the register only reads them; the competition's own procedure
is tested in tests/competition)."""

from __future__ import annotations

import datetime as dt

from klaster.common.bin import make_number

D = dt.date


def bin_(serial: int, prefix: str = "150440") -> str:
    while True:
        b = make_number(f"{prefix}{serial:05d}")
        if b:
            return b
        serial += 1000


def make_winner(applicant, *, n_participants: int = 12, serial: int = 7000, stage1_on=D(2016, 2, 1), stage2_on=D(2016, 6, 15),
                association_bin: str | None = None, sector: str = "23.61", region: str = "350000000", kind: str = "cluster_association",
                title: str = "Конкурс территориальных кластеров 2016", with_stage1: bool = True):
    """A decided competition whose stage-2 winner (an association) lists ``n_participants``
    unaffiliated participants; returns the stage-2 application."""
    from klaster.competition.models import Application, CommissionDecision, Competition, PackageVersion, Participant

    c = Competition.objects.create(title=title, state="decided", stage1_intake_closes=stage1_on - dt.timedelta(days=60), announced_on=stage1_on - dt.timedelta(days=130))
    assoc = association_bin or bin_(serial)
    s1 = None
    if with_stage1:
        s1 = Application.objects.create(competition=c, stage=1, applicant=applicant, organisation_name="Ассоциация «Кластер строительных материалов»",
                                        organisation_bin=assoc, kind=kind, cluster_name="Кластер строительных материалов", region_kato=region, state="passed",
                                        registration_number="1-001", sector_oked=sector)
        CommissionDecision.objects.create(application=s1, positive=True, score="8.50", decided_on=stage1_on)
    s2 = Application.objects.create(competition=c, stage=2, applicant=applicant, organisation_name="Ассоциация «Кластер строительных материалов»",
                                    organisation_bin=assoc, kind=kind, cluster_name="Кластер строительных материалов", region_kato=region, state="winner",
                                    registration_number="2-001", sector_oked=sector, stage1_application=s1)
    CommissionDecision.objects.create(application=s2, positive=True, score="9.00", decided_on=stage2_on,
                                      support="Возмещение затрат на реализацию стратегии и дорожной карты (инструмент 8)")
    v = PackageVersion.objects.create(application=s2, number=1, frozen=True)
    for i in range(n_participants):
        Participant.objects.create(version=v, row=i + 1, name=f"ТОО «Завод {i + 1}»", bin=bin_(serial + 1 + i), oked="23.61", kato=region)
    return s2
