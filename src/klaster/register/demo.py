"""Demo data of the register: the six pilot clusters of seed 003 (real names, regions, sectors),
each with its association and eleven demo participants (two of them affiliated) (names, BINs and indicators are invented
and marked as demo), included in the register on application, and a ranking of the six by the
real sector figures of seed 003. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_noop

from klaster.common.bin import make_number
from klaster.programmes import pilots
from klaster.reference.models import Region

JOINED = dt.date(2018, 1, 15)
APPLIED = dt.date(2021, 3, 1)
INCLUDED = dt.date(2021, 4, 1)
#: The reason kept in the audit trail for the demo's back-dated application and decision.
BACKDATED = "demo data: the pilot clusters of seed 003, applied and included on illustrative dates"
#: Titles of the rankings earlier demos computed (still shown, as "other rankings", in databases
#: that have them): one was built on seed 003's 2024 forecasts, which are not a development level.
SEED_RANKING = gettext_noop("Pilot clusters: sector size and dynamics (seed 003)")
PARTICIPANTS_RANKING = gettext_noop("Development level by participants' indicators (demo data)")
PARTICIPANT_KINDS = ["association", "enterprise", "enterprise", "enterprise", "enterprise", "supplier", "supplier", "research", "education", "infrastructure", "enterprise", "enterprise"]


def _bin(cluster_index: int, n: int) -> str:
    serial = cluster_index * 100 + n
    while True:
        b = make_number(f"180140{serial:05d}")
        if b:
            return b
        serial += 50


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


#: The ESCA label of the six pilots — real (seed 003): "Маркированы бронзовым лэйблом Европейским секретариатом (ESCA)".
ESCA = ("bronze", "seed 003, line 130")
#: The invented stage-1 win of each pilot (no competition record: marked demo).
DEMO_WIN_ON = dt.date(2017, 12, 15)


def load_demo(console) -> None:
    from klaster.accounts.models import Profile
    from klaster.common import audit
    from klaster.register.domain import services
    from klaster.register.models import Cluster, ClusterStatus, ClusterWin, InclusionApplication, Participant, ParticipantIndicator, Ranking, RankingMethodology

    organizer = _user("organizer")
    applicant = _user("applicant")
    made = 0
    for ci, c in enumerate(pilots.clusters(), start=1):
        cluster = Cluster.objects.filter(code=c["id"]).first()
        if cluster is None:
            cluster = Cluster.objects.create(
                code=c["id"], name_kk=c["name"]["kk"], name_ru=c["name"]["ru"], name_en=c["name"]["en"],
                oked=c["oked"].replace(".", ""), region_label_ru=c["region"]["ru"],
                source=f"seed 003, line {c['project']['line']}", is_demo=True, esca_label=ESCA[0], esca_source=ESCA[1],
            )
            cluster.regions.set(Region.objects.filter(kato__in=c["kato"]))
            audit.record(actor=None, action="register.cluster.create", obj=cluster, note="demo: pilot cluster of seed 003")
            made += 1
        kato = c["kato"][0]
        for n, kind in enumerate(PARTICIPANT_KINDS):
            b = _bin(ci, n)
            if Participant.objects.filter(bin=b).exists():
                continue
            is_assoc = kind == "association"
            name = (f"Ассоциация «{c['name']['ru']}» (демо)" if is_assoc else f"Демо-участник {n} — {c['name']['ru']}")
            p = services.save_participant(
                actor=None, bin=b, name=name, kind=kind, oked_main="9411" if is_assoc else c["oked"], oked_additional=[], kato=kato,
                affiliation_group=("G1" if n in (3, 4) else ""), specialised=not is_assoc, size="large" if n == 1 else "sme",
                founded_on=dt.date(2010 + n % 5, 3, 1), is_demo=True,
            )
            services.join(actor=None, cluster=cluster, participant=p, joined_on=JOINED)
            if is_assoc:
                cluster.association = p
                cluster.save()
            else:
                for year in (2019, 2020):
                    grow = Decimal("1.00") if year == 2019 else Decimal("1.08")
                    ParticipantIndicator.objects.create(
                        participant=p, year=year, turnover=(Decimal(150000 + 40000 * n) * ci * grow).quantize(Decimal("0.1")),
                        export=(Decimal(8000 * n) * grow).quantize(Decimal("0.1")), net_profit_pct=Decimal("6.5") + n,
                        gross_value_added=(Decimal(50000 + 10000 * n) * ci * grow).quantize(Decimal("0.1")),
                        employees=40 + 15 * n + 5 * ci, rd_staff_pct=Decimal(n % 4), rd_spending=Decimal(1500 * (n % 3)), is_demo=True,
                    )
        if cluster.status != ClusterStatus.INCLUDED and not cluster.applications.exists():
            app = services.submit_inclusion(actor=applicant, cluster=cluster, on=APPLIED, reason=BACKDATED)
            services.decide_inclusion(actor=organizer, application=app, approve=True, on=INCLUDED, note="", reason=BACKDATED)
        InclusionApplication.objects.filter(cluster=cluster, is_demo=False).update(is_demo=True)
        if not cluster.esca_label:
            Cluster.objects.filter(pk=cluster.pk).update(esca_label=ESCA[0], esca_source=ESCA[1])
        if cluster.association and not cluster.wins.exists():
            ClusterWin.objects.create(cluster=cluster, stage=1, decided_on=DEMO_WIN_ON, winner_bin=cluster.association.bin, winner_name=cluster.association.name,
                                      recorded_on=INCLUDED, source="demo: an invented stage-1 win (no competition record)", is_demo=True)
            Cluster.objects.filter(pk=cluster.pk).update(competition_stage_won=1)
    # the demo applicant user acts for the construction cluster's association
    construction = Cluster.objects.get(code="construction")
    if applicant is not None and construction.association:
        Profile.objects.filter(user=applicant, organisation_bin="").update(organisation_bin=construction.association.bin)
    # the ranking by development level: the register's own indicators (of the demo participants:
    # the ranking is marked demo), the methodology of the data file (no forecast is a development level)
    from klaster.register.domain import ranking

    m = ranking.methodology()
    if not RankingMethodology.objects.filter(name=m.name).exists():
        mo = services.save_methodology(actor=organizer, methodology=m, meta=ranking.meta())
        services.compute_ranking(actor=organizer, methodology=mo, year=2020)
    console.print(f"register: {Cluster.objects.count()} clusters ({made} new), {Participant.objects.count()} participants, {Ranking.objects.count()} rankings")
