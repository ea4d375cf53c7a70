"""Traceability: every rule → its clause → where the code enforces it → the tests that cover it.

Rules come from the regulation data (:meth:`CompetitionRules.rules_index`), enforcement points
from :mod:`.registry` (filled by ``@enforces`` when the engine and domain modules are imported),
tests from the test files, found by the clause in their names: a rule with clause ``§15`` is
covered by ``test_clause_15_…``, ``§28.1`` by ``test_clause_28_1_…``, ``Criteria 1.1`` by
``test_clause_criteria_1_1_…``, ``App. 2 §3.1`` by ``test_clause_app2_3_1_…``.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from klaster.engine.competition.registry import ENFORCEMENT
from klaster.engine.competition.rules import CompetitionRules

ENGINE_MODULES = ("rules", "deadlines", "states", "package", "experts", "scoring", "outcome")


def clause_tokens(clause: str) -> list[str]:
    """Test-name tokens of a clause: ``"§4, §5"`` → ``["4", "5"]``; ``"Criteria 1.1"`` → ``["criteria_1_1"]``."""
    out = []
    for part in re.split(r"[,;–—]|(?<=\d)-(?=§)", clause):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"App\.\s*(\d+)\s*§\s*([\d.]+)", part)
        if m:
            out.append(f"app{m.group(1)}_{m.group(2).replace('.', '_')}")
            continue
        m = re.match(r"Criteria\s*([\d.]+)", part)
        if m:
            out.append("criteria_" + m.group(1).replace(".", "_"))
            continue
        m = re.search(r"§\s*([\d.]+)", part)
        if m:
            out.append(m.group(1).rstrip(".").replace(".", "_"))
    return out


def find_tests(test_dir: Path) -> list[tuple[str, str]]:
    """``(file, test function name)`` of every ``test_clause_*`` function under ``test_dir``."""
    found = []
    for p in sorted(test_dir.rglob("test_*.py")):
        try:
            tree = ast.parse(p.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_clause_"):
                found.append((p.name, node.name))
    return found


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


def load_enforcement(extra_modules: tuple[str, ...] = ()) -> None:
    """Import the engine (and any extra modules, e.g. the Django domain) so their ``@enforces`` register."""
    for m in ENGINE_MODULES:
        importlib.import_module(f"klaster.engine.competition.{m}")
    for m in extra_modules:
        importlib.import_module(m)


def trace(rules: CompetitionRules, test_dir: Path | None) -> list[TraceRow]:
    """The traceability table of ``rules``."""
    tests = find_tests(test_dir) if test_dir is not None and test_dir.is_dir() else []
    rows = []
    for rid, clause, text in rules.rules_index():
        toks = clause_tokens(clause)
        covering = [f"{f}::{name}" for f, name in tests
                    if any(name == f"test_clause_{t}" or name.startswith(f"test_clause_{t}_") for t in toks)]
        rows.append(TraceRow(rid, clause, text, list(ENFORCEMENT.get(rid, [])), covering))
    return rows
