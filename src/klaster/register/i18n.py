"""Words of the register, programmes and support pages that come from data (units, clauses,
sources), and the translatable refusals of their domain services.

:class:`Refusal` and :func:`text_of` live in :mod:`klaster.common.refusals` (the one refusal
type of every module) and are re-exported here.
"""

from __future__ import annotations

from klaster.common.refusals import Refusal, _param, text_of  # noqa: F401 - re-exported: the one refusal type

# --- words that come from data ---------------------------------------------------------------

import re  # noqa: E402

from django.utils.translation import get_language  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402
from django.utils.translation import pgettext_lazy  # noqa: E402

from klaster.common.money import UNIT_LABELS  # noqa: E402

UNITS = {
    "persons": gettext_lazy("persons"),
    "legal entities": gettext_lazy("legal entities"),
    "units": gettext_lazy("units"),
    "tonnes": gettext_lazy("tonnes"),
    "jobs": pgettext_lazy("unit", "jobs"),
    "products": gettext_lazy("products"),
    "markets": gettext_lazy("markets"),
}


def _lang(language: str | None = None) -> str:
    return (language or get_language() or "ru")[:2]


def unit_label(value, language: str | None = None) -> str:
    """A unit of measure in the active language (money units from :data:`klaster.common.money.UNIT_LABELS`)."""
    if not value:
        return "—"
    lang = _lang(language)
    if value in UNIT_LABELS:
        return UNIT_LABELS[value].get(lang, value)
    if value in UNITS:
        return str(UNITS[value])
    return str(value)


# Clause references of the regulation data, in the order they are rewritten (kk, ru).
_CLAUSE_WORDS = [
    (r"\(closing paragraphs\)", "(қорытынды абзацтар)", "(заключительные абзацы)"),
    (r"\(best practices through experts\)", "(сарапшылар арқылы үздік тәжірибе)", "(лучшие практики через экспертов)"),
    (r"\(feasibility studies of Industrialisation Map projects\)", "(Индустрияландыру картасы жобаларының ТЭН)", "(ТЭО проектов Карты индустриализации)"),
    (r"\(investment plan for leasing\)", "(лизингке арналған инвестициялық жоспар)", "(инвестиционный план для лизинга)"),
    (r"\(production organisation\)", "(өндірісті ұйымдастыру)", "(организация производства)"),
    (r"\(technological processes\)", "(технологиялық процестер)", "(технологические процессы)"),
    (r"\(training and retraining\)", "(оқыту және қайта даярлау)", "(обучение и переподготовка)"),
    (r"not stated in the act \(see notes\)", "актіде көрсетілмеген (ескертпелерді қараңыз)", "в акте не указано (см. примечания)"),
    (r"not stated in the act", "актіде көрсетілмеген", "в акте не указано"),
    (r"mechanism of instruments (\d+[–-]\d+)", r"\1-құралдар тетігі", r"механизм инструментов \1"),
    (r"mechanism of instrument (\d+)", r"\1-құрал тетігі", r"механизм инструмента \1"),
    (r"instruments (\d+[–-]\d+)", r"\1-құралдар", r"инструменты \1"),
    (r"instrument (\d+)", r"\1-құрал", r"инструмент \1"),
    (r"items ([\d.]+(?:[–-][\d.]+|(?:, [\d.]+)+))", r"\1-тармақтар", r"пункты \1"),
    (r"item ([\d.]+)", r"\1-тармақ", r"пункт \1"),
    (r"App\. (\d+)", r"\1-қосымша", r"прил. \1"),
    (r"Criteria ([\d.]+)", r"\1-өлшемшарт", r"критерий \1"),
    (r"Programme §", "Бағдарлама, §", "Программа, §"),
    (r"§\s*(\d+(?:\.\d+)*)", r"\1-тармақ", r"п. \1"),
    (r"Programme", "Бағдарлама", "Программа"),
    (r"Decree", "Қаулы", "постановление"),
]


def in_language(text, language: str | None = None):
    """A text the data gives in each language (``{"kk": …, "ru": …, "en": …}``) in ``language``
    (the active one by default; English, then any, when it lacks that language); any other value
    is returned as it is."""
    if isinstance(text, dict):
        lang = _lang(language)
        return text.get(lang) or text.get("en") or next(iter(text.values()), "")
    return text


