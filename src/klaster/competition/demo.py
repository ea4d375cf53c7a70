"""Demo data of the competition: four sample competitions, each marked as a sample (Competition.is_sample: a translated tag on the pages), so every demo role has work.

* "… intake open": stage-1 intake open; the demo applicant has a draft package.
* "… review in progress": packages admitted, conclusions requested from the
  akimat, the authorized body and the regional development body, experts assigned (not yet scored).
* "… at the Commission": scored, review protocol signed; the Commission
  secretary records the minimum score.
* "… completeness check": intake closed, the admission protocol drafted with the
  check's proposal per package (one returned for a concept of 3 pages, App. 2) for the organizer to
  review and sign.

Every package is built as the Rules ask: the concept's structure (App. 2) filled in, a concept PDF
of 22 pages, the participant's statement (§12) at submission, the paper original and copy recorded by
the organizer (§9, §11); every announcement is published in print and on the website (§4); the
authorized-body user works for the Ministry for Investment and Development (§17), the experts have
sectors and one has a declared interest.

Everything goes through the domain services (so it is audited and obeys the regulation), replayed day
by day (:func:`klaster.competition.domain.services.on_day`): each act is recorded on the day it
happened, so every date check applies. Dates are relative to today. Idempotent: a competition whose
title exists is left as it is.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from klaster.accounts.demo import DEMO_PASSWORD
from klaster.accounts.models import Profile
from klaster.accounts.roles import Role
from klaster.common.bin import make_number
from klaster.common.files import sample_pdf
from klaster.competition.domain import services as svc
from klaster.competition.models import Competition

#: The suffix the sample competitions' titles once carried; they are now marked by
#: ``Competition.is_sample`` (a translated tag on the pages) and renamed when the demo loads again.
OLD_SAMPLE = " (образец / sample)"
TITLES = {
    "open": "Конкурс территориальных кластеров — приём заявок",
    "review": "Конкурс территориальных кластеров — рассмотрение",
    "commission": "Конкурс территориальных кластеров — у Комиссии",
    "admission": "Конкурс территориальных кластеров — проверка комплектности",
}
NOTE = "Демонстрационный конкурс с образцами заявителей."
APPLICANTS = [
    ("sample_chamber", "regional_chamber", "Палата предпринимателей Карагандинской области (образец)", "Строительный кластер (образец)"),
    ("sample_spk", "social_entrepreneurial_corporation", "СПК «Сарыарка» (образец)", "Кластер строительных материалов (образец)"),
    ("sample_sez", "sez_management_company", "УК СЭЗ «Сарыарка» (образец)", "Металлургический кластер (образец)"),
]
PDF = sample_pdf(3)
CONCEPT = sample_pdf(22)


def _bins(prefix: str, n: int, start: int) -> list[str]:
    out, s = [], start
    while len(out) < n:
        b = make_number(f"{prefix}{s:05d}")
        s += 1
        if b:
            out.append(b)
    return out


def _oked_codes() -> list[str]:
    from klaster.reference.models import OkedCode

    codes = list(OkedCode.objects.filter(level="subclass", code__startswith="23").values_list("code", flat=True)[:12])
    return codes or ["23611"]


def _user(username, role, org, bin_):
    User = get_user_model()
    u, created = User.objects.get_or_create(username=username)
    if created:
        u.set_password(DEMO_PASSWORD)
        u.save()
    from django.contrib.auth.models import Group

    u.groups.add(Group.objects.get_or_create(name=role.value)[0])
    Profile.objects.update_or_create(user=u, defaults=dict(full_name=org, organisation_name=org, organisation_bin=bin_,
                                                           region_kato="350000000", is_demo=True))
    return u


def _content(app, actor) -> None:
    """The structured documents of the package's stage filled with a complete sample (audited)."""
    from klaster.competition.domain import structured
    from klaster.engine.competition.forms import sample_content

    v = app.current_version()
    people = [(p.bin, p.name, p.oked) for p in v.participants.all()]
    fs = app.competition.rules.forms
    for form in structured.stage_forms(app):
        data = sample_content(fs, form, participants=people, years=structured.indicator_years(app), first_year=svc.today().year + 1,
                              text="Описание по разделу (образец).")
        structured._store(actor, app, form, None, lambda _old, d=data: d, action="structured_sample", note="demo sample")


def _package(app, actor, akimat, n_participants, start, okeds, *, on, concept=CONCEPT):
    with svc.on_day(on - dt.timedelta(days=20)):
        svc.request_conclusion(actor=actor, application=app, body="akimat")
    with svc.on_day(on - dt.timedelta(days=15)):
        svc.issue_conclusion(actor=akimat, conclusion=app.conclusions.get(body="akimat"), positive=True,
                             text="Участники подтверждены, организация кластера целесообразна (образец).")
    with svc.on_day(on - dt.timedelta(days=10)):
        for doc_id in ("application", "concept", "akimat_conclusion", "document_list"):
            svc.upload_document(actor=actor, application=app, doc_id=doc_id,
                                uploaded=SimpleUploadedFile(f"{doc_id}-sample.pdf", concept if doc_id == "concept" else PDF))
        for i, b in enumerate(_bins("150440", n_participants, start)):
            svc.add_participant(actor=actor, application=app, name=f"ТОО «Участник {i + 1}» (образец)", bin=b,
                                oked=okeds[i % len(okeds)], kato="351010000")
        _content(app, actor)


