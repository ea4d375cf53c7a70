"""Priority sectors of "Productivity 2020" (regulations.md §8; seed 004, appendix).

The list is regulation data (``productivity2020-priority-sectors``); this module only applies it.
"""

from __future__ import annotations

from klaster import regulations
from klaster.reference.codes import normalize_oked as _norm
from klaster.regulations import RegulationDocument

DOC_ID = "productivity2020-priority-sectors"


def priority_group(code: str, regulation: RegulationDocument | None = None) -> dict | None:
    """The priority group covering OKED ``code``, or None.

    A listed code covers an activity code when it is a prefix of it at the same or a finer level
    (regulations.md §8: "10" covers "10.51.1"); codes are compared without dots.

    Parameters
    ----------
    code : str
        OKED code with or without dots (division "10", class "10.51", subclass "10.51.1" / "10511").
    regulation : RegulationDocument, optional
        A pinned version of the list; default the latest.

    Returns
    -------
    dict or None
        ``{"id", "name", "matched_code", "clause"}``.

    Raises
    ------
    ValueError
        ``code`` is empty or not an OKED digit code.
    """
    c = _norm(code)
    if not c or not c.isdigit() or not 2 <= len(c) <= 5:
        raise ValueError(f"{code!r} is not an OKED code of 2 to 5 digits")
    doc = regulation or regulations.load(DOC_ID)
    best = None
    for g in doc.content["groups"]:
        for listed in g["codes"]:
            p = _norm(listed)
            if c.startswith(p) and (best is None or len(p) > len(best[1])):
                best = (g, p, listed)
    if best is None:
        return None
    g, _, listed = best
    return {"id": g["id"], "name": g["name"], "matched_code": listed, "clause": f"{doc.act['name']}, No. {doc.act['number']}, appendix"}


def is_priority_oked(code: str, regulation: RegulationDocument | None = None) -> bool:
    """True when OKED ``code`` falls under the priority-sector list (prefix rule, regulations.md §8)."""
    return priority_group(code, regulation) is not None