def clause_in(text, language: str | None = None) -> str:
    """A clause reference as the language writes it (``§5.4`` → kk ``5.4-тармақ``, ru ``п. 5.4``);
    ``text`` may be a ``{kk, ru, en}`` dict (:func:`in_language`)."""
    text = in_language(text, language)
    if not text:
        return text or ""
    lang = _lang(language)
    if lang not in ("kk", "ru"):
        return str(text)
    s = str(text)
    for pattern, kk, ru in _CLAUSE_WORDS:
        s = re.sub(pattern, kk if lang == "kk" else ru, s)
    return s


_BRACKETED = re.compile(r"\[([^\[\]]+)\]$")


#: The bases a support cap is a share of (``share-of-base`` caps of the regulation
#: productivity2020-instruments, Programme §5.3), by the id the regulation gives them, as the
#: support form names them ("Construction-and-installation cost, tenge").
COST_BASES = {
    "construction-installation-cost": {"kk": "құрылыс-монтаж жұмыстарының құны", "ru": "стоимость строительно-монтажных работ",
                                       "en": "construction-and-installation cost"},
}


def cost_base(base_id: str, language: str | None = None) -> str:
    """The name of a cap's base (:data:`COST_BASES`) in the language; an unknown id as it is."""
    return COST_BASES.get(base_id, {}).get(_lang(language), base_id)


def explanation_line(text: str, language: str | None = None) -> str:
    """A calculator step (already in the language) with its trailing ``[clause]`` rewritten and
    the ids of cap bases (``construction-installation-cost``) named (:data:`COST_BASES`)."""
    text = _BRACKETED.sub(lambda m: f"[{clause_in(m.group(1), language)}]", text or "")
    for base_id in COST_BASES:
        if base_id in text:
            text = text.replace(base_id, cost_base(base_id, language))
    return text


_SOURCE = re.compile(r"\bseed (\d{3})(?:, lines? ([\d–, -]+))?")


def source_in(text, language: str | None = None) -> str:
    """``seed 003, line 349`` → ru ``исходный документ 003, стр. 349``, kk ``003 бастапқы құжат, 349-жол``;
    ``text`` may be a ``{kk, ru, en}`` dict (:func:`in_language`)."""
    text = in_language(text, language)
    if not text:
        return text or ""
    lang = _lang(language)
    if lang not in ("kk", "ru"):
        return str(text)

    def repl(m):
        doc, line = m.group(1), m.group(2)
        if lang == "ru":
            return f"исходный документ {doc}" + (f", стр. {line}" if line else "")
        return f"{doc} бастапқы құжат" + (f", {line}-жол" if line else "")

    out = _SOURCE.sub(repl, str(text))
    for pattern, kk, ru in _SOURCE_WORDS:
        out = pattern.sub(kk if lang == "kk" else ru, out)
    return out


def _dmy(m) -> str:
    return f"{m.group('d')}.{m.group('m')}.{m.group('y')}"


