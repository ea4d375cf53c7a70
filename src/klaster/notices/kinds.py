"""The kinds of notices, the clause that requires each (where the regulation data has none for the
event), and the shipped texts in kk/ru/en.

A text is a Django template rendered as plain text with the context of the notice:

``object``      what the notice is about (an application's label, a programme, …)
``competition`` the competition's title (competition notices)
``clause``      the clause requiring the notice, as the recipient's language writes it
``note``        the reasons / written notice recorded with the act (a return, a refusal)
``outcome``     the result in words (a decision, a check)
``day``         the day of the act or the due date (dd.mm.yyyy)
``days``        days left before a deadline (reminders)
``step``        the step of the procedure (reminders, escalations)
``actor``       the responsible actor (escalations)
``link``        the address of the object's page

:data:`CLAUSES` is the mapping table for the kinds whose clause is not in the regulation data of the
event (the clause is data here, never a literal in code): the competition's clauses come from its
pinned rules (the transition's clause, the deadline's clause), the support clauses from the
instrument's procedure steps.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: kind → its name (admin, inbox filter)
KINDS = {
    "application_registered": _("Application registered (receipt)"),
    "application_returned": _("Application returned with reasons"),
    "application_admitted": _("Application admitted"),
    "conclusion_requested": _("Request for a conclusion"),
    "conclusion_issued": _("Conclusion issued"),
    "expert_assigned": _("Expert assigned"),
    "commission_decision": _("Decision of the Commission"),
    "results_published": _("Results published"),
    "support_registered": _("Reimbursement application registered"),
    "support_checked": _("Reimbursement application checked"),
    "support_decided": _("Decision on reimbursement"),
    "support_agreement": _("Reimbursement agreement"),
    "support_paid": _("Reimbursement paid"),
    "support_refund": _("Refund of a reimbursement"),
    "report_due": _("Quarterly report due"),
    "report_overdue": _("Quarterly report overdue"),
    "deadline_reminder": _("Deadline approaching (e.g. scoring due)"),
    "deadline_overdue": _("Deadline missed"),
}

#: Clauses of kinds whose event carries none (source in the comment of each).
CLAUSES = {
    # Decree 535 §40: the results are published on the organizer's website.
    "results_published": "§40",
    # Decree 535 §19–§20: the expert council's members score the packages assigned to them.
    "expert_assigned": "§19, §20",
    # Decree 535 §17 (stage 1) and §28.1 (stage 2): requests to the akimat, authorized and regional bodies.
    "conclusion_requested": "§6, §17, §28.1",
    "conclusion_issued": "§6, §17, §18",
}

_T = {
    "application_registered": (
        ("Өтінім тіркелді: {{ object }}", "Заявка зарегистрирована: {{ object }}", "Application registered: {{ object }}"),
        ("«{{ competition }}» конкурсына берілген {{ object }} өтініміңіз {{ day }} тіркелді ({{ clause }}).\n{{ link }}",
         "Ваша заявка {{ object }} на конкурс «{{ competition }}» зарегистрирована {{ day }} ({{ clause }}).\n{{ link }}",
         "Your application {{ object }} to the competition “{{ competition }}” was registered on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "application_returned": (
        ("Өтінім қайтарылды: {{ object }}", "Заявка возвращена: {{ object }}", "Application returned: {{ object }}"),
        ("«{{ competition }}» конкурсына берілген {{ object }} өтініміңіз {{ day }} қайтарылды ({{ clause }}).\nСебептері: {{ note }}\n{{ link }}",
         "Ваша заявка {{ object }} на конкурс «{{ competition }}» возвращена {{ day }} ({{ clause }}).\nПричины: {{ note }}\n{{ link }}",
         "Your application {{ object }} to the competition “{{ competition }}” was returned on {{ day }} ({{ clause }}).\nReasons: {{ note }}\n{{ link }}"),
    ),
    "application_admitted": (
        ("Өтінім конкурсқа жіберілді: {{ object }}", "Заявка допущена: {{ object }}", "Application admitted: {{ object }}"),
        ("«{{ competition }}» конкурсына берілген {{ object }} өтініміңіз {{ day }} конкурсқа жіберілді ({{ clause }}).\n{{ link }}",
         "Ваша заявка {{ object }} на конкурс «{{ competition }}» допущена к конкурсу {{ day }} ({{ clause }}).\n{{ link }}",
         "Your application {{ object }} to the competition “{{ competition }}” was admitted on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "conclusion_requested": (
        ("Қорытынды сұралды: {{ object }}", "Запрошено заключение: {{ object }}", "A conclusion is requested: {{ object }}"),
        ("«{{ competition }}» конкурсы: {{ object }} өтінімі бойынша қорытынды сұралды, сұрау {{ day }} тіркелді ({{ clause }}).\n{{ link }}",
         "Конкурс «{{ competition }}»: запрошено заключение по заявке {{ object }}, запрос зарегистрирован {{ day }} ({{ clause }}).\n{{ link }}",
         "Competition “{{ competition }}”: a conclusion on the application {{ object }} is requested; the request was registered on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "conclusion_issued": (
        ("Қорытынды берілді: {{ object }}", "Заключение выдано: {{ object }}", "Conclusion issued: {{ object }}"),
        ("«{{ competition }}» конкурсы: {{ object }} өтінімі бойынша қорытынды {{ day }} берілді: {{ outcome }} ({{ clause }}).\n{{ link }}",
         "Конкурс «{{ competition }}»: по заявке {{ object }} {{ day }} выдано заключение: {{ outcome }} ({{ clause }}).\n{{ link }}",
         "Competition “{{ competition }}”: a conclusion on the application {{ object }} was issued on {{ day }}: {{ outcome }} ({{ clause }}).\n{{ link }}"),
    ),
    "expert_assigned": (
        ("Сіз сарапшы болып тағайындалдыңыз: {{ object }}", "Вы назначены экспертом: {{ object }}", "You are assigned as an expert: {{ object }}"),
        ("«{{ competition }}» конкурсы: сіз {{ object }} өтінімін бағалауға тағайындалдыңыз ({{ clause }}). Мүдделер қақтығысы жоқтығын мәлімдеп, бағалаңыз.\n{{ link }}",
         "Конкурс «{{ competition }}»: вы назначены для оценки заявки {{ object }} ({{ clause }}). Заявите об отсутствии конфликта интересов и оцените её.\n{{ link }}",
         "Competition “{{ competition }}”: you are assigned to score the application {{ object }} ({{ clause }}). Declare any conflict of interest and score it.\n{{ link }}"),
    ),
    "commission_decision": (
        ("Комиссияның шешімі: {{ object }}", "Решение Комиссии: {{ object }}", "Decision of the Commission: {{ object }}"),
        ("«{{ competition }}» конкурсы: Комиссия {{ object }} өтінімі бойынша шешім қабылдады: {{ outcome }} ({{ clause }}).\n{{ link }}",
         "Конкурс «{{ competition }}»: Комиссия приняла решение по заявке {{ object }}: {{ outcome }} ({{ clause }}).\n{{ link }}",
         "Competition “{{ competition }}”: the Commission decided on the application {{ object }}: {{ outcome }} ({{ clause }}).\n{{ link }}"),
    ),
    "results_published": (
        ("Конкурс қорытындылары жарияланды: {{ competition }}", "Итоги конкурса опубликованы: {{ competition }}", "Results published: {{ competition }}"),
        ("«{{ competition }}» конкурсының қорытындылары {{ day }} жарияланды ({{ clause }}).\n{{ link }}",
         "Итоги конкурса «{{ competition }}» опубликованы {{ day }} ({{ clause }}).\n{{ link }}",
         "The results of the competition “{{ competition }}” were published on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "support_registered": (
        ("Өтеуге өтінім тіркелді: {{ object }}", "Заявка на возмещение зарегистрирована: {{ object }}", "Reimbursement application registered: {{ object }}"),
        ("Өтеуге берілген {{ object }} өтініміңіз {{ day }} тіркелді ({{ clause }}).\n{{ link }}",
         "Ваша заявка на возмещение {{ object }} зарегистрирована {{ day }} ({{ clause }}).\n{{ link }}",
         "Your reimbursement application {{ object }} was registered on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "support_checked": (
        ("Өтеуге өтінім тексерілді: {{ object }}", "Заявка на возмещение проверена: {{ object }}", "Reimbursement application checked: {{ object }}"),
        ("Өтеуге берілген {{ object }} өтініміңіз {{ day }} тексерілді: {{ outcome }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}",
         "Ваша заявка на возмещение {{ object }} проверена {{ day }}: {{ outcome }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}",
         "Your reimbursement application {{ object }} was checked on {{ day }}: {{ outcome }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}"),
    ),
    "support_decided": (
        ("Өтеу туралы шешім: {{ object }}", "Решение о возмещении: {{ object }}", "Decision on reimbursement: {{ object }}"),
        ("Өтеуге берілген {{ object }} өтініміңіз бойынша {{ day }} шешім қабылданды: {{ outcome }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}",
         "По вашей заявке на возмещение {{ object }} {{ day }} принято решение: {{ outcome }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}",
         "A decision on your reimbursement application {{ object }} was taken on {{ day }}: {{ outcome }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}"),
    ),
    "support_agreement": (
        ("Өтеу туралы келісім жасалды: {{ object }}", "Соглашение о возмещении подписано: {{ object }}", "Reimbursement agreement signed: {{ object }}"),
        ("{{ object }} өтінімі бойынша өтеу туралы келісім {{ day }} жасалды ({{ clause }}).\n{{ link }}",
         "Соглашение о возмещении по заявке {{ object }} подписано {{ day }} ({{ clause }}).\n{{ link }}",
         "The reimbursement agreement of the application {{ object }} was signed on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "support_paid": (
        ("Өтем төленді: {{ object }}", "Возмещение выплачено: {{ object }}", "Reimbursement paid: {{ object }}"),
        ("{{ object }} өтінімі бойынша өтем {{ day }} төленді ({{ clause }}).\n{{ link }}",
         "Возмещение по заявке {{ object }} выплачено {{ day }} ({{ clause }}).\n{{ link }}",
         "The reimbursement of the application {{ object }} was paid on {{ day }} ({{ clause }}).\n{{ link }}"),
    ),
    "support_refund": (
        ("Өтемді қайтару: {{ object }}", "Возврат возмещения: {{ object }}", "Refund of the reimbursement: {{ object }}"),
        ("{{ object }} өтінімі: {{ outcome }}, {{ day }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}",
         "Заявка {{ object }}: {{ outcome }}, {{ day }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}",
         "Application {{ object }}: {{ outcome }}, {{ day }} ({{ clause }}).{% if note %}\n{{ note }}{% endif %}\n{{ link }}"),
    ),
    "report_due": (
        ("Тоқсандық есеп мерзімі: {{ object }}", "Срок квартального отчёта: {{ object }}", "Quarterly report due: {{ object }}"),
        ("{{ object }}: {{ step }} бойынша есеп {{ day }} дейін берілуі тиіс (қалған күндер: {{ days }}; {{ clause }}).\n{{ link }}",
         "{{ object }}: отчёт за {{ step }} должен быть представлен до {{ day }} (осталось дней: {{ days }}; {{ clause }}).\n{{ link }}",
         "{{ object }}: the report for {{ step }} is due on {{ day }} ({{ days }} day(s) left; {{ clause }}).\n{{ link }}"),
    ),
    "report_overdue": (
        ("Тоқсандық есептің мерзімі өтті: {{ object }}", "Квартальный отчёт просрочен: {{ object }}", "Quarterly report overdue: {{ object }}"),
        ("{{ object }}: {{ step }} бойынша есеп {{ day }} дейін берілуі тиіс еді және әлі берілмеді ({{ clause }}).\n{{ link }}",
         "{{ object }}: отчёт за {{ step }} должен был быть представлен до {{ day }} и ещё не представлен ({{ clause }}).\n{{ link }}",
         "{{ object }}: the report for {{ step }} was due on {{ day }} and has not been submitted ({{ clause }}).\n{{ link }}"),
    ),
    "deadline_reminder": (
        ("Мерзім жақындап келеді: {{ step }}", "Приближается срок: {{ step }}", "Deadline approaching: {{ step }}"),
        ("«{{ competition }}» конкурсы{% if object %}, {{ object }}{% endif %}: «{{ step }}» мерзімі {{ day }} (қалған күндер: {{ days }}); жауапты: {{ actor }} ({{ clause }}).\n{{ link }}",
         "Конкурс «{{ competition }}»{% if object %}, {{ object }}{% endif %}: срок «{{ step }}» — {{ day }} (осталось дней: {{ days }}); ответственный: {{ actor }} ({{ clause }}).\n{{ link }}",
         "Competition “{{ competition }}”{% if object %}, {{ object }}{% endif %}: “{{ step }}” is due on {{ day }} ({{ days }} day(s) left); responsible: {{ actor }} ({{ clause }}).\n{{ link }}"),
    ),
    "deadline_overdue": (
        ("Мерзім өтіп кетті: {{ step }}", "Срок пропущен: {{ step }}", "Deadline missed: {{ step }}"),
        ("«{{ competition }}» конкурсы{% if object %}, {{ object }}{% endif %}: «{{ step }}» мерзімі {{ day }} өтіп кетті; жауапты: {{ actor }} ({{ clause }}).\n{{ link }}",
         "Конкурс «{{ competition }}»{% if object %}, {{ object }}{% endif %}: срок «{{ step }}» истёк {{ day }}; ответственный: {{ actor }} ({{ clause }}).\n{{ link }}",
         "Competition “{{ competition }}”{% if object %}, {{ object }}{% endif %}: “{{ step }}” was due on {{ day }} and is overdue; responsible: {{ actor }} ({{ clause }}).\n{{ link }}"),
    ),
}


def shipped(kind: str) -> dict[str, str]:
    """The shipped texts of ``kind``: ``{"subject_kk", "subject_ru", "subject_en", "body_kk", …}``.

    Raises
    ------
    KeyError
        ``kind`` is not a notice kind.
    """
    subjects, bodies = _T[kind]
    return {**{f"subject_{lang}": s for lang, s in zip(("kk", "ru", "en"), subjects)},
            **{f"body_{lang}": b for lang, b in zip(("kk", "ru", "en"), bodies)}}


assert set(_T) == set(KINDS)
