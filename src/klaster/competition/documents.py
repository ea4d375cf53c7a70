"""Documents generated from the recorded data, in Kazakh and Russian, as DOCX (python-docx) and PDF (WeasyPrint).

* receipts of App. 1 (stage 1) and App. 4 (stage 2): cluster, participant, signatory, received by,
  registration No. and date;
* the akimat conclusion (App. 3): No., date, cluster, the akimat confirms the participants and the
  advisability, table of participants with their activity;
* protocols of §15 / §31 (admitted participants), §22 / §36 (review with points), §25 (Commission
  stage-1 decision with the minimum score and the stage-2 deadline) and §39 (stage-2 winners with
  the recommended support).

Each document's content is built once as blocks (``*_content``, :mod:`klaster.common.documents`)
and rendered as DOCX or as PDF/A (:func:`render`, ``fmt="pdf"``: :mod:`klaster.common.pdf`).

Kazakh wording follows the seed (Decree 535, Kazakh text); Russian per regulations.md §1.
"""

from __future__ import annotations

from klaster.common.documents import blocks_docx
from klaster.competition.domain import services as svc
from klaster.engine.competition.registry import enforces

LANGS = ("kk", "ru")
PROTOCOLS = ("15", "22", "25", "31", "36", "39")

T = {
    "receipt_title": {
        1: {"kk": "Аумақтық кластерлерді бірінші конкурстық іріктеуге қатысуға арналған өтінім",
            "ru": "Заявка на участие в первом этапе конкурсного отбора территориальных кластеров"},
        2: {"kk": "Аумақтық кластерлерді конкурстық іріктеудің екінші кезеңіне қатысуға өтінім",
            "ru": "Заявка на участие во втором этапе конкурсного отбора территориальных кластеров"},
    },
    "appendix": {"kk": "Аумақтық кластерлерге конкурстық іріктеу жүргізу қағидаларына {n}-қосымша",
                 "ru": "Приложение {n} к Правилам проведения конкурсного отбора территориальных кластеров"},
    "cluster": {"kk": "Аумақтық кластердің атауы", "ru": "Наименование территориального кластера"},
    "participant": {"kk": "Конкурсқа қатысушының атауы", "ru": "Наименование участника конкурса"},
    "signatory": {"kk": "Өтініш берушінің атынан құжаттарға қол қоюға өкілеттігі бар адамның лауазымы, Т.А.Ә.",
                  "ru": "Должность, Ф.И.О. лица, уполномоченного подписывать документы от имени заявителя"},
    "received_by": {"kk": "Қабылдады (өтінімді қабылдаған адамның Т.А.Ә.)", "ru": "Принял (Ф.И.О. лица, принявшего заявку)"},
    "reg_no": {"kk": "Тіркеу №", "ru": "Регистрационный №"},
    "reg_date": {"kk": "Қабылдау күні", "ru": "Дата приёма"},
    "copy_note": {"kk": "Осы өтінімнің көшірмесі өтініш берушіге беріледі", "ru": "Копия настоящей заявки выдаётся заявителю"},
    "documents": {"kk": "Өтінім құрамына кіретін құжаттар тізбесі", "ru": "Опись документов заявки"},
    "version": {"kk": "Пакет нұсқасы", "ru": "Версия пакета"},
    "akimat_title": {"kk": "Облыстардың, республикалық маңызы бар қаланың, астананың жергілікті атқарушы органдарының қорытындысы",
                     "ru": "Заключение местного исполнительного органа области, города республиканского значения, столицы"},
    "akimat_confirms": {"kk": "Қатысушылардың болуын/болмауын және аумақтық кластерді ұйымдастырудың орындылығын/орынсыздығын растайды.",
                        "ru": "Подтверждает наличие/отсутствие участников и целесообразность/нецелесообразность организации территориального кластера."},
    "positive": {"kk": "Оң", "ru": "Положительное"},
    "negative": {"kk": "Теріс", "ru": "Отрицательное"},
    "no": {"kk": "№", "ru": "№"},
    "members": {"kk": "Кластерге қатысушылар", "ru": "Участники кластера"},
    "activity": {"kk": "Кластерге қатысушының қызмет түрі (ЭҚЖЖ)", "ru": "Вид деятельности участника кластера (ОКЭД)"},
    "date": {"kk": "Күні", "ru": "Дата"},
    "not_issued": {"kk": "берілген жоқ", "ru": "не выдано"},
    "bin": {"kk": "БСН", "ru": "БИН"},
    "kato": {"kk": "ӘАОЖ", "ru": "КАТО"},
    "address": {"kk": "Мекенжайы (ӘАОЖ коды)", "ru": "Адрес (код КАТО)"},
    "doc_name": {"kk": "Құжат", "ru": "Документ"},
    "file": {"kk": "Файл", "ru": "Файл"},
    "pages": {"kk": "Парақтар саны", "ru": "Количество листов"},
    "volume": {"kk": "Том", "ru": "Том"},
    "protocol_date": {"kk": "Хаттаманың күні", "ru": "Дата протокола"},
    "experts": {"kk": "Сарапшылар саны", "ru": "Число экспертов"},
    "score": {"kk": "Балл", "ru": "Балл"},
    "rank": {"kk": "Орны", "ru": "Место"},
    "state": {"kk": "Шешім", "ru": "Решение"},
    "competition": {"kk": "Конкурс", "ru": "Конкурс"},
    "regulation": {"kk": "Қолданылатын қағидалар", "ru": "Применяемые правила"},
    "minimum": {"kk": "Екінші кезеңге жіберілетін балдардың ең аз мәні (24-тармақ)", "ru": "Минимальное значение баллов для допуска ко второму этапу (п. 24)"},
    "stage2_deadline": {"kk": "Стратегиялар мен жол карталарын дайындау мерзімі (26-тармақ)",
                        "ru": "Срок подготовки стратегий и дорожных карт (п. 26)"},
    "support": {"kk": "Ұсынылған мемлекеттік қолдау шаралары", "ru": "Рекомендованные меры государственной поддержки"},
    "returned": {"kk": "Жазбаша хабарламамен қайтарылды", "ru": "Возвращены с письменным уведомлением"},
    "failed": {"kk": "Конкурс өтпеді деп танылды (41-тармақ)", "ru": "Конкурс признан несостоявшимся (п. 41)"},
    "paper": {"kk": "Қағаз тасығыштағы өтінім (9, 11-тармақтар)", "ru": "Заявка на бумажном носителе (пп. 9, 11)"},
    "paper_line": {"kk": "{day} қабылданды: түпнұсқа — {originals}, көшірме — {copies}; томдар — {volumes} (парақтар: {sheets})",
                   "ru": "Принята {day}: оригинал — {originals}, копия — {copies}; томов — {volumes} (листов: {sheets})"},
    "statement": {"kk": "Конкурсқа қатысушының мәлімдемесі (12-тармақ)", "ru": "Заявление участника конкурса (п. 12)"},
    "draft": {"kk": "ЖОБА — қол қойылмаған", "ru": "ПРОЕКТ — не подписан"},
    "decision_admit": {"kk": "одан әрі қаралуға жіберілді", "ru": "допущена к дальнейшему рассмотрению"},
    "decision_return": {"kk": "жазбаша хабарламамен қайтарылады", "ru": "возвращается с письменным уведомлением"},
    "override": {"kk": "ұйымдастырушының шешімі, тексеру нәтижесінен өзгеше", "ru": "решение организатора, отличное от результата проверки"},
}

