"""The one audit mechanism: every state change of every module goes through :func:`record`.

Usage in a domain function::

    before = audit.snapshot(application)
    application.status = "submitted"
    application.save()
    audit.record(actor=user, action="application.submit", obj=application, before=before)

``changes`` is stored as ``{field: [old, new]}``; values are converted to JSON-safe text
(dates ISO, Decimal as string). Entries are readable by administrators in the Django admin and
through :func:`history`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any, Iterable

from django.db import models

from klaster.common.models import AuditEntry


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, (decimal.Decimal, uuid.UUID)):
        return str(v)
    if isinstance(v, models.Model):
        return v.pk
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_jsonable(x) for x in v]
    return str(v)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """The concrete field values of ``obj`` as a JSON-safe dict (foreign keys by id)."""
    out = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        out[f.name] = _jsonable(getattr(obj, f.attname))
    return out


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for every field whose value differs."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    changes: dict | None = None,
    note: str = "",
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Record one audited change.

    Parameters
    ----------
    actor : User or None
        Who did it (None for the system, e.g. a loader or a scheduled job).
    action : str
        Dotted verb, e.g. ``"competition.announce"``, ``"score.submit"``.
    obj : Model, optional
        The changed object; ``before``/``after`` snapshots give the changes (``after`` defaults to
        the object's current values). Alternatively pass ``changes`` directly, or
        ``object_type``/``object_id`` for something that is not a model instance.
    note : str
        Free text (e.g. the written, reasoned notice of a withdrawal).

    Returns
    -------
    AuditEntry
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr if object_repr is not None else str(obj)[:300]
        if changes is None:
            after = after if after is not None else snapshot(obj)
            changes = diff(before or {}, after)
    label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor.get_username()
    elif actor is None:
        label = "system"
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=label,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=(object_repr or "")[:300],
        changes=_jsonable(changes or {}),
        note=note,
    )


def history(obj: models.Model):
    """Audit entries of ``obj``, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
