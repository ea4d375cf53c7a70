"""Demo accounts: one per role, created idempotently by ``klaster demo`` and printed at start.

The demo password is the same for all demo accounts and is printed; demo accounts exist only
in a database set up with ``klaster demo`` and are marked as such in their profile.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from klaster.accounts.models import Profile
from klaster.accounts.roles import Role

DEMO_PASSWORD = "klaster-demo-2026"

# username, role, full name, position, organisation, BIN, region KATO, years of experience
DEMO_USERS = [
    ("organizer", Role.ORGANIZER, "Айгерим Организатор", "Главный эксперт", "Министерство промышленности и строительства РК", "", "", None),
    ("analyst", Role.ANALYST, "Данияр Аналитик", "Аналитик", "АО «QazIndustry»", "", "", None),
    ("expert", Role.EXPERT, "Ержан Эксперт", "Член экспертного совета", "ТОО «Демо-консалтинг (образец)»", "", "", 12),
    ("expert2", Role.EXPERT, "Гульнара Эксперт", "Член экспертного совета", "Демо-университет (образец)", "", "", 8),
    ("expert3", Role.EXPERT, "Марат Эксперт", "Член экспертного совета", "Демо-институт (образец)", "", "", 6),
    ("akimat", Role.AKIMAT, "Аким Карагандинской области (демо)", "Заместитель акима", "Акимат Карагандинской области", "", "350000000", None),
    ("authorized", Role.AUTHORIZED_BODY, "Уполномоченный орган (демо)", "Директор департамента", "Уполномоченный орган (отраслевой)", "", "", None),
    ("regional", Role.REGIONAL_BODY, "Орган регионального развития (демо)", "Директор департамента", "Министерство национальной экономики РК", "", "", None),
    ("secretary", Role.COMMISSION_SECRETARY, "Секретарь Комиссии (демо)", "Секретарь", "Комиссия по индустриальному развитию", "", "", None),
    ("applicant", Role.APPLICANT, "Кластерная ассоциация (демо)", "Председатель", "Ассоциация «Демо-кластер строительных материалов» (образец)", "", "350000000", None),
    ("admin", Role.ADMINISTRATOR, "Администратор", "Администратор", "klaster", "", "", None),
]


@transaction.atomic
def ensure_roles() -> None:
    """Create one Django group per role (idempotent)."""
    for r in Role:
        Group.objects.get_or_create(name=r.value)


@transaction.atomic
def load_demo(console) -> None:
    """Create the demo accounts (idempotent) and print them."""
    ensure_roles()
    User = get_user_model()
    rows = []
    for username, role, full_name, position, org, bin_, kato, years in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = role == Role.ADMINISTRATOR
        user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        user.groups.add(Group.objects.get(name=role.value))
        Profile.objects.update_or_create(
            user=user,
            defaults=dict(full_name=full_name, position=position, organisation_name=org, organisation_bin=bin_,
                          region_kato=kato, years_experience=years, is_demo=True),
        )
        rows.append((username, role.value))
    from rich.table import Table

    t = Table("username", "role", title=f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for u, r in rows:
        t.add_row(u, r)
    console.print(t)
