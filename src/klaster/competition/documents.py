"""Documents generated from the recorded data, in Kazakh and Russian, as DOCX (python-docx).

* receipts of App. 1 (stage 1) and App. 4 (stage 2): cluster, participant, signatory, received by,
  registration No. and date;
* the akimat conclusion (App. 3): No., date, cluster, the akimat confirms the participants and the
  advisability, table of participants with their activity;
* protocols of §15 / §31 (admitted participants), §22 / §36 (review with points), §25 (Commission
  stage-1 decision with the minimum score and the stage-2 deadline) and §39 (stage-2 winners with
  the recommended support).

Kazakh wording follows the seed (Decree 535, Kazakh text); Russian per regulations.md §1.
"""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from klaster.competition.domain import services as svc

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


def _doc():
    d = Document()
    st = d.styles["Normal"]
    st.font.name = "Times New Roman"
    st.font.size = Pt(12)
    return d


def _bytes(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _table(d, header, rows):
    t = d.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for i, h in enumerate(header):
        t.rows[0].cells[i].text = str(h)
    for r in rows:
        cells = t.add_row().cells
        for i, v in enumerate(r):
            cells[i].text = "" if v is None else str(v)
    return t


def _act_block(d, c, lang: str) -> None:
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
    for n in notes:
        d.add_paragraph().add_run(n).bold = True
    if lines:
        d.add_paragraph().add_run(head + ":").italic = True
        for x in lines:
            d.add_paragraph(f"{x['clause']} — {x['text']}: {x['option']}. {x['argument']}", style="List Bullet")


def receipt(app, lang: str) -> bytes:
    """Intake receipt: App. 1 (stage 1) or App. 4 (stage 2), with the list of the registered version's documents."""
    rules = app.competition.rules
    spec = rules.package(app.stage)
    d = _doc()
    d.add_paragraph(_t("appendix", lang, n=spec.receipt_appendix)).alignment = 2
    d.add_heading(T["receipt_title"][app.stage][lang], level=1)
    _act_block(d, app.competition, lang)
    v = app.submitted_version()
    for key, val in (("cluster", app.cluster_name), ("participant", f"{app.organisation_name} ({_t('bin', lang)} {app.organisation_bin})"),
                     ("signatory", f"{app.signatory_position} {app.signatory_name}".strip()),
                     ("received_by", app.received_by), ("reg_no", app.registration_number),
                     ("reg_date", long_day(app.registered_at, lang) if app.registered_at else ""),
                     ("version", v.number if v else "")):
        p = d.add_paragraph()
        p.add_run(_t(key, lang) + ": ").bold = True
        p.add_run(str(val))
    d.add_heading(_t("documents", lang), level=2)
    names = {x.id: x.name.get(lang) for x in spec.documents}
    rows = [(i, names.get(doc.doc_id, doc.doc_id), doc.original_name, doc.pages or "", doc.volume or "")
            for i, doc in enumerate(v.documents.all(), start=1)] if v else []
    _table(d, ["№", _t("doc_name", lang), _t("file", lang), _t("pages", lang), _t("volume", lang)], rows)
    d.add_paragraph(_t("copy_note", lang))
    return _bytes(d)


def akimat_conclusion(app, lang: str) -> bytes:
    """The akimat conclusion in the form of App. 3, from the recorded conclusion and the package's participants."""
    c = app.conclusions.filter(body="akimat").first()
    d = _doc()
    d.add_paragraph(_t("appendix", lang, n=3)).alignment = 2
    d.add_heading(_t("akimat_title", lang), level=1)
    _act_block(d, app.competition, lang)
    d.add_paragraph(f"{_t('no', lang)} {c.pk if c else '—'}    {_t('date', lang)}: "
                    f"{long_day(c.issued_on, lang) if c and c.issued_on else _t('not_issued', lang)}")
    d.add_paragraph(f"1. {app.cluster_name}")
    d.add_paragraph(f"2. {_t('address', lang)}: {app.region_kato}")
    d.add_paragraph(_t("akimat_confirms", lang))
    if c and c.issued_on:
        d.add_paragraph(f"{_t('positive', lang) if c.positive else _t('negative', lang)}: {c.text}")
    v = app.submitted_version() or app.current_version()
    rows = [(i, f"{p.name} ({_t('bin', lang)} {p.bin})", p.oked) for i, p in enumerate(v.participants.all(), start=1)] if v else []
    _table(d, [_t("no", lang), _t("members", lang), _t("activity", lang)], rows)
    if c and c.author:
        prof = getattr(c.author, "profile", None)
        d.add_paragraph(f"{getattr(prof, 'organisation_name', '')} — {getattr(prof, 'full_name', c.author.get_username())}")
    return _bytes(d)


def _notice(text: str, lang: str) -> str:
    """A return notice in ``lang`` (engine messages stored in English are translated)."""
    from django.utils import translation

    from klaster.competition.i18n import stored_text

    with translation.override(lang):
        return stored_text(text).replace("\n", "; ")


def protocol(c, clause: str, lang: str) -> bytes:
    """A protocol of the competition (§15, §22, §25, §31, §36, §39) from the recorded data."""
    rules = c.rules
    d = _doc()
    d.add_heading(PROTOCOL_TITLES[clause][lang], level=1)
    signed = c.events.filter(name=PROTOCOL_EVENTS[clause]).order_by("day").first()
    d.add_paragraph(f"{_t('protocol_date', lang)}: {long_day(signed.day if signed else None, lang)}")
    d.add_paragraph(f"{_t('competition', lang)}: {c.title}")
    d.add_paragraph(f"{_t('regulation', lang)}: {rules.doc.title.get(lang)} ({rules.doc.id} {rules.doc.version}, sha256 {rules.doc.sha256[:12]})")
    _act_block(d, c, lang)
    stage = 1 if clause in ("15", "22", "25") else 2
    apps = c.applications.filter(stage=stage).exclude(state__in=("draft", "refused_late", "withdrawn"))
    if clause in ("15", "31"):
        rows = [(i, a.organisation_name, a.cluster_name, a.registration_number,
                 STATE_WORDS.get("returned" if a.state == "returned" else "admitted")[lang] + (f": {_notice(a.notice, lang)}" if a.state == "returned" else ""))
                for i, a in enumerate(apps, start=1)]
        _table(d, [_t("no", lang), _t("participant", lang), _t("cluster", lang), _t("reg_no", lang), _t("state", lang)], rows)
        if c.state == "failed" or c.events.filter(name="failed").exists():
            d.add_paragraph(_t("failed", lang))
    elif clause in ("22", "36"):
        rows = [(e.rank or "—", a.organisation_name, a.cluster_name, _points(e.score, lang), e.experts)
                for e, a in svc.ranked(c, stage)]
        _table(d, [_t("rank", lang), _t("participant", lang), _t("cluster", lang), _t("score", lang), _t("experts", lang)], rows)
    elif clause == "25":
        d.add_paragraph(f"{_t('minimum', lang)}: {_points(c.minimum_score, lang)}")
        d.add_paragraph(f"{_t('stage2_deadline', lang)}: {long_day(c.stage2_intake_closes, lang)}")
        rows = [(e.rank or "—", a.organisation_name, a.cluster_name, _points(e.score, lang), STATE_WORDS.get(a.state, {}).get(lang, a.state))
                for e, a in svc.ranked(c, 1)]
        _table(d, [_t("rank", lang), _t("participant", lang), _t("cluster", lang), _t("score", lang), _t("state", lang)], rows)
    else:  # 39
        rows = [(i, a.organisation_name, a.cluster_name, STATE_WORDS.get(a.state, {}).get(lang, a.state),
                 getattr(getattr(a, "decision", None), "support", ""))
                for i, a in enumerate(apps.filter(state__in=("winner", "not_selected")), start=1)]
        _table(d, [_t("no", lang), _t("participant", lang), _t("cluster", lang), _t("state", lang), _t("support", lang)], rows)
    return _bytes(d)
