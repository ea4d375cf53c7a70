"""§17 / §27: the authorized body of the cluster's sector.

§2.11 defines the authorized body as the central executive body that regulates the sector of the
cluster's specialisation, and §17 and §27 send the package to it — not to any authorized body.
Which ministry regulates which sector is data (``kind: sector-bodies``, document
``competition-sector-bodies``): bodies with their names and sources, a default body, and OKED
prefixes each pointing to a body (the longest prefix matching the cluster's OKED code wins). No
Django here.
"""

from __future__ import annotations

from dataclasses import dataclass

from klaster.engine.competition.registry import enforces
from klaster.engine.competition.rules import Text, _V


@dataclass(frozen=True)
class Body:
    """An authorized body (a ministry): ``source`` where the seeds name it, or ``assumed``."""

    id: str
    name: Text
    source: str = ""
    assumed: bool = False


@dataclass(frozen=True)
class SectorRule:
    oked: str
    body: str
    note: str = ""


@dataclass(frozen=True)
class SectorBodies:
    doc: object
    bodies: tuple[Body, ...]
    default: str
    sectors: tuple[SectorRule, ...]

    def body(self, bid: str) -> Body:
        for b in self.bodies:
            if b.id == bid:
                return b
        raise KeyError(bid)

    @enforces("routing.sector_body")
    def body_for(self, oked: str | None) -> tuple[Body, SectorRule | None]:
        """The authorized body of the sector with OKED code ``oked`` (dots and spaces ignored) and the
        rule that matched (None: the default body)."""
        code = (oked or "").replace(".", "").replace(" ", "")
        best = None
        for r in self.sectors:
            if code.startswith(r.oked) and (best is None or len(r.oked) > len(best.oked)):
                best = r
        return self.body(best.body if best else self.default), best


def parse_sector_bodies(doc) -> SectorBodies:
    """Validate and parse a ``sector-bodies`` document.

    Raises
    ------
    RulesFormatError
        A malformed field (naming the file and field), an unknown body, a repeated prefix.
    """
    v = _V(doc)
    if doc.kind != "sector-bodies":
        v.fail("kind", f"expected 'sector-bodies', got {doc.kind!r}")
    c = v.map(doc.content, "content")
    bodies = []
    for i, b in enumerate(v.list(v.req(c, "bodies", "content"), "content.bodies")):
        w = f"content.bodies[{i}]"
        v.map(b, w)
        assumed = bool(b.get("assumed", False))
        if not assumed and not str(b.get("source") or "").strip():
            v.fail(f"{w}.source", "a body is either sourced ('source') or marked 'assumed: true'")
        bodies.append(Body(v.str(b, "id", w), v.text(b, "name", w), str(b.get("source") or ""), assumed))
    v.unique(bodies, "content.bodies")
    ids = {b.id for b in bodies}
    default = v.choice(c, "default", "content", sorted(ids))
    rules, seen = [], set()
    for i, r in enumerate(v.list(c.get("sectors") or [], "content.sectors", nonempty=False)):
        w = f"content.sectors[{i}]"
        v.map(r, w)
        code = v.str(r, "oked", w).replace(".", "")
        if not code.isdigit():
            v.fail(f"{w}.oked", f"{code!r} is not an OKED code prefix (digits)")
        if code in seen:
            v.fail(f"{w}.oked", f"the prefix {code!r} repeats")
        seen.add(code)
        rules.append(SectorRule(code, v.choice(r, "body", w, sorted(ids)), str(r.get("note") or "")))
    return SectorBodies(doc, tuple(bodies), default, tuple(rules))