def _submit(app, actor, organizer, *, on):
    """Submit with the §12 statement and record the paper original and copy (§9, §11) the same day."""
    from klaster.competition.domain import records

    with svc.on_day(on):
        svc.submit_application(actor=actor, application=app, received_by="Айгерим Организатор", statement=True)
        docs = [d.doc_id for d in app.submitted_version().documents.all()]
        order = ["document_list"] + [d for d in docs if d != "document_list"]
        records.record_paper(actor=organizer, application=app, received_on=on, received_by="Айгерим Организатор", originals=1, copies=1,
                             electronic=True, volumes=[12 + 25 * (len(order) - 1)],
                             documents={d: ([1, 1, 2] if i == 0 else [1, 3 + 25 * (i - 1), 27 + 25 * (i - 1)]) for i, d in enumerate(order)})


def _publish(c, organizer, on):
    from klaster.competition.domain import records

    with svc.on_day(on):
        records.record_publication(actor=organizer, competition=c, medium="website", outlet="www.gov.kz/memleket/entities/mps (образец)",
                                   day=on, reference="https://www.gov.kz/ (образец)")
        records.record_publication(actor=organizer, competition=c, medium="print", outlet="«Егемен Қазақстан», «Казахстанская правда» (образец)",
                                   day=on, reference="№ 123 (образец)")


def _council(console) -> None:
    """The experts' profiles (sectors, one declared interest) and the authorized body's ministry."""
    from klaster.competition.models import AuthorizedBodyUser, ExpertProfile

    User = get_user_model()
    for name, sectors in (("expert", ["23"]), ("expert2", ["23", "24"]), ("expert3", ["10"])):
        u = User.objects.filter(username=name).first()
        if u is not None:
            ExpertProfile.objects.get_or_create(user=u, defaults={"sectors": sectors})
    auth = User.objects.filter(username="authorized").first()
    if auth is not None:
        AuthorizedBodyUser.objects.get_or_create(user=auth, defaults={"ministry": "mid"})


