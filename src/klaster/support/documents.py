"""The reimbursement agreement (Decree 440, "Productivity 2020" §5.4, mechanism of instruments 2–5,
items 6, 8, 9) as a document, DOCX (python-docx) and PDF/A (WeasyPrint), in Kazakh or Russian: one
content (:func:`agreement_content`, blocks of :mod:`klaster.common.documents`), two renderings.

The terms are the instruments regulation's (``agreement.terms`` with their clauses) pinned by the
application; the amount, dates, target indicator, payment, breach and refund are the recorded ones.
An application invented for the demonstration is marked DEMO in the title and with a note.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from klaster.common.dates import day_text
from klaster.common.documents import blocks_docx
from klaster.common.money import format_number

LANGS = ("kk", "ru")


def _(text: str) -> str:
    """A label of the document: translated, first letter capital."""
    return capfirst(gettext(text))


def agreement_content(app, lang: str) -> list[tuple]:
    """The blocks of the agreement of ``app`` (a :class:`klaster.support.models.Application` with an
    agreement) in ``lang`` (kk or ru). Raises ``Agreement.DoesNotExist`` when none is signed and
    :class:`klaster.regulations.RegulationError` when the pinned rules cannot be loaded."""
    from klaster.register.i18n import clause_in
    from klaster.register.interfaces.documents import DEMO
    from klaster.support import domain

    ag = app.agreement
    inst = domain.instruments_for(app)
    comp = inst.component(app.component)
    terms = inst.agreement
    pin = app.regulation_pin or {}
    money = lambda v: "—" if v is None else format_number(v, lang, decimals=2)  # noqa: E731
    with translation.override(lang):
        b: list[tuple] = [("right", clause_in(terms.get("clause", ""), lang)),
                          ("heading", 1, _("Agreement on the reimbursement of part of the costs") + (f" — {DEMO[lang][0]}" if app.is_demo else ""))]
        if app.is_demo:
            b.append(("demo", _("This application was invented for the demonstration.")))
        b += [("field", _("Application"), f"№{app.pk}"),
              ("field", _("Instrument"), comp.name.get(lang) or comp.name.get("en", "")),
              ("field", _("Participant"), f"{app.participant.name} ({_('BIN')} {app.participant.bin})")]
        if app.cluster_id:
            b.append(("field", _("Territorial cluster"), app.cluster.localized_name(lang)))
        b += [("field", _("Rules"), f"{inst.doc.title.get(lang)} ({pin.get('id', inst.doc.id)} {pin.get('version', '')}, sha256 {str(pin.get('sha256', ''))[:12]})"),
              ("field", capfirst(pgettext("agreement", "Signed")), day_text(ag.signed_on, lang)),
              ("field", _("amount, tenge"), money(ag.amount)),
              ("field", _("target indicator"), ag.target_indicator or "—"),
              ("field", _("Copies of the agreement"), str(terms.get("copies", ""))),
              ("heading", 2, _("Terms of the agreement"))]
        b += [("bullet", f"{t.get(lang) or t.get('en')} ({clause_in(t.get('clause', ''), lang)})") for t in terms.get("terms", [])]
        if ag.paid_on:
            b.append(("field", _("paid"), day_text(ag.paid_on, lang)))
        if ag.breached_on:
            b.append(("field", _("breached"), f"{day_text(ag.breached_on, lang)}: {ag.breach_note}"))
            b.append(("field", _("refund due"), money(ag.refund_amount)))
        if ag.refunded_on:
            b.append(("field", _("refunded"), day_text(ag.refunded_on, lang)))
    return b


def agreement(app, lang: str, fmt: str = "docx") -> bytes:
    """The agreement of ``app`` as DOCX, or PDF/A with ``fmt="pdf"`` (from :func:`agreement_content`)."""
    blocks = agreement_content(app, lang)
    if fmt == "pdf":
        from klaster.common.pdf import blocks_pdf

        return blocks_pdf(blocks, lang)
    return blocks_docx(blocks)