PROTOCOL_TITLES = {
    "15": {"kk": "Бірінші кезеңнің өтінімдерін 6-тармақтың талаптарына сәйкестігі тұрғысынан тексеру хаттамасы (15-тармақ)",
           "ru": "Протокол проверки заявок первого этапа на соответствие требованиям пункта 6 (пункт 15)"},
    "31": {"kk": "Екінші кезеңнің өтінімдерін 7-тармақтың талаптарына сәйкестігі тұрғысынан тексеру хаттамасы (31-тармақ)",
           "ru": "Протокол проверки заявок второго этапа на соответствие требованиям пункта 7 (пункт 31)"},
    "22": {"kk": "Өтінімдер материалдарын қарау хаттамасы (22-тармақ)", "ru": "Протокол рассмотрения материалов заявок (пункт 22)"},
    "36": {"kk": "Екінші кезеңнің өтінімдер материалдарын қарау хаттамасы (36-тармақ)",
           "ru": "Протокол рассмотрения материалов заявок второго этапа (пункт 36)"},
    "25": {"kk": "Бірінші кезеңнің нәтижелері бойынша Комиссия шешімінің хаттамасы (25-тармақ)",
           "ru": "Протокол решения Комиссии по итогам первого этапа (пункт 25)"},
    "39": {"kk": "Екінші кезеңнің нәтижелері бойынша Комиссия шешімінің хаттамасы (39-тармақ)",
           "ru": "Протокол решения Комиссии по итогам второго этапа (пункт 39)"},
}

