"""Where the code enforces each rule: a registry filled by the :func:`enforces` decorator.

``klaster competition trace`` joins this registry with the regulation data (every rule and its
clause) and with the tests named by clause (``test_clause_15_…``) to print the traceability
table. A rule id is the one :meth:`CompetitionRules.rules_index` gives (``step.<id>``,
``eligibility.<id>``, ``package.<id>``, ``participants.<id>``, ``scoring.<id>``,
``commission.<id>``).
"""

from __future__ import annotations

from collections import defaultdict

ENFORCEMENT: dict[str, list[str]] = defaultdict(list)


def enforces(*rule_ids: str):
    """Decorator: record that the decorated function enforces ``rule_ids``."""

    def deco(fn):
        where = f"{fn.__module__}.{fn.__qualname__}"
        for rid in rule_ids:
            if where not in ENFORCEMENT[rid]:
                ENFORCEMENT[rid].append(where)
        return fn

    return deco


def register(rule_id: str, where: str) -> None:
    """Record an enforcement point that is not a decorated function (e.g. a Django domain function)."""
    if where not in ENFORCEMENT[rule_id]:
        ENFORCEMENT[rule_id].append(where)
