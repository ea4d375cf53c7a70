"""The one refusal type of klaster's domain services: a translatable, user-facing "no".

A domain service refuses an operation by raising a :class:`Refusal` (``RegisterError``,
``ProgrammeError``, ``SupportError``, ``UploadRejected``, ``DayRefused``, ``StaleEdit`` … are
subclasses) with an English msgid (marked with ``gettext_noop``) and named parameters.
``str(error)`` is always the English text (logs, tests, the CLI); :meth:`Refusal.text` — used by
the pages — is the text in the active language, from the apps' catalogues
``locale/{kk,ru}/LC_MESSAGES/django.po``. Parameters may be lazy translations (e.g. a status
label) or lists of them; they are rendered in the same language.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


def _param(value) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_param(v) for v in value)
    if isinstance(value, Refusal):
        return value.text()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        from klaster.common.dates import day_text  # the date as users of the language write it

        return day_text(value)
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
        Values of the placeholders: plain values, dates (written as users of the active
        language write them), lazy translations, lists of them, engine messages
        (:class:`klaster.engine.support.messages.Msg`).
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
