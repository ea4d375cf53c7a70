"""Fixtures of the competition tests: the Decree 535 rules, the calendar, sample participants."""

from __future__ import annotations

import pytest

from klaster.common.bin import make_number
from klaster.common.calendar import WorkingCalendar
from klaster.engine.competition.package import Participant
from klaster.engine.competition.rules import load_rules


def bins(n: int, *, prefix: str = "150440", start: int = 0) -> list[str]:
    """``n`` distinct valid BINs of resident head-organisation legal entities registered 2015-04."""
    out, serial = [], start
    while len(out) < n:
        b = make_number(f"{prefix}{serial:05d}")
        serial += 1
        if b is not None:
            out.append(b)
    return out


def participants(n: int, *, start: int = 0, groups: dict[int, str] | None = None) -> list[Participant]:
    groups = groups or {}
    return [Participant(f"Company {i + 1}", b, "23610", "351010000", groups.get(i, ""))
            for i, b in enumerate(bins(n, start=start))]


@pytest.fixture(scope="session")
def rules():
    return load_rules("competition-decree-535", "decree-535-2015")


@pytest.fixture(scope="session")
def cal():
    return WorkingCalendar()


@pytest.fixture(autouse=True)
def english_interface(settings):
    """Messages are asserted in English (the msgids); tests of kk/ru set the language themselves."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def pytest_configure(config):
    config.addinivalue_line("markers", "rule(*ids): the regulation rules this test checks (klaster competition trace)")


# ------------------------------------------------------------------------------------------------ complete packages (issue 15)

#: Pages of a concept within App. 2's 20–25.
CONCEPT_PAGES = 22


def concept_pdf(pages: int = CONCEPT_PAGES) -> bytes:
    from klaster.common.files import sample_pdf

    return sample_pdf(pages)


def fill_content(app, version=None):
    """Write a complete sample of every structured document of the application's stage (App. 2, 5, 6)
    on its draft (or ``version``): what a filled form would store (direct rows, no audit — for tests
    that are not about the forms)."""
    from klaster.competition.domain.structured import indicator_years, stage_forms
    from klaster.competition.models import StructuredDocument
    from klaster.engine.competition.forms import sample_content

    v = version or app.current_version()
    fs = app.competition.rules.forms
    people = [(p.bin, p.name, p.oked) for p in v.participants.all()]
    for form in stage_forms(app):
        StructuredDocument.objects.update_or_create(version=v, form_id=form.id, defaults={
            "data": sample_content(fs, form, participants=people, years=indicator_years(app))})


def record_paper(app, organizer, on=None):
    """Record the paper original and copy of a submitted package, every document placed (§9, §11)."""
    from klaster.competition.domain import records
    from klaster.competition.domain import services as svc

    v = app.submitted_version()
    docs = [d.doc_id for d in v.documents.all()]
    order = ["document_list"] + [d for d in docs if d != "document_list"]
    places = {d: [1, 1 + 10 * i, 10 + 10 * i] for i, d in enumerate(order)}
    return records.record_paper(actor=organizer, application=app, received_on=on or svc.today(), received_by="Organizer",
                                originals=1, copies=1, electronic=True, volumes=[10 * len(order)], documents=places)


def body_of(user, ministry: str = "mid"):
    """Record the ministry an authorized-body user works for."""
    from klaster.competition.models import AuthorizedBodyUser

    AuthorizedBodyUser.objects.update_or_create(user=user, defaults={"ministry": ministry})
    return user


#: The announcement day the engine tests give the completeness check (the company profiles' years: 2011–2014).
ANNOUNCED = __import__("datetime").date(2015, 9, 1)


def full_content(rules, stage: int, parts) -> dict:
    """Complete structured documents of ``stage`` for the participants ``parts`` (engine tests)."""
    from klaster.engine.competition.forms import sample_content

    fs = rules.forms
    people = [(p.bin, p.name, p.oked) for p in parts]
    out = {}
    for f in fs.for_stage(stage):
        prof = next((fs.tables[i.table] for i in f.table_items if fs.tables[i.table].type == "profiles"), None)
        out[f.id] = sample_content(fs, f, participants=people, years=prof.years(ANNOUNCED) if prof else ())
    return out


def checked(rules, **kw):
    """:func:`~klaster.engine.competition.package.check_package` of a package whose structured documents
    are complete (the tests of the document lists and the participants)."""
    from klaster.engine.competition.package import DocumentInfo, check_package

    docs = [DocumentInfo(d.doc_id, d.filename, d.pages if d.pages is not None or d.doc_id != "concept" else CONCEPT_PAGES, d.volume,
                         d.annex_from, d.non_a4) for d in kw.pop("documents")]
    return check_package(rules, documents=docs, structured=full_content(rules, kw["stage"], kw.get("participants", ())),
                         announced=ANNOUNCED, **kw)


def fast_user(username, *roles, **profile):
    """A user holding ``roles`` without a password (the competition tests log in with ``force_login``):
    hashing a password costs about 0.7 s (PBKDF2, a million iterations) and a test creates ten users."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from klaster.accounts.models import Profile

    user = get_user_model()(username=username)
    user.set_unusable_password()
    user.save()
    for r in roles:
        user.groups.add(Group.objects.get_or_create(name=getattr(r, "value", r))[0])
    Profile.objects.create(user=user, **profile)
    return user