#: Sources klaster writes itself (the register procedure), rewritten the page language's way.
_SOURCE_WORDS = [
    # the monitoring rule's source (regulation cluster-programme-cofinancing); the sentence after
    # the colon is the rule itself, which the pages say in the language beside the source
    (re.compile(r"\btext after fig\. (?P<f>\d+) \(lines (?P<l>[\d–, -]+)\)(?:: QazIndustry reports to the Ministry once a quarter)?"),
     lambda m: f"{m.group('f')}-суреттен кейінгі мәтін ({m.group('l')}-жолдар)", lambda m: f"текст после рис. {m.group('f')} (стр. {m.group('l')})"),
    # the budget lines' clauses (regulation budget-lines)
    (re.compile(r"\bDecree (?P<n>\d+), programme §(?P<s>\d+)"),
     lambda m: f"№ {m.group('n')} қаулы, бағдарламаның {m.group('s')}-бөлімі", lambda m: f"постановление № {m.group('n')}, программа, раздел {m.group('s')}"),
    (re.compile(r"\bpassport, sources of financing \(lines (?P<l>[\d–, -]+)\)"),
     lambda m: f"паспорт, қаржыландыру көздері ({m.group('l')}-жолдар)", lambda m: f"паспорт, источники финансирования (стр. {m.group('l')})"),
    (re.compile(r"\bplan-schedule of the National Project of industrial-innovation development 2021–2025 \(line (?P<l>\d+)\)"),
     lambda m: f"2021–2025 жылдарға арналған индустриялық-инновациялық дамудың ұлттық жобасының жоспар-кестесі ({m.group('l')}-жол)",
     lambda m: f"план-график Национального проекта индустриально-инновационного развития на 2021–2025 годы (стр. {m.group('l')})"),
    # the demo programmes' obligations (klaster.programmes.demo)
    (re.compile(r"\bbase (?P<b>\d{4}) and target (?P<t>\d{4}):"),
     lambda m: f"{m.group('b')} базасы және {m.group('t')} мақсаты:", lambda m: f"база {m.group('b')} г. и цель {m.group('t')} г.:"),
    (re.compile(r"; quarterly targets invented"), "; тоқсандық мақсаттар демонстрация үшін ойдан шығарылған", "; квартальные цели придуманы для демонстрации"),
    (re.compile(r"^invented for the demonstration$"), "демонстрация үшін ойдан шығарылған", "придумано для демонстрации"),
    (re.compile(r" ?\(the new-products table: its increments add up to the slide's 24\)"),
     " (жаңа өнімдер кестесі: оның өсімдері слайдтағы 24-ке тең)", " (таблица новых продуктов: её приросты в сумме дают 24 со слайда)"),
    (re.compile(r"competition «(?P<t>[^»]*)», decision of (?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
     lambda m: f"«{m.group('t')}» конкурсы, {_dmy(m)} шешімі", lambda m: f"конкурс «{m.group('t')}», решение от {_dmy(m)}"),
    (re.compile(r"competition #(?P<c>\d+), application (?P<a>[^,]+), decision of (?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
     lambda m: f"№{m.group('c')} конкурс, {m.group('a')} өтінім, {_dmy(m)} шешімі", lambda m: f"конкурс №{m.group('c')}, заявка {m.group('a')}, решение от {_dmy(m)}"),
    (re.compile(r"application of the cluster association"), "кластерлік қауымдастықтың өтінімі", "заявка кластерной ассоциации"),
    (re.compile(r"demo: an invented stage-1 win \(no competition record\)"), "демо: ойдан құрастырылған бірінші кезеңдегі жеңіс (конкурс жазбасы жоқ)",
     "демо: придуманная победа в первом этапе (записи конкурса нет)"),
]


def regulation_label(pin, language: str | None = None) -> str:
    """The title of a pinned regulation document in the language, with its version."""
    if not pin:
        return "—"
    from klaster import regulations

    lang = _lang(language)
    try:
        doc = regulations.load(pin.get("id"), version=pin.get("version"))
        title = doc.title.get(lang) or doc.title.get("en") or pin.get("id")
    except Exception:  # noqa: BLE001 - a missing document still shows its id
        return f"{pin.get('id', '')} ({pin.get('version', '')})"
    return f"{title} ({version_label(doc, lang)})"


def version_label(doc, language: str | None = None) -> str:
    """A regulation document's version as people name it: its number among the document's versions
    (when there are several) and the day it takes effect — ru «ред. 2 от 17.06.2015», kk «2-редакция,
    17.06.2015», en "version 2 of 17 Jun 2015" (not the version code ``decree-440-2015-r2``).
    ``doc``: a :class:`klaster.regulations.RegulationDocument`."""
    from klaster import regulations
    from klaster.common.dates import day_text

    lang = _lang(language)
    versions = list(regulations.versions(doc.id))
    n = versions.index(doc.version) + 1 if doc.version in versions and len(versions) > 1 else None
    day = day_text(doc.effective_from or (doc.act or {}).get("date"), lang)
    if lang == "kk":
        return ", ".join(x for x in (f"{n}-редакция" if n else "редакция", day) if x)
    if lang == "ru":
        return f"ред.{f' {n}' if n else ''}{f' от {day}' if day else ''}"
    return f"version{f' {n}' if n else ''}{f' of {day}' if day else ''}"
