"""Translatable refusals of the register, programmes and support domain services.

A domain service refuses an operation by raising a :class:`Refusal` (``RegisterError``,
``ProgrammeError``, ``SupportError``, ``UploadRejected`` are subclasses) with an English msgid
(marked with ``gettext_noop``) and named parameters. ``str(error)`` is always the English text
(logs, tests, the CLI); :meth:`Refusal.text` — used by the pages — is the text in the active
language, from the apps' catalogues ``locale/{kk,ru}/LC_MESSAGES/django.po``. Parameters may be
lazy translations (e.g. a status label) or lists of them; they are rendered in the same language.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


def _param(value) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_param(v) for v in value)
    if isinstance(value, Refusal):
        return value.text()
    if hasattr(value, "localized_name"):  # a cluster: its name in the active language
        return value.localized_name()
    if hasattr(value, "code") and hasattr(value, "params") and isinstance(value, str):
        from klaster.support.i18n import engine_text  # an engine message (klaster.engine.support)

        return engine_text(value)
    if isinstance(value, Promise):
        return str(value)
    return str(value)


class Refusal(ValueError):
    """An operation was refused; ``msgid`` (English, ``%(name)s`` placeholders) and ``params``.

    Parameters
    ----------
    msgid : str
        The English text marked for translation with ``gettext_noop``.
    **params
        Values of the placeholders: plain values, lazy translations, lists of them, engine
        messages (:class:`klaster.engine.support.messages.Msg`).
    """

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params
        with translation.override("en"):
            english = msgid % {k: _param(v) for k, v in params.items()} if params else msgid
        super().__init__(english)

    def text(self) -> str:
        """The message in the active language."""
        translated = gettext(self.msgid)
        return translated % {k: _param(v) for k, v in self.params.items()} if self.params else translated


def text_of(error) -> str:
    """Any refusal as text in the active language (other exceptions: ``str(error)``)."""
    if isinstance(error, Refusal):
        return error.text()
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    if hasattr(error, "msg") and hasattr(error.msg, "code"):
        return _param(error.msg)
    return str(error)


# --- words that come from data ---------------------------------------------------------------

import re  # noqa: E402

from django.utils.translation import get_language  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from klaster.common.money import UNIT_LABELS  # noqa: E402

UNITS = {
    "persons": gettext_lazy("persons"),
    "legal entities": gettext_lazy("legal entities"),
    "units": gettext_lazy("units"),
    "tonnes": gettext_lazy("tonnes"),
    "jobs": gettext_lazy("jobs"),
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


def clause_in(text, language: str | None = None) -> str:
    """A clause reference as the language writes it (``§5.4`` → kk ``5.4-тармақ``, ru ``п. 5.4``)."""
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


def explanation_line(text: str, language: str | None = None) -> str:
    """A calculator step (already in the language) with its trailing ``[clause]`` rewritten."""
    return _BRACKETED.sub(lambda m: f"[{clause_in(m.group(1), language)}]", text or "")


_SOURCE = re.compile(r"\bseed (\d{3})(?:, lines? ([\d–, -]+))?")


def source_in(text, language: str | None = None) -> str:
    """``seed 003, line 349`` → ru ``исходный документ 003, стр. 349``, kk ``003 бастапқы құжат, 349-жол``."""
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

    return _SOURCE.sub(repl, str(text))


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
        title = pin.get("id", "")
    return f"{title} ({pin.get('version', '')})"