STATE_WORDS = {
    "admitted": {"kk": "одан әрі қаралуға жіберілді", "ru": "допущена к дальнейшему рассмотрению"},
    "under_review": {"kk": "қаралуда", "ru": "на рассмотрении"},
    "returned": {"kk": "қайтарылды", "ru": "возвращена"},
    "passed": {"kk": "екінші кезеңге жіберілді", "ru": "допущена ко второму этапу"},
    "below_threshold": {"kk": "ең аз балдан төмен", "ru": "ниже минимального балла"},
    "winner": {"kk": "жеңімпаз", "ru": "победитель"},
    "not_selected": {"kk": "іріктелмеді", "ru": "не отобрана"},
}


def _t(key, lang, **kw):
    return T[key][lang].format(**kw)


MONTHS = {
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"),
}


def long_day(day, lang: str) -> str:
    """A date as the forms of the Decree write it: kk ``2025 жылғы «07» мамыр``, ru ``«07» мая 2025 г.``; None: ``—``."""
    if day is None:
        return "—"
    if hasattr(day, "hour"):
        from django.utils import timezone

        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if lang == "kk":
        return f"{day.year} жылғы «{day:%d}» {MONTHS['kk'][day.month - 1]}"
    return f"«{day:%d}» {MONTHS['ru'][day.month - 1]} {day.year} г."


def _points(value, lang: str) -> str:
    """Points with a decimal comma (kk, ru)."""
    if value is None:
        return "—"
    from klaster.common.money import format_number

    return format_number(value, lang, decimals=2)


PROTOCOL_EVENTS = {"15": "stage1_admission_protocol_signed", "31": "stage2_admission_protocol_signed",
                   "22": "stage1_review_protocol_signed", "36": "stage2_review_protocol_signed",
                   "25": "stage1_commission_protocol_signed", "39": "stage2_commission_protocol_received"}


def render(blocks: list[tuple], lang: str, fmt: str = "docx") -> bytes:
    """A document's blocks (:mod:`klaster.common.documents`) as DOCX (Times New Roman 12 pt) or as
    PDF/A (:func:`klaster.common.pdf.blocks_pdf`); ``fmt``: ``docx`` or ``pdf``."""
    if fmt == "pdf":
        from klaster.common.pdf import blocks_pdf

        return blocks_pdf(blocks, lang)
    return blocks_docx(blocks, font="Times New Roman", size=12)


def _act_block(c, lang: str) -> list[tuple]:
    """The act-in-force warning (when the competition's date is outside the act's effective period)
    and the readings of the regulation the competition used — on every document."""
    from django.utils import translation
    from django.utils.translation import gettext

    from klaster.common.acts import act_notice, reading_lines

    rules = c.rules
    with translation.override(lang):
        notes = [n for n in (act_notice(rules.doc, c.announced_on, lang),
                             act_notice(rules.criteria_doc, c.announced_on, lang) if rules.criteria_doc else None) if n]
        lines = reading_lines(rules.doc, c.readings, lang)
        head = gettext("Readings of the act used here")
    blocks: list[tuple] = [("strong", n) for n in notes]
    if lines:
        blocks.append(("note", head + ":"))
        blocks += [("bullet", f"{x['clause']} — {x['text']}: {x['option']}. {x['argument']}") for x in lines]
    return blocks


