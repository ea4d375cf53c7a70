"""A small world for web tests of the register, programmes and support apps.

Two included clusters in different regions (Karaganda and Pavlodar), each with its association,
members, a targeted programme with a key project, financing and a counter-obligation with
quarterly targets; one support application of cluster A's association; one user per role, and
two applicants (the associations of A and of B).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from klaster.accounts.roles import Role
from klaster.common.bin import make_number

D = dt.date
KARAGANDA, PAVLODAR = "350000000", "550000000"
#: The applicant's declaration that the costs are not financed from the budget under other programmes (§5.1).
DECLARED = {"declarations": {"not-budget-funded": True}}


def pdf_bytes() -> bytes:
    """A real one-page PDF (uploads are opened with a PDF library, four magic bytes are not enough)."""
    import io

    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def bin_(serial: int) -> str:
    """A valid 12-digit BIN (check digit) for test legal entities."""
    while True:
        b = make_number(f"150440{serial:05d}")
        if b:
            return b
        serial += 1000


@dataclass
class World:
    a: object
    b: object
    prog_a: object
    prog_b: object
    ob_a: object
    member_a: object
    member_b: object
    app_a: object
    users: dict = field(default_factory=dict)


def _cluster(code, region_kato, serial, names):
    from klaster.reference.models import Region
    from klaster.register.domain import services as reg
    from klaster.register.models import Cluster

    c = Cluster.objects.create(code=code, name_kk=names[0], name_ru=names[1], name_en=names[2], oked="23", status="included", included_on=D(2020, 1, 1), competition_stage_won=1)
    c.regions.add(Region.objects.get(kato=region_kato))
    assoc = reg.save_participant(actor=None, bin=bin_(serial), name=f"Association {code}", kind="association", oked_main="9411", kato=region_kato)
    c.association = assoc
    c.save()
    reg.join(actor=None, cluster=c, participant=assoc, joined_on=D(2020, 1, 1))
    member = reg.save_participant(actor=None, bin=bin_(serial + 1), name=f"Plant {code}", kind="enterprise", oked_main="2361", kato=region_kato, founded_on=D(2010, 1, 1))
    reg.join(actor=None, cluster=c, participant=member, joined_on=D(2020, 1, 1))
    return c, member


def build_world(make_user) -> World:
    from klaster.programmes import domain as pd
    from klaster.support import domain as sd

    a, member_a = _cluster("alpha", KARAGANDA, 100, ("Альфа кластері", "Кластер Альфа", "Alpha cluster"))
    b, member_b = _cluster("beta", PAVLODAR, 200, ("Бета кластері", "Кластер Бета", "Beta cluster"))
    progs, obs = [], []
    for c in (a, b):
        p = pd.create_programme(actor=None, cluster=c, title_ru=f"ЦКП {c.name_ru}", title_kk=f"МКБ {c.name_kk}", title_en=f"Programme {c.name_en}", start_year=2021, end_year=2025)
        pr = pd.add_project(actor=None, programme=p, name_ru="Завод", cost=Decimal("100"), direction="priority-direction")
        pd.set_financing(actor=None, project=pr, year=2022, source="republican-budget", amount=Decimal("70"))
        ob = pd.add_obligation(actor=None, programme=p, indicator_ru="Производство", indicator_en="Production", unit="mln tenge", base_year=2020, base_value=Decimal("100"),
                               targets={(2022, 1): Decimal("30"), (2022, 2): Decimal("31"), (2022, 3): Decimal("32"), (2022, 4): Decimal("33"), (2022, None): Decimal("126")})
        progs.append(p)
        obs.append(ob)
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):  # tests log in with force_login
        users = _users(make_user, a, b)
    app = sd.create_application(actor=users["applicant"], participant=member_a, component="5b", cluster=a, facts=DECLARED)
    sd.add_cost(actor=users["applicant"], application=app, description="plan", amount=Decimal("50000000"), incurred_on=D(2024, 2, 1))
    sd.register(actor=users["applicant"], application=app, on=D(2024, 3, 20), reason="test world: an application of 2024")
    return World(a=a, b=b, prog_a=progs[0], prog_b=progs[1], ob_a=obs[0], member_a=member_a, member_b=member_b, app_a=app, users=users)


def _users(make_user, a, b) -> dict:
    return {
        "organizer": make_user("w_organizer", Role.ORGANIZER),
        "analyst": make_user("w_analyst", Role.ANALYST),
        "expert": make_user("w_expert", Role.EXPERT),
        "akimat": make_user("w_akimat", Role.AKIMAT, region_kato=KARAGANDA),
        "authorized_body": make_user("w_authorized", Role.AUTHORIZED_BODY),
        "regional_body": make_user("w_regional", Role.REGIONAL_BODY),
        "commission_secretary": make_user("w_secretary", Role.COMMISSION_SECRETARY),
        "applicant": make_user("w_applicant", Role.APPLICANT, organisation_bin=a.association.bin),
        "applicant_b": make_user("w_applicant_b", Role.APPLICANT, organisation_bin=b.association.bin),
        "administrator": make_user("w_admin", Role.ADMINISTRATOR),
    }
