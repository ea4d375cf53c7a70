"""Demo data of support: applications of the demo applicant (the construction cluster's
association) — one registered today under instrument 3 (training), with a sample PDF uploaded for
the charter; one under instrument 5, 2) returned today for correction (the efficiency plan is
missing: the applicant can upload, remove and register it again); one paid under instrument 7 in
2018 and one under instrument 3a with its reimbursement agreement signed in 2019 (each of their
back-dated acts carries the reason, kept in the audit trail; the stage won is the demo win
recorded in the register). The returned application is created last and the agreement's just
before it, so that the lists (newest first) — and the boundary walk, which opens two applications
per role — reach the pages of the documents, the resubmission and the agreement. All are dated after Decree 440 went out of force, so
their pages carry the act's warning; all are invented and marked ``is_demo``. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def load_demo(console) -> None:
    from django.contrib.auth import get_user_model

    from klaster.common import dates
    from klaster.register.models import Cluster
    from klaster.support import domain
    from klaster.support.models import Application

    User = get_user_model()
    applicant = User.objects.filter(username="applicant").first()
    organizer = User.objects.filter(username="organizer").first()
    cluster = Cluster.objects.filter(code="construction").first()
    if applicant is None or cluster is None or Application.objects.filter(applicant=applicant).exists():
        console.print(f"support: {Application.objects.count()} applications")
        return
    member = cluster.memberships.filter(participant__kind="enterprise").order_by("participant__bin").first().participant
    today = dates.today()  # in the site's time zone, as the date checks count it
    declared = {"not-budget-funded": True}
    a = domain.create_application(actor=applicant, participant=member, component="3a", cluster=cluster, facts={"oked_codes": [member.oked_main], "activity_since": "2012-03-01", "declarations": declared},
                                  executor={"kind": "specialised-organisation", "years_experience": 6, "prior_projects": 8})
    for who, amount, days in (("Иванов А.", "3200000", 40), ("Сейткали Б.", "1500000", 70)):
        domain.add_cost(actor=applicant, application=a, description=f"Курс BIM-проектирования: {who}", amount=Decimal(amount), incurred_on=today - dt.timedelta(days=days), unit_id=who)
    domain.set_documents(actor=applicant, application=a, provided=["charter", "tax-paid", "contract", "act", "invoice", "payment", "training-programme", "employee-contract", "training-report",
                                                                   "executor-qualification", "executor-staff", "executor-reference"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    sample = _sample_pdf()
    domain.attach_document(actor=applicant, application=a, code="charter", uploaded=SimpleUploadedFile("устав-образец.pdf", sample))
    domain.register(actor=applicant, application=a, on=today)
    assoc = cluster.association
    b = domain.create_application(actor=applicant, participant=assoc, component="7", cluster=cluster, facts={"declarations": declared})
    domain.add_cost(actor=applicant, application=b, description="Разработка стратегии и дорожной карты кластера", amount=Decimal("24000000"), incurred_on=dt.date(2018, 6, 1))
    domain.set_documents(actor=applicant, application=b, provided=["strategy-roadmap", "contract", "act", "invoice", "payment"])
    why = "demo data: a 2018 application entered for training"
    domain.register(actor=applicant, application=b, on=dt.date(2018, 9, 3), reason=why)
    domain.check_completeness(actor=organizer, application=b, on=dt.date(2018, 9, 5), reason=why)
    domain.record_expertise(actor=organizer, application=b, on=dt.date(2018, 9, 7), reason=why)
    domain.decide(actor=organizer, application=b, approve=True, on=dt.date(2018, 9, 12), reason=why)
    domain.pay(actor=organizer, application=b, on=dt.date(2018, 9, 19), reason=why)  # instrument 7: paid on the decision (no agreement step)
    # Instrument 3a up to the signed reimbursement agreement (its DOCX and PDF, issue 10).
    why = "demo data: a 2019 application entered for training"
    d = domain.create_application(actor=applicant, participant=member, component="3a", cluster=cluster, facts={"oked_codes": [member.oked_main], "activity_since": "2012-03-01", "declarations": declared},
                                  executor={"kind": "specialised-organisation", "years_experience": 6, "prior_projects": 8})
    domain.add_cost(actor=applicant, application=d, description="Курс BIM-проектирования: Иванов А.", amount=Decimal("2800000"), incurred_on=dt.date(2019, 8, 20), unit_id="Иванов А.")
    domain.set_documents(actor=applicant, application=d, provided=["charter", "tax-paid", "contract", "act", "invoice", "payment", "training-programme", "employee-contract", "training-report",
                                                                   "executor-qualification", "executor-staff", "executor-reference"])
    domain.register(actor=applicant, application=d, on=dt.date(2019, 10, 1), reason=why)
    domain.check_completeness(actor=organizer, application=d, on=dt.date(2019, 10, 3), reason=why)
    domain.decide(actor=organizer, application=d, approve=True, on=dt.date(2019, 10, 10), reason=why)
    domain.sign_agreement(actor=organizer, application=d, on=dt.date(2019, 10, 14), target_indicator="2 специалиста обучены BIM-проектированию", reason=why)
    # The returned application last: the lists show the newest first — it, then the agreement of 2019.
    c = domain.create_application(actor=applicant, participant=member, component="5b", cluster=cluster, facts={"oked_codes": [member.oked_main], "activity_since": "2012-03-01", "declarations": declared},
                                  executor={"kind": "consultant", "years_experience": 5, "prior_projects": 3})
    domain.add_cost(actor=applicant, application=c, description="Внедрение плана повышения эффективности (Lean)", amount=Decimal("18500000"), incurred_on=today - dt.timedelta(days=60))
    domain.set_documents(actor=applicant, application=c, provided=["tax-paid", "contract", "act", "invoice", "payment"])
    domain.attach_document(actor=applicant, application=c, code="charter", uploaded=SimpleUploadedFile("устав-образец.pdf", sample))
    domain.register(actor=applicant, application=c, on=today)
    domain.check_completeness(actor=organizer, application=c, on=today)  # returned: the efficiency plan and others are missing
    Application.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).update(is_demo=True)
    console.print(f"support: {Application.objects.count()} applications")


def _sample_pdf() -> bytes:
    """A one-page PDF (a real one: uploads are opened with a PDF library)."""
    import io

    import pypdf

    w = pypdf.PdfWriter()
    w.add_blank_page(width=595, height=842)
    w.add_metadata({"/Title": "klaster demo: charter (sample)"})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()