def receipt_content(app, lang: str) -> list[tuple]:
    """The blocks of the intake receipt: App. 1 (stage 1) or App. 4 (stage 2), with the list of the
    registered version's documents, the paper original (§9, §11) and the §12 statement."""
    rules = app.competition.rules
    spec = rules.package(app.stage)
    b: list[tuple] = [("right", _t("appendix", lang, n=spec.receipt_appendix)), ("heading", 1, T["receipt_title"][app.stage][lang])]
    b += _act_block(app.competition, lang)
    v = app.submitted_version()
    for key, val in (("cluster", app.cluster_name), ("participant", f"{app.organisation_name} ({_t('bin', lang)} {app.organisation_bin})"),
                     ("signatory", f"{app.signatory_position} {app.signatory_name}".strip()),
                     ("received_by", app.received_by), ("reg_no", app.registration_number),
                     ("reg_date", long_day(app.registered_at, lang) if app.registered_at else ""),
                     ("version", v.number if v else "")):
        b.append(("field", _t(key, lang), str(val)))
    b.append(("heading", 2, _t("documents", lang)))
    names = {x.id: x.name.get(lang) for x in spec.documents}
    rows = [(i, names.get(doc.doc_id, doc.doc_id), doc.original_name, doc.pages or "", doc.volume or "")
            for i, doc in enumerate(v.documents.all(), start=1)] if v else []
    b.append(("table", ["№", _t("doc_name", lang), _t("file", lang), _t("pages", lang), _t("volume", lang)], rows))
    paper = app.paper if _has_paper(app) else None
    if paper is not None:
        b.append(("heading", 2, _t("paper", lang)))
        b.append(("para", _t("paper_line", lang, originals=paper.originals, copies=paper.copies, volumes=len(paper.volumes),
                             sheets="; ".join(str(x) for x in paper.volumes), day=long_day(paper.received_on, lang))))
    if app.statement_at:
        from klaster.competition.domain.records import statement_text

        b.append(("field", _t("statement", lang), f"{statement_text(app.competition, lang)} ({long_day(app.statement_at, lang)})"))
    b.append(("para", _t("copy_note", lang)))
    return b


@enforces("document.receipt")
def receipt(app, lang: str, fmt: str = "docx") -> bytes:
    """Intake receipt: App. 1 (stage 1) or App. 4 (stage 2), DOCX or PDF (:func:`receipt_content`)."""
    return render(receipt_content(app, lang), lang, fmt)


def _has_paper(app) -> bool:
    from klaster.competition.models import PaperReceipt

    return PaperReceipt.objects.filter(application=app).exists()


def akimat_conclusion_content(app, lang: str) -> list[tuple]:
    """The blocks of the akimat conclusion in the form of App. 3, from the recorded conclusion and the package's participants."""
    c = app.conclusions.filter(body="akimat").first()
    b: list[tuple] = [("right", _t("appendix", lang, n=3)), ("heading", 1, _t("akimat_title", lang))]
    b += _act_block(app.competition, lang)
    b.append(("para", f"{_t('no', lang)} {c.pk if c else '—'}    {_t('date', lang)}: "
                      f"{long_day(c.issued_on, lang) if c and c.issued_on else _t('not_issued', lang)}"))
    b.append(("para", f"1. {app.cluster_name}"))
    b.append(("para", f"2. {_t('address', lang)}: {app.region_kato}"))
    b.append(("para", _t("akimat_confirms", lang)))
    if c and c.issued_on:
        b.append(("para", f"{_t('positive', lang) if c.positive else _t('negative', lang)}: {c.text}"))
    v = app.submitted_version() or app.current_version()
    rows = [(i, f"{p.name} ({_t('bin', lang)} {p.bin})", p.oked) for i, p in enumerate(v.participants.all(), start=1)] if v else []
    b.append(("table", [_t("no", lang), _t("members", lang), _t("activity", lang)], rows))
    if c and c.author:
        prof = getattr(c.author, "profile", None)
        b.append(("para", f"{getattr(prof, 'organisation_name', '')} — {getattr(prof, 'full_name', c.author.get_username())}"))
    return b


