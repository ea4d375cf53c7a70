"""Acts in force by date, and readings, as pages and documents show them.

Every procedure klaster runs (a competition, a reimbursement application, a register check) runs
under a pinned regulation document (:mod:`klaster.regulations`). When the procedure's date lies
outside the act's effective period — Decree 535 and Decree 440 were repealed in 2016 — its pages
and documents carry a visible warning (:func:`act_notice`): klaster still computes by the act, for
training or historical use, but says so. Where the act's text admits two readings, the procedure
records the option it used and its pages and documents name it (:func:`reading_lines`).
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from klaster.common.dates import day_text


def _lang(lang: str | None) -> str:
    return (lang or get_language() or "ru")[:2]


def act_title(doc, lang: str | None = None) -> str:
    """``Title (No. 535 of 16.07.2015)`` in the language."""
    lang = _lang(lang)
    act = doc.act or {}
    title = (doc.title or {}).get(lang) or doc.title.get("en", doc.id)
    number, date = act.get("number"), act.get("date")
    if number and number != "—" and date:
        d = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
        return _("%(title)s (No. %(number)s of %(date)s)") % {"title": title, "number": number, "date": day_text(d, lang)}
    return title


def act_notice(doc, day: dt.date | None, lang: str | None = None) -> str | None:
    """The warning shown when ``day`` lies outside the act's effective period; None when in force.

    Parameters
    ----------
    doc : RegulationDocument
    day : date
        The procedure's date (announcement, registration of an application, …).
    """
    if doc is None or day is None:
        return None
    st = doc.force_status(day)
    if st.in_force:
        return None
    lang = _lang(lang)
    with translation.override(lang):
        return _notice(doc, st, day, lang)


def _notice(doc, st, day, lang) -> str:
    title = act_title(doc, lang)
    if st.state == "repealed":
        rule = ((doc.effective or {}).get("to") or {}).get("rule") or {}
        why = rule.get(lang) or rule.get("en") or ""
        text = _("%(act)s is out of force since %(since)s%(why)s; this procedure, dated %(day)s, runs under it for training or historical use only.") % {
            "act": title, "since": day_text(st.effective_to, lang), "why": f" ({why})" if why else "", "day": day_text(day, lang)}
    else:
        text = _("%(act)s is in force only from %(since)s; this procedure, dated %(day)s, runs under it for training or historical use only.") % {
            "act": title, "since": day_text(st.effective_from, lang), "day": day_text(day, lang)}
    return text


def reading_lines(doc, chosen: dict | None, lang: str | None = None) -> list[dict]:
    """The readings a procedure used: ``[{clause, text, option, default, argument}]`` in the language
    (the options not chosen are named too, so that a reader sees both)."""
    if doc is None:
        return []
    lang = _lang(lang)
    out = []
    for r in doc.readings:
        opt_id = (chosen or {}).get(r.id, r.default.id)
        opt = r.option(opt_id)
        others = [o.text.get(lang) or o.text["en"] for o in r.options if o.id != opt.id]
        out.append({"id": r.id, "clause": r.clause, "text": r.text.get(lang) or r.text["en"], "option": opt.text.get(lang) or opt.text["en"],
                    "default": opt.default, "argument": opt.argument.get(lang) or opt.argument["en"], "others": others})
    return out
