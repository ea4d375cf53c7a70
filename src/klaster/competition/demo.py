"""Demo data of the competition: three clearly labelled sample competitions, so every demo role has work.

* "… intake open (образец / sample)": stage-1 intake open; the demo applicant has a draft package.
* "… review in progress (образец / sample)": packages admitted, conclusions requested from the
  akimat, the authorized body and the regional development body, experts assigned (not yet scored).
* "… at the Commission (образец / sample)": scored, review protocol signed; the Commission
  secretary records the minimum score.

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

SAMPLE = " (образец / sample)"
TITLES = {
    "open": "Конкурс территориальных кластеров — приём заявок" + SAMPLE,
    "review": "Конкурс территориальных кластеров — рассмотрение" + SAMPLE,
    "commission": "Конкурс территориальных кластеров — у Комиссии" + SAMPLE,
}
APPLICANTS = [
    ("sample_chamber", "regional_chamber", "Палата предпринимателей Карагандинской области (образец)", "Строительный кластер (образец)"),
    ("sample_spk", "social_entrepreneurial_corporation", "СПК «Сарыарка» (образец)", "Кластер строительных материалов (образец)"),
    ("sample_sez", "sez_management_company", "УК СЭЗ «Сарыарка» (образец)", "Металлургический кластер (образец)"),
]
PDF = sample_pdf(3)


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


def _package(app, actor, akimat, n_participants, start, okeds, *, on):
    with svc.on_day(on - dt.timedelta(days=20)):
        svc.request_conclusion(actor=actor, application=app, body="akimat")
    with svc.on_day(on - dt.timedelta(days=15)):
        svc.issue_conclusion(actor=akimat, conclusion=app.conclusions.get(body="akimat"), positive=True,
                             text="Участники подтверждены, организация кластера целесообразна (образец).")
    with svc.on_day(on - dt.timedelta(days=10)):
        for doc_id in ("application", "concept", "akimat_conclusion", "document_list"):
            svc.upload_document(actor=actor, application=app, doc_id=doc_id, uploaded=SimpleUploadedFile(f"{doc_id}-sample.pdf", PDF))
        for i, b in enumerate(_bins("150440", n_participants, start)):
            svc.add_participant(actor=actor, application=app, name=f"ТОО «Участник {i + 1}» (образец)", bin=b,
                                oked=okeds[i % len(okeds)], kato="351010000")


@transaction.atomic
def _build(kind: str, console) -> None:
    title = TITLES[kind]
    if Competition.objects.filter(title=title).exists():
        return
    User = get_user_model()
    organizer = User.objects.get(username="organizer")
    akimat = User.objects.get(username="akimat")
    applicant = User.objects.get(username="applicant")
    today = svc.today()
    closes = {"open": today + dt.timedelta(days=30), "review": today - dt.timedelta(days=12),
              "commission": today - dt.timedelta(days=40)}[kind]
    announced = min(today, closes - dt.timedelta(days=70))
    with svc.on_day(announced):
        c = svc.announce_competition(actor=organizer, title=title, stage1_intake_closes=closes,
                                     public_note="Демонстрационный конкурс с образцами заявителей (образец / sample).")
    okeds = _oked_codes()
    if kind == "open":
        app = svc.create_application(actor=applicant, competition=c, organisation_name="Ассоциация «Демо-кластер строительных материалов» (образец)",
                                     organisation_bin=_bins("150440", 1, 90000)[0], kind="business_association",
                                     cluster_name="Кластер строительных материалов (образец)", region_kato="350000000",
                                     signatory_position="Председатель", signatory_name="Кластерная ассоциация (демо)")
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
                                       cluster_name=cluster, region_kato="350000000", signatory_position="Директор", signatory_name=f"{org} — руководитель")
        _package(a, u, akimat, 12 if j != 2 else 9, 1000 * (j + 1) + (0 if kind == "review" else 500), okeds, on=submit_on)
        with svc.on_day(submit_on):
            svc.submit_application(actor=u, application=a, received_by="Айгерим Организатор")
        apps.append(a)
    # The demo applicant's own package in this competition.
    with svc.on_day(submit_on - dt.timedelta(days=21)):
        own = svc.create_application(actor=applicant, competition=c, organisation_name="Ассоциация «Демо-кластер строительных материалов» (образец)",
                                     organisation_bin=_bins("150440", 1, 90000 + (0 if kind == "review" else 7))[0], kind="business_association",
                                     cluster_name="Кластер строительных материалов (образец)", region_kato="350000000",
                                     signatory_position="Председатель", signatory_name="Кластерная ассоциация (демо)")
    _package(own, applicant, akimat, 11, 5000 + (0 if kind == "review" else 500), okeds, on=submit_on)
    with svc.on_day(submit_on):
        svc.submit_application(actor=applicant, application=own, received_by="Айгерим Организатор")
    after = c.intake_closes_effective(1) + dt.timedelta(days=1)
    with svc.on_day(after):
        svc.close_intake(actor=organizer, competition=c)
    with svc.on_day(after + dt.timedelta(days=2)):
        svc.sign_admission_protocol(actor=organizer, competition=c)
    experts = [User.objects.get(username=n) for n in ("expert", "expert2", "expert3")]
    route_on = after + dt.timedelta(days=4)
    with svc.on_day(route_on):
        for a in c.applications.filter(state="admitted"):
            svc.route_for_conclusions(actor=organizer, application=a)
            for e in experts:
                svc.assign_expert(actor=organizer, application=a, expert=e)
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
    for kind in ("open", "review", "commission"):
        _build(kind, console)