@enforces("document.akimat_conclusion")
def akimat_conclusion(app, lang: str, fmt: str = "docx") -> bytes:
    """The akimat conclusion in the form of App. 3, DOCX or PDF (:func:`akimat_conclusion_content`)."""
    return render(akimat_conclusion_content(app, lang), lang, fmt)


def _notice(text: str, lang: str) -> str:
    """A return notice in ``lang`` (engine messages stored in English are translated)."""
    from django.utils import translation

    from klaster.competition.i18n import stored_text

    with translation.override(lang):
        return stored_text(text).replace("\n", "; ")


def protocol_content(c, clause: str, lang: str) -> list[tuple]:
    """The blocks of a protocol of the competition (§15, §22, §25, §31, §36, §39) from the recorded data."""
    rules = c.rules
    b: list[tuple] = [("heading", 1, PROTOCOL_TITLES[clause][lang])]
    signed = c.events.filter(name=PROTOCOL_EVENTS[clause]).order_by("day").first()
    b.append(("para", f"{_t('protocol_date', lang)}: {long_day(signed.day if signed else None, lang)}"))
    b.append(("para", f"{_t('competition', lang)}: {c.title}"))
    b.append(("para", f"{_t('regulation', lang)}: {rules.doc.title.get(lang)} ({rules.doc.id} {rules.doc.version}, sha256 {rules.doc.sha256[:12]})"))
    b += _act_block(c, lang)
    stage = 1 if clause in ("15", "22", "25") else 2
    apps = c.applications.filter(stage=stage).exclude(state__in=("draft", "refused_late", "withdrawn"))
    proto = c.admission_protocols.filter(stage=stage).first() if clause in ("15", "31") else None
    if proto is not None and proto.state == "draft":
        b.append(("strong", _t("draft", lang)))
        rows = []
        for i, x in enumerate(proto.decisions.select_related("application"), start=1):
            a = x.application
            word = _t("decision_admit", lang) if x.decision == "admit" else _t("decision_return", lang) + f": {_notice(x.notice, lang)}"
            if x.override_reason:
                word += f" ({_t('override', lang)}: {x.override_reason})"
            rows.append((i, a.organisation_name, a.cluster_name, a.registration_number, word))
        b.append(("table", [_t("no", lang), _t("participant", lang), _t("cluster", lang), _t("reg_no", lang), _t("state", lang)], rows))
    elif clause in ("15", "31"):
        rows = [(i, a.organisation_name, a.cluster_name, a.registration_number,
                 STATE_WORDS.get("returned" if a.state == "returned" else "admitted")[lang] + (f": {_notice(a.notice, lang)}" if a.state == "returned" else ""))
                for i, a in enumerate(apps, start=1)]
        b.append(("table", [_t("no", lang), _t("participant", lang), _t("cluster", lang), _t("reg_no", lang), _t("state", lang)], rows))
        if c.state == "failed" or c.events.filter(name="failed").exists():
            b.append(("para", _t("failed", lang)))
    elif clause in ("22", "36"):
        rows = [(e.rank or "—", a.organisation_name, a.cluster_name, _points(e.score, lang), e.experts)
                for e, a in svc.ranked(c, stage)]
        b.append(("table", [_t("rank", lang), _t("participant", lang), _t("cluster", lang), _t("score", lang), _t("experts", lang)], rows))
    elif clause == "25":
        b.append(("para", f"{_t('minimum', lang)}: {_points(c.minimum_score, lang)}"))
        b.append(("para", f"{_t('stage2_deadline', lang)}: {long_day(c.stage2_intake_closes, lang)}"))
        rows = [(e.rank or "—", a.organisation_name, a.cluster_name, _points(e.score, lang), STATE_WORDS.get(a.state, {}).get(lang, a.state))
                for e, a in svc.ranked(c, 1)]
        b.append(("table", [_t("rank", lang), _t("participant", lang), _t("cluster", lang), _t("score", lang), _t("state", lang)], rows))
    else:  # 39
        rows = [(i, a.organisation_name, a.cluster_name, STATE_WORDS.get(a.state, {}).get(lang, a.state),
                 getattr(getattr(a, "decision", None), "support", ""))
                for i, a in enumerate(apps.filter(state__in=("winner", "not_selected")), start=1)]
        b.append(("table", [_t("no", lang), _t("participant", lang), _t("cluster", lang), _t("state", lang), _t("support", lang)], rows))
    return b