@transaction.atomic
def _build(kind: str, console) -> None:
    title = TITLES[kind]
    Competition.objects.filter(title=title + OLD_SAMPLE).update(title=title, is_sample=True, public_note=NOTE)
    if Competition.objects.filter(title=title, is_sample=True).exists():
        return
    User = get_user_model()
    organizer = User.objects.get(username="organizer")
    akimat = User.objects.get(username="akimat")
    applicant = User.objects.get(username="applicant")
    today = svc.today()
    closes = {"open": today + dt.timedelta(days=30), "review": today - dt.timedelta(days=12),
              "commission": today - dt.timedelta(days=40), "admission": today - dt.timedelta(days=3)}[kind]
    if kind == "admission":  # a working day, so that intake has closed by now and the protocol is drafted
        from klaster.common.calendar import default_calendar

        while not default_calendar().is_working_day(closes):
            closes -= dt.timedelta(days=1)
    announced = min(today, closes - dt.timedelta(days=70))
    with svc.on_day(announced):
        c = svc.announce_competition(actor=organizer, title=title, stage1_intake_closes=closes,
                                     public_note=NOTE)
        c.is_sample = True
        c.save(update_fields=["is_sample"])
    _publish(c, organizer, announced)
    okeds = _oked_codes()
    if kind == "open":
        app = svc.create_application(actor=applicant, competition=c, organisation_name="Ассоциация «Демо-кластер строительных материалов» (образец)",
                                     organisation_bin=_bins("150440", 1, 90000)[0], kind="business_association",
                                     cluster_name="Кластер строительных материалов (образец)", region_kato="350000000",
                                     signatory_position="Председатель", signatory_name="Кластерная ассоциация (демо)", sector_oked=okeds[0])
        for i, b in enumerate(_bins("150440", 6, 91000)):
            svc.add_participant(actor=applicant, application=app, name=f"ТОО «Участник {i + 1}» (образец)", bin=b,
                                oked=okeds[i % len(okeds)], kato="351010000")
        console.print(f"demo competition: {title}")
        return
    submit_on = closes - dt.timedelta(days=3)
    apps = []
    for j, (uname, pkind, org, cluster) in enumerate(APPLICANTS):
        u = _user(f"{uname}_{kind}", Role.APPLICANT, org, _bins("150440", 1, 80000 + 10 * j + (0 if kind == "review" else 5))[0])
        with svc.on_day(submit_on - dt.timedelta(days=21)):
            a = svc.create_application(actor=u, competition=c, organisation_name=org, organisation_bin=u.profile.organisation_bin, kind=pkind,
                                       cluster_name=cluster, region_kato="350000000", signatory_position="Директор", signatory_name=f"{org} — руководитель",
                                       sector_oked=okeds[0])
        short = kind == "admission" and j == 1  # a concept of 3 pages: the check proposes to return it (App. 2)
        _package(a, u, akimat, 12 if j != 2 else 9, 1000 * (j + 1) + {"review": 0, "commission": 500, "admission": 700}[kind], okeds,
                 on=submit_on, concept=PDF if short else CONCEPT)
        _submit(a, u, organizer, on=submit_on)
        apps.append(a)
    # The demo applicant's own package in this competition.
    with svc.on_day(submit_on - dt.timedelta(days=21)):
        own = svc.create_application(actor=applicant, competition=c, organisation_name="Ассоциация «Демо-кластер строительных материалов» (образец)",
                                     organisation_bin=_bins("150440", 1, 90000 + {"review": 0, "commission": 7, "admission": 11}[kind])[0],
                                     kind="business_association", cluster_name="Кластер строительных материалов (образец)", region_kato="350000000",
                                     signatory_position="Председатель", signatory_name="Кластерная ассоциация (демо)", sector_oked=okeds[0])
    _package(own, applicant, akimat, 11, 5000 + {"review": 0, "commission": 500, "admission": 700}[kind], okeds, on=submit_on)
    _submit(own, applicant, organizer, on=submit_on)
    after = c.intake_closes_effective(1) + dt.timedelta(days=1)
    with svc.on_day(after):
        svc.close_intake(actor=organizer, competition=c)
    if kind == "admission":
        from klaster.competition.domain import records

        with svc.on_day(after):
            records.draft_admission_protocol(actor=organizer, competition=c)
        console.print(f"demo competition: {title} ({c.state})")
        return
    with svc.on_day(after + dt.timedelta(days=2)):
        svc.sign_admission_protocol(actor=organizer, competition=c)
    experts = [User.objects.get(username=n) for n in ("expert", "expert2", "expert3")]
    route_on = after + dt.timedelta(days=4)
    with svc.on_day(route_on):
        from klaster.competition.domain import council

        for a in c.applications.filter(state="admitted"):
            svc.route_for_conclusions(actor=organizer, application=a)
        s = council.suggest(c, per_application=3)
        council.bulk_assign(actor=organizer, competition=c, pairs=[(s.applications[app], s.experts[e]) for app, e, _m in s.allocation.pairs])
    if kind == "review":
        from klaster.competition.domain import council

        first = c.applications.filter(state="under_review").order_by("id").first()
        with svc.on_day(route_on + dt.timedelta(days=1)):
            e2 = User.objects.get(username="expert2")
            svc.declare_interest(actor=e2, assignment=first.assignments.get(expert=e2), conflicted=False)
            council.post(actor=e2, application=first, text="Прошу уточнить объём инвестиций бизнеса (критерий 1.3) (образец).")
            council.ask_clarification(actor=organizer, application=own,
                                      question="Подтвердите документами объём собственных инвестиций участников (образец, п. 16).")
    if kind == "commission":
        auth, reg = User.objects.get(username="authorized"), User.objects.get(username="regional")
        with svc.on_day(route_on + dt.timedelta(days=7)):
            for a in c.applications.filter(state="under_review"):
                for cc in a.conclusions.exclude(body="akimat"):
                    svc.issue_conclusion(actor=auth if cc.body == "authorized_body" else reg, conclusion=cc, positive=True,
                                         text="Соответствует (образец).")
        rules = c.rules
        with svc.on_day(route_on + dt.timedelta(days=14)):
            for k, a in enumerate(c.applications.filter(state="under_review").order_by("id")):
                for m, e in enumerate(experts):
                    asg = a.assignments.get(expert=e)
                    svc.declare_interest(actor=e, assignment=asg, conflicted=False)
                    val = str(max(rules.scoring.scale_min, min(rules.scoring.scale_max, 8 - 2 * k + m % 2)))
                    svc.save_scores(actor=e, sheet=asg.sheet, version=asg.sheet.version, submit=True,
                                    scores={x.id: val for x in rules.criteria.criteria},
                                    justifications={x.id: "Обоснование по концепции (образец)." for x in rules.criteria.criteria})
        with svc.on_day(closes + dt.timedelta(days=30)):
            svc.sign_review_protocol(actor=organizer, competition=c)
        with svc.on_day(closes + dt.timedelta(days=31)):
            svc.send_to_commission(actor=organizer, competition=c)
    console.print(f"demo competition: {title} ({c.state})")


def load_demo(console) -> None:
    """Create the sample competitions (idempotent)."""
    _council(console)
    for kind in ("open", "review", "commission", "admission"):
        _build(kind, console)
