"""The audit record of an added regulation version (needs Django; :mod:`klaster.regulations` itself does not)."""

from __future__ import annotations


def record_addition(addition, *, actor, note: str = "") -> None:
    """Record in the audit trail that ``addition`` (:class:`klaster.regulations.Addition`) was stored:
    the document, version, kind, SHA-256, effective dates, the version it amends and the number of
    differences."""
    from klaster.common import audit

    d = addition.doc
    audit.record(actor=actor, action="regulation.add", object_type="regulation", object_id=f"{d.id}/{d.version}"[:64],
                 object_repr=f"{d.id} {d.version}",
                 changes={"kind": [None, d.kind], "sha256": [None, d.sha256],
                          "effective_from": [None, d.effective_from.isoformat() if d.effective_from else None],
                          "effective_to": [None, d.effective_to.isoformat() if d.effective_to else None],
                          "amends": [None, f"{addition.amends.id} {addition.amends.version}" if addition.amends else None],
                          "differences": [None, len(addition.changes)]},
                 note=note)