def protocol(c, clause: str, lang: str, fmt: str = "docx") -> bytes:
    """A protocol of the competition (§15, §22, §25, §31, §36, §39), DOCX or PDF (:func:`protocol_content`)."""
    return render(protocol_content(c, clause, lang), lang, fmt)


# ------------------------------------------------------------------------------------------------ structured documents (App. 2, 5, 6)

HEAD = {
    "no": {"kk": "№", "ru": "№", "en": "No."},
    "group": {"kk": "Топ", "ru": "Группа", "en": "Group"},
    "line": {"kk": "Жол", "ru": "Строка", "en": "Line"},
    "year": {"kk": "Жыл", "ru": "Год", "en": "Year"},
    "indicator": {"kk": "Көрсеткіш", "ru": "Показатель", "en": "Indicator"},
    "empty": {"kk": "толтырылмаған", "ru": "не заполнено", "en": "not filled in"},
    "total": {"kk": "Барлығы", "ru": "Итого", "en": "Total"},
    "net": {"kk": "Таза ақша ағыны", "ru": "Чистый денежный поток", "en": "Net cash flow"},
    "quarter": {"kk": "тоқсан", "ru": "кв.", "en": "Q"},
    "draft": {"kk": "ЖОБА", "ru": "ПРОЕКТ", "en": "DRAFT"},
    "version": {"kk": "Пакет нұсқасы", "ru": "Версия пакета", "en": "Package version"},
}


def _h(key, lang):
    return HEAD[key].get(lang) or HEAD[key]["en"]


def _num(value, lang):
    from decimal import Decimal, InvalidOperation

    from klaster.common.money import format_number

    if value in (None, ""):
        return ""
    try:
        return format_number(Decimal(str(value)), lang if lang in ("kk", "ru") else "en")
    except (InvalidOperation, ValueError):
        return str(value)


def _opt(options, value, lang):
    for o in options:
        if o.id == value:
            return o.title.get(lang)
    return str(value or "")


