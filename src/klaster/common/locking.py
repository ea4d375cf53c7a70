"""The one optimistic-locking mechanism of klaster: no edit silently overwrites another.

Every record a user edits in a form (a programme, a key project, a register participant, a
package version, a quarterly report, a score sheet …) carries a version column, django-concurrency's
:class:`~concurrency.fields.AutoIncVersionField` (``version = VersionField()`` below): every save
is a conditional ``UPDATE … WHERE id = … AND version = …`` that bumps the version. The page sends
the version it was loaded with (a hidden :class:`klaster.common.forms.VersionField`); the domain
service calls :func:`save` (or :func:`touch` when the edit changes only rows that belong to the
record, e.g. the targets of a counter-obligation) with that version inside its transaction. When
someone else saved the record in between, :class:`StaleEdit` is raised, the transaction is rolled
back (nothing is written), and the view answers 409 with the user's values kept in the form
(:func:`conflict`).

Why django-concurrency: it is the maintained optimistic-lock library for Django (conditional
update in the model's own save, works on SQLite and PostgreSQL, no triggers needed); klaster's
own score-sheet lock was generalised onto it.
"""

from __future__ import annotations

from concurrency.exceptions import RecordModifiedError
from concurrency.fields import AutoIncVersionField
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext_noop as _

from klaster.common.refusals import Refusal


class VersionField(AutoIncVersionField):
    """The version column of a lockable record (starts at 0, +1 on every save)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "record revision number (optimistic locking)")
        super().__init__(*args, **kwargs)


class StaleEdit(Refusal):
    """The record was changed by someone else since the page was loaded; nothing was saved."""

    def __init__(self, msgid: str | None = None, **params):
        super().__init__(msgid or _("This record was changed by someone else after you opened the page; your changes were not saved. "
                                    "Your values are kept below: compare them with the current record (reload) and save again."), **params)


def _expect(obj, version: int | None) -> None:
    if version is not None:
        obj.version = int(version)


def save(obj, version: int | None = None, **kwargs):
    """Save ``obj`` if it is still at ``version`` (the page's); bump its version.

    Parameters
    ----------
    obj : Model with a :class:`VersionField` named ``version``
    version : int, optional
        The version the user's page was loaded with; None checks against the version ``obj``
        was read with (a save by a program, not a page).
    **kwargs
        Passed to ``obj.save()`` (e.g. ``update_fields``; ``version`` is added to them).

    Raises
    ------
    StaleEdit
        The stored version differs: someone saved the record in between. Call inside the
        domain's ``transaction.atomic`` so that the whole edit is rolled back.
    """
    _expect(obj, version)
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = list(dict.fromkeys([*kwargs["update_fields"], "version"]))
    try:
        with transaction.atomic():  # a savepoint: a stale write rolls back only itself
            obj.save(**kwargs)
    except RecordModifiedError:
        raise StaleEdit() from None
    return obj


def touch(obj, version: int | None = None):
    """Claim ``obj`` for an edit of the rows that belong to it (bump its version only).

    Raises
    ------
    StaleEdit
        As :func:`save`.
    """
    return save(obj, version, update_fields=["version"])


def conflict(request, template: str, context: dict):
    """The 409 answer to a stale edit: the form page again, the user's values kept, with the
    refusal shown on the form."""
    return render(request, template, {**context, "stale": True}, status=409)


__all__ = ["VersionField", "StaleEdit", "save", "touch", "conflict", "RecordModifiedError"]
