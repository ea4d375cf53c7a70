"""The one notification path: :func:`notify` writes a :class:`~klaster.notices.models.Notice` for a
user (in the inbox at once; into the e-mail outbox when the user has an address) in the user's
language, in the caller's transaction, and asks the worker to send the outbox after the commit.

Used by the audit-trail receiver (:mod:`klaster.notices.receivers`), the schedules
(:mod:`klaster.notices.schedules`) and the escalation of missed deadlines
(:mod:`klaster.competition.domain.escalation`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from klaster.common import audit
from klaster.common.refusals import Refusal
from klaster.notices.kinds import KINDS, shipped
from klaster.notices.models import Notice, NoticeTemplate, Preference

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "ru"


def language_of(user) -> str:
    """The language ``user`` receives notices in: the preference chosen on the inbox page, else
    Russian (the default language of the product). Returns ``"kk"``, ``"ru"`` or ``"en"``."""
    pref = Preference.objects.filter(user=user).values_list("language", flat=True).first()
    return pref or DEFAULT_LANGUAGE


def texts(kind: str, lang: str) -> tuple[str, str]:
    """``(subject template, body template)`` of ``kind`` in ``lang``: the administrator's
    :class:`NoticeTemplate` if present, else the shipped default."""
    t = NoticeTemplate.objects.filter(kind=kind).first()
    if t is not None:
        return getattr(t, f"subject_{lang}"), getattr(t, f"body_{lang}")
    d = shipped(kind)
    return d[f"subject_{lang}"], d[f"body_{lang}"]


def render(kind: str, lang: str, context: dict) -> tuple[str, str]:
    """Subject and body of ``kind`` in ``lang`` with ``context`` (plain text, no HTML escaping);
    a callable value is called with ``lang`` (texts that depend on the language)."""
    ctx = {k: (v(lang) if callable(v) else v) for k, v in context.items()}
    subject, body = texts(kind, lang)
    with translation.override(lang):
        try:
            out = [_render(t, ctx) for t in (subject, body)]
        except TemplateSyntaxError:  # an edited text that does not compile: the shipped one (the admin form refuses such edits)
            log.error("notice template %s (%s) does not compile; the shipped text is used", kind, lang)
            d = shipped(kind)
            out = [_render(d[f"subject_{lang}"], ctx), _render(d[f"body_{lang}"], ctx)]
    return " ".join(out[0].split())[:300], out[1].strip()


def _render(text: str, ctx: dict) -> str:
    return Template("{% autoescape off %}" + text + "{% endautoescape %}").render(Context(ctx))


def _kick() -> None:
    """Ask the worker to send the outbox now (after the commit)."""
    from django_q.tasks import async_task

    try:
        async_task("klaster.notices.delivery.send_due", task_name="notices.send_due", group="notices")
    except Exception:  # noqa: BLE001 - the scheduled sending picks the notice up within a minute
        log.exception("could not queue the sending of the outbox")


def notify(recipient, kind: str, *, key: str, clause: str = "", context: dict | None = None, link: str = "",
           obj=None, audit_entry=None) -> Notice | None:
    """Write one notice of ``kind`` to ``recipient`` unless one with the same ``key`` exists.

    Parameters
    ----------
    recipient : User
    kind : str
        A key of :data:`klaster.notices.kinds.KINDS`.
    key : str
        Unique per recipient (``"audit:<entry id>:<kind>"``, ``"reminder:…"``): writing the same
        notice twice (a schedule run twice a day) does nothing.
    clause : str or callable(lang) -> str
        The clause requiring the notice (regulation data or :data:`kinds.CLAUSES`).
    context : dict
        Values of the texts (:mod:`klaster.notices.kinds`); a callable is called with the language.

    Returns
    -------
    Notice, or None when the recipient is inactive or the notice exists already.

    Raises
    ------
    KeyError
        Unknown ``kind``.
    """
    if kind not in KINDS:
        raise KeyError(kind)
    if recipient is None or not recipient.is_active:
        return None
    if Notice.objects.filter(recipient=recipient, key=key).exists():
        return None
    lang = language_of(recipient)
    clause_text = clause(lang) if callable(clause) else clause
    site = getattr(settings, "KLASTER_SITE_URL", "").rstrip("/")
    subject, body = render(kind, lang, {**(context or {}), "clause": clause_text, "link": site + link if link else ""})
    address = (recipient.email or "").strip()
    raw_clause = clause("en") if callable(clause) else clause
    try:
        with transaction.atomic():
            n = Notice.objects.create(
                recipient=recipient, kind=kind, clause=raw_clause[:120], language=lang, subject=subject, body=body,
                link=link[:300], key=key[:200], audit_entry=audit_entry,
                object_type=obj._meta.label_lower if obj is not None else "", object_id=str(obj.pk) if obj is not None else "",
                email_to=address, email_state=Notice.Email.PENDING if address else Notice.Email.NONE,
                next_try_at=timezone.now() if address else None)
    except IntegrityError:  # written meanwhile by another process
        return None
    if address:
        transaction.on_commit(_kick)
    return n


def unread_count(user) -> int:
    """Number of unread notices of ``user`` (0 for an anonymous user)."""
    if user is None or not user.is_authenticated:
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_for_request(request) -> int:
    """:func:`unread_count` of the request's user, counted once per request (the header's badge and
    the competition pages' link share it)."""
    if request is None:
        return 0
    cached = getattr(request, "_klaster_unread_notices", None)
    if cached is None:
        cached = unread_count(getattr(request, "user", None))
        request._klaster_unread_notices = cached
    return cached


class NoticeRefused(Refusal):
    """A notice action refused (another user's notice)."""


@transaction.atomic
def mark_read(*, actor, notices) -> int:
    """Mark ``notices`` (an iterable of Notice) read by their recipient ``actor``; audited
    (``notice.read``). Returns how many were unread.

    Raises
    ------
    NoticeRefused
        A notice is addressed to another user (nothing is changed).
    """
    notices = list(notices)
    if any(n.recipient_id != actor.pk for n in notices):
        raise NoticeRefused(gettext_noop("this notice is addressed to another user"))
    now = timezone.now()
    changed = 0
    for n in notices:
        if n.read_at is not None:
            continue
        before = audit.snapshot(n, ["read_at"])
        n.read_at = now
        n.save(update_fields=["read_at"])
        audit.record(actor=actor, action="notice.read", obj=n, before=before, after=audit.snapshot(n, ["read_at"]))
        changed += 1
    return changed


@transaction.atomic
def set_language(*, actor, language: str) -> None:
    """The language ``actor`` receives notices in from now on (audited ``notice.language``).

    Raises
    ------
    NoticeRefused
        ``language`` is not kk, ru or en.
    """
    if language not in ("kk", "ru", "en"):
        raise NoticeRefused(gettext_noop("unknown language: %(language)s"), language=language)
    pref, _created = Preference.objects.get_or_create(user=actor)
    before = audit.snapshot(pref)
    pref.language = language
    pref.save()
    audit.record(actor=actor, action="notice.language", obj=pref, before=before)


def day_text(d: dt.date | None) -> str:
    """A date as kk/ru write it (dd.mm.yyyy), "" for None (machine-independent for e-mail)."""
    return d.strftime("%d.%m.%Y") if d else ""