def structured_content(app, form_id: str, lang: str, version=None, identity: bool = True) -> list[tuple]:
    """The content of a structured document as blocks, in the order of its appendix — the one function
    the DOCX (:func:`structured_docx`), the read-only page and a future PDF renderer build from:
    ``("title", text)``, ``("heading", level, text)``, ``("para", text)``, ``("empty", text)`` for an
    item not filled in, ``("table", header, rows)``. ``identity=False`` leaves out who applied (blind mode)."""
    from klaster.competition.domain import structured

    fs = app.competition.rules.forms
    spec = structured.form_for(app, form_id)
    v = version or app.submitted_version() or app.current_version()
    data = structured.data_of(v, spec.id)
    items, tables = data.get("items") or {}, data.get("tables") or {}
    blocks: list[tuple] = [("title", f"{spec.title.get(lang)} ({spec.clause})")]
    if identity:  # the blind mode hides who applied from the experts
        blocks.append(("para", f"{app.cluster_name} — {app.organisation_name}; {_h('version', lang)} {v.number if v else '—'}"))
    for sec in spec.sections:
        blocks.append(("heading", 1, f"{sec.id}. {sec.title.get(lang)}" if sec.id.isdigit() else sec.title.get(lang)))
        if sec.hint:
            blocks.append(("para", sec.hint.get(lang)))
        for it in sec.items:
            if not it.table:
                blocks.append(("heading", 2, f"{it.id}. {it.title.get(lang)}" if it.id != sec.id else it.title.get(lang)))
                text = (items.get(it.id) or "").strip()
                blocks.append(("para", text) if text else ("empty", _h("empty", lang)))
                continue
            t = fs.tables[it.table]
            if it.id != sec.id and len(sec.items) > 1:
                blocks.append(("heading", 2, f"{it.id}. {it.title.get(lang)}"))
            value = tables.get(t.id)
            if t.type == "profiles":
                years = structured.indicator_years(app)
                for r in value or []:
                    blocks.append(("heading", 3, f"{r.get('name', '')} ({r.get('bin', '')})"))
                    rows = [(fld.title.get(lang), _opt(fld.options, r.get(fld.id), lang) if fld.type == "choice" else str(r.get(fld.id, "")))
                            for fld in t.fields if fld.id not in ("name",)]
                    blocks.append(("table", [_h("indicator", lang), ""], rows))
                    inds = r.get("indicators") or {}
                    blocks.append(("table", [_h("indicator", lang)] + [str(y) for y in years],
                                   [[ind.title.get(lang)] + [_num((inds.get(str(y)) or {}).get(ind.id), lang) for y in years]
                                    for ind in t.indicators]))
                if not value:
                    blocks.append(("empty", _h("empty", lang)))
            elif t.type == "quarterly":
                value = value or {}
                fy = value.get("first_year")
                cells = value.get("cells") or {}
                for y in range(1, t.years + 1):
                    keys = [f"y{y}q{q}" for q in range(1, 5)]
                    head = [f"{fy + y - 1 if fy else y}"] + [f"{_h('quarter', lang)} {q}" for q in range(1, 5)]
                    rows = [[ln.title.get(lang)] + [_num((cells.get(ln.id) or {}).get(k), lang) for k in keys] for ln in t.lines]
                    blocks.append(("table", head, rows))
                if not cells:
                    blocks.append(("empty", _h("empty", lang)))
            else:
                value = value or {}
                fy = value.get("first_year")
                rows_all = value.get("rows") or []
                cols = [c for c in t.columns]
                for g in t.groups:
                    blocks.append(("heading", 2, f"{g.id}. {g.title.get(lang)}"))
                    evs = [(i, r) for i, r in enumerate(rows_all, start=1) if str(r.get("group")) == g.id]
                    if not evs:
                        blocks.append(("empty", _h("empty", lang)))
                        continue
                    head = [_h("no", lang)]
                    for c in cols:
                        if c.type == "years":
                            head += [f"{c.title.get(lang)} {fy + y - 1 if fy else y}" for y in range(1, t.years + 1)]
                        else:
                            head.append(c.title.get(lang))
                    rows = []
                    for i, r in evs:
                        row = [str(i)]
                        for c in cols:
                            if c.type == "years":
                                row += [_num((r.get(c.id) or {}).get(f"y{y}"), lang) for y in range(1, t.years + 1)]
                            elif c.type == "sources":
                                row.append(", ".join(_opt(t.sources, s, lang) for s in r.get(c.id) or []))
                            elif c.type == "date":
                                from klaster.competition.i18n import day_in

                                import datetime as _dt

                                row.append(day_in(_dt.date.fromisoformat(r[c.id]), lang) if r.get(c.id) else "")
                            else:
                                row.append(str(r.get(c.id, "")))
                        rows.append(row)
                    blocks.append(("table", head, rows))
                    for i, r in evs:
                        blocks.append(("heading", 3, f"{i}. {r.get('title', '')}"))
                        blocks.append(("table", [_h("indicator", lang), ""], [(d.title.get(lang), str(r.get(d.id, ""))) for d in t.details]))
    return blocks


def render_docx(blocks: list[tuple]) -> bytes:
    """A DOCX of :func:`structured_content`'s blocks."""
    return render(blocks, "ru", "docx")


def structured_docx(app, form_id: str, lang: str, version=None, identity: bool = True, fmt: str = "docx") -> bytes:
    """The DOCX (or PDF: ``fmt="pdf"``) of a structured document of a package (App. 2, 5, 6), in kk or ru."""
    return render(structured_content(app, form_id, lang, version=version, identity=identity), lang, fmt)