@pytest.fixture
def user_factory(db):
    """``user_factory("name", Role.ORGANIZER, …)`` without password hashing (see :func:`fast_user`)."""
    return fast_user


PROFILE_SAMPLE = {"street": "ул. Ержанова, 1", "city": "Караганда", "postcode": "100000", "capital_country": "Казахстан", "founded": "01.02.2005",
                  "main_clients": "строительные компании", "ownership": "отечественная", "contact_surname": "Ахметов", "contact_name": "Арман",
                  "contact_position": "директор", "phone": "+7 7212 41 00 00", "email": "office@example.kz"}


def filled_workbook(template: bytes, *, first_year: int = 2026, groups=("1", "2", "3", "4", "5", "6")) -> bytes:
    """A downloaded template (:func:`klaster.competition.domain.structured.template_xlsx`) filled the way
    an applicant would: every item written, every company profile completed, the cash flow's 20 quarters,
    one roadmap event per group, the first years in ``settings``. Keys are read from row 1."""
    import io
    import re

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template))
    for ws in wb.worksheets:
        keys = [c.value for c in ws[1]]
        col = {k: i + 1 for i, k in enumerate(keys) if k}
        if ws.title == "items":
            for r in range(3, ws.max_row + 1):
                ws.cell(row=r, column=col["text"], value=f"Раздел {ws.cell(row=r, column=col['item']).value}: описание (образец).")
        elif ws.title == "company_profiles":
            for r in range(3, ws.max_row + 1):
                for k, c in col.items():
                    if k in PROFILE_SAMPLE:
                        ws.cell(row=r, column=c, value=PROFILE_SAMPLE[k])
                    elif re.search(r"_\d{4}$", k):
                        ws.cell(row=r, column=c, value=7 if k.startswith(("net_profit", "rd_staff")) else 1500 + r)
        elif ws.title == "cash_flow":
            for r in range(3, ws.max_row + 1):
                for k, c in col.items():
                    if re.fullmatch(r"y\dq\d", k or ""):
                        ws.cell(row=r, column=c, value="1 250,5")
        elif ws.title == "events":
            for n, g in enumerate(groups, start=3):
                for k, c in col.items():
                    v = {"group": g, "sources": "own; local", "start": f"01.02.{first_year}", "end": f"30.11.{first_year + 1}"}.get(k)
                    if v is None:
                        v = 1000 if k.startswith("financing_") else f"{k}: мероприятие группы {g} (образец)"
                    ws.cell(row=n, column=c, value=v)
        elif ws.title == "settings":
            for r in range(3, ws.max_row + 1):
                ws.cell(row=r, column=col["value"], value=first_year)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
