"""Traceability: every rule → its clause → where the code enforces it → the tests that check it.

* **Rules** come from the regulation data (:meth:`CompetitionRules.rules_index`: procedure steps,
  packages, eligibility, criteria, the structures of App. 2, 5, 6 and the records of §4, §9, §11,
  §12, the routing of §17).
* **Enforcement points** come from :mod:`.registry` (``@enforces(rule id)`` on the engine and domain
  functions). An id ending in ``.*`` covers every rule with that prefix (``criterion.*``: the score
  sheet requires every criterion of the set).
* **Tests** are the test functions carrying an explicit marker ``@pytest.mark.rule("<rule id>", …)``
  (on the function or on its class), found by reading the test files' syntax trees — never by a
  name. A marker ``criterion.*`` is for a test that checks every criterion in a loop.
* **Clauses** come from the clause inventory (``kind: competition-clauses``, :func:`parse_clauses`):
  every clause from §2 to §42, every item of the Criteria and every appendix, with the rules that
  carry it — or its status when it carries no enforceable requirement (``definition``,
  ``data_only``), with a note.

:func:`gaps` lists everything ``klaster competition trace --check`` fails on.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from klaster.engine.competition.registry import ENFORCEMENT
from klaster.engine.competition.rules import CompetitionRules, _V

ENGINE_MODULES = ("rules", "deadlines", "states", "package", "experts", "scoring", "outcome", "forms", "routing")
STATUSES = ("definition", "data_only")
_CLAUSE = re.compile(r"^(§\d+(\.\d+)?|Criteria \d+\.\d+|App\. \d( §\d+(\.\d+)?)?)$")


# ----------------------------------------------------------------------------------------------- clause inventory


@dataclass(frozen=True)
class ClauseEntry:
    """A clause and the rules that carry it; ``status`` is ``enforced`` when it names rules, else
    ``definition`` or ``data_only`` with a ``note``."""

    clause: str
    rules: tuple[str, ...]
    status: str
    note: str = ""


@dataclass(frozen=True)
class ClauseInventory:
    doc: object
    entries: tuple[ClauseEntry, ...]


def parse_clauses(doc) -> ClauseInventory:
    """Validate and parse a ``competition-clauses`` document.

    Raises
    ------
    RulesFormatError
        A clause written otherwise than ``§N``, ``§N.M``, ``Criteria N.M``, ``App. N`` or
        ``App. N §M``; listed twice; neither rules nor a status; a status without a note.
    """
    v = _V(doc)
    if doc.kind != "competition-clauses":
        v.fail("kind", f"expected 'competition-clauses', got {doc.kind!r}")
    c = v.map(doc.content, "content")
    out, seen = [], set()
    for i, e in enumerate(v.list(v.req(c, "clauses", "content"), "content.clauses")):
        w = f"content.clauses[{i}]"
        v.map(e, w)
        clause = v.str(e, "clause", w)
        if not _CLAUSE.match(clause):
            v.fail(f"{w}.clause", f"{clause!r} is not written as §N, §N.M, Criteria N.M, App. N or App. N §M")
        if clause in seen:
            v.fail(f"{w}.clause", f"{clause!r} is listed twice")
        seen.add(clause)
        rules = tuple(str(r) for r in (e.get("rules") or []))
        if rules:
            if e.get("status") not in (None, "enforced"):
                v.fail(f"{w}.status", "a clause with rules is enforced; drop the status")
            out.append(ClauseEntry(clause, rules, "enforced", str(e.get("note") or "")))
        else:
            status = v.choice(e, "status", w, STATUSES)
            out.append(ClauseEntry(clause, (), status, v.str(e, "note", w)))
    return ClauseInventory(doc, tuple(out))


def clause_inventory(rules: CompetitionRules) -> ClauseInventory | None:
    """The clause inventory that applies to ``rules`` (the latest whose ``applies_to`` names it), or None."""
    from klaster.regulations import companion

    doc = companion(rules.doc, "competition-clauses")
    return parse_clauses(doc) if doc is not None else None


# ----------------------------------------------------------------------------------------------- markers


def _rule_ids(dec) -> list[str] | None:
    """The rule ids of a ``pytest.mark.rule(...)`` / ``mark.rule(...)`` decorator, else None."""
    if not isinstance(dec, ast.Call):
        return None
    f = dec.func
    if not (isinstance(f, ast.Attribute) and f.attr == "rule" and isinstance(f.value, ast.Attribute) and f.value.attr == "mark"):
        return None
    return [a.value for a in dec.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def find_marked_tests(test_dirs: Iterable[Path]) -> list[tuple[str, str, tuple[str, ...]]]:
    """``(file, test name, rule ids)`` of every test function marked ``@pytest.mark.rule(...)`` (on the
    function or its class) in the ``test_*.py`` files under ``test_dirs``."""
    found = []
    for d in test_dirs:
        d = Path(d)
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("test_*.py")):
            try:
                tree = ast.parse(p.read_text(encoding="utf-8"))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                    ids = [i for dec in node.decorator_list for i in (_rule_ids(dec) or [])]
                    if ids:
                        found.append((p.name, node.name, tuple(ids)))
                elif isinstance(node, ast.ClassDef):
                    cls_ids = [i for dec in node.decorator_list for i in (_rule_ids(dec) or [])]
                    for m in node.body:
                        if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name.startswith("test"):
                            ids = cls_ids + [i for dec in m.decorator_list for i in (_rule_ids(dec) or [])]
                            if ids:
                                found.append((p.name, f"{node.name}::{m.name}", tuple(ids)))
    return found


def _covers(pattern: str, rule: str) -> bool:
    return pattern == rule or (pattern.endswith(".*") and rule.startswith(pattern[:-1]))


# ----------------------------------------------------------------------------------------------- the table


@dataclass
class TraceRow:
    rule: str
    clause: str
    text: str
    enforced_by: list[str]
    tests: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.enforced_by) and bool(self.tests)


@dataclass
class ClauseRow:
    clause: str
    status: str
    rules: tuple[str, ...]
    note: str
    ok: bool
    missing: list[str] = field(default_factory=list)


def load_enforcement(extra_modules: tuple[str, ...] = ()) -> None:
    """Import the engine (and any extra modules, e.g. the Django domain) so their ``@enforces`` register."""
    for m in ENGINE_MODULES:
        importlib.import_module(f"klaster.engine.competition.{m}")
    for m in extra_modules:
        importlib.import_module(m)


def trace(rules: CompetitionRules, test_dirs: Path | Iterable[Path] | None) -> list[TraceRow]:
    """The traceability table of ``rules``: one row per rule with its enforcement points and the tests
    marked with it."""
    dirs = [] if test_dirs is None else ([test_dirs] if isinstance(test_dirs, (str, Path)) else list(test_dirs))
    marked = find_marked_tests(dirs)
    rows = []
    for rid, clause, text in rules.rules_index():
        enforced = [w for pat, ws in ENFORCEMENT.items() if _covers(pat, rid) for w in ws]
        tests = [f"{f}::{name}" for f, name, ids in marked if any(_covers(i, rid) for i in ids)]
        rows.append(TraceRow(rid, clause, text, list(dict.fromkeys(enforced)), tests))
    return rows


def clause_rows(rules: CompetitionRules, rows: list[TraceRow], inventory: ClauseInventory | None = None) -> list[ClauseRow]:
    """The clause inventory joined with the rule rows: a clause is ok when every rule it names is
    enforced and tested (a definition or data-only clause is listed as such)."""
    inventory = inventory if inventory is not None else clause_inventory(rules)
    if inventory is None:
        return []
    by_id = {r.rule: r for r in rows}
    out = []
    for e in inventory.entries:
        missing = [r for r in e.rules if r not in by_id or not by_id[r].ok]
        out.append(ClauseRow(e.clause, e.status, e.rules, e.note, not missing, missing))
    return out


def gaps(rules: CompetitionRules, rows: list[TraceRow], test_dirs: Iterable[Path] = (),
         inventory: ClauseInventory | None = None) -> list[str]:
    """Everything ``--check`` fails on, one line each: a rule without enforcing code or without a
    marked test; no clause inventory; a clause from §2 to §42, an item of the criteria set or an
    appendix (1–6) not in the inventory; a rule the inventory names that is unknown; a marker
    naming an unknown rule."""
    out = []
    for r in rows:
        if not r.enforced_by:
            out.append(f"{r.rule} ({r.clause}): no enforcing code")
        if not r.tests:
            out.append(f"{r.rule} ({r.clause}): no test marked @pytest.mark.rule({r.rule!r})")
    inventory = inventory if inventory is not None else clause_inventory(rules)
    known = {r.rule for r in rows}
    if inventory is None:
        out.append(f"no clause inventory (kind competition-clauses) applies to {rules.doc.id} {rules.doc.version}")
    else:
        listed = {e.clause for e in inventory.entries}
        points = {int(m.group(1)) for c in listed if (m := re.match(r"^§(\d+)", c))}
        out += [f"§{n}: not in the clause inventory" for n in range(2, 43) if n not in points]
        out += [f"{c.clause}: not in the clause inventory" for c in rules.criteria.criteria if c.clause not in listed]
        apps = {int(m.group(1)) for c in listed if (m := re.match(r"^App\. (\d)", c))}
        out += [f"App. {n}: not in the clause inventory" for n in range(1, 7) if n not in apps]
        for e in inventory.entries:
            out += [f"{e.clause}: the inventory names an unknown rule {r!r}" for r in e.rules if r not in known]
    for f, name, ids in find_marked_tests(list(test_dirs)):
        out += [f"{f}::{name}: marker names an unknown rule {i!r}" for i in ids if not any(_covers(i, k) for k in known)]
    return out
