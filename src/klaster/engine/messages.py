"""Engine messages: a stable code, parameters, and the English text (one mechanism for all engines).

An engine is plain Python and speaks English; the Django layer translates its messages by code.
Each engine defines a subclass of :class:`EngineMessage` with its ``catalogue`` (code → English
template with ``{name}`` placeholders) and its ``value_in`` (how a parameter becomes text in a
language). A message is a ``str`` holding the English text — logs, tests and the CLI read it as
before — that also carries ``code`` and ``params``; pickling keeps both.
"""

from __future__ import annotations

from typing import Any


class EngineMessage(str):
    """Base class of engine messages; subclasses set ``catalogue`` and ``value_in``.

    Raises
    ------
    KeyError
        On construction, for a code that is not in the catalogue.
    """

    catalogue: dict[str, str] = {}
    code: str
    params: dict

    @staticmethod
    def value_in(value: Any, lang: str = "en") -> str:
        """A parameter as text in ``lang`` (subclasses know their parameter types)."""
        return str(value)

    @classmethod
    def render(cls, code: str, params: dict, lang: str = "en") -> str:
        """The English template of ``code`` filled with ``params`` rendered in ``lang``."""
        return cls.catalogue[code].format(**{k: cls.value_in(v, lang) for k, v in params.items()})

    def __new__(cls, code: str, **params: Any):
        s = super().__new__(cls, cls.render(code, params))
        s.code = code
        s.params = params
        return s

    def __reduce__(self):  # pickling keeps the class, code and params
        return (_rebuild, (type(self), self.code, self.params))


def _rebuild(cls: type[EngineMessage], code: str, params: dict) -> EngineMessage:
    return cls(code, **params)
