"""The traceability table: every rule maps to the tests that check *it* — an explicit
``@pytest.mark.rule(<rule id>)`` on the test, never a name match — and every clause from §2 to §42,
every item of the Criteria and every appendix is in the clause inventory with its rules or its status.

The reproduction: the table counted a rule as tested when a test's name mentioned its clause, even
when the test checked another rule of that clause (``test_clause_17_…`` covered every §17 rule), and
§9, §11, §12, the App. 2 page limit and App. 5/6 were not in it at all.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from klaster.engine.competition.trace import clause_inventory, clause_rows, find_marked_tests, gaps, load_enforcement, trace

HERE = Path(__file__).parent
DOMAIN = ("klaster.competition.domain.services", "klaster.competition.domain.council", "klaster.competition.domain.records",
          "klaster.competition.domain.structured", "klaster.competition.documents")


def test_every_rule_is_enforced_and_tested_and_every_clause_is_in_the_inventory(rules):
    load_enforcement(DOMAIN)
    rows = trace(rules, HERE)
    assert gaps(rules, rows, [HERE]) == []
    ids = {r.rule for r in rows}
    # §9, §11, §12, the App. 2 page limit, App. 5 and App. 6 are rules now.
    assert {"records.paper", "records.statement", "form.concept.pages", "form.strategy.cash_flow", "form.roadmap.events"} <= ids
    crows = {c.clause: c for c in clause_rows(rules, rows)}
    assert all(f"§{n}" in crows or any(k.startswith(f"§{n}.") for k in crows) for n in range(2, 43))
    assert crows["§2.1"].status == "definition" and crows["§12"].rules == ("records.statement",) and crows["§12"].ok


def test_a_test_counts_for_a_rule_only_by_its_marker_not_by_its_name(rules, tmp_path):
    (tmp_path / "test_fake.py").write_text(textwrap.dedent('''
        import pytest

        def test_clause_17_something_else():
            pass

        @pytest.mark.rule("step.regional_body_conclusion")
        def test_unrelated_name():
            pass

        @pytest.mark.rule("step.no_such_rule")
        def test_rotten_marker():
            pass

        @pytest.mark.rule("scoring.scoring")
        class TestGroup:
            def test_one(self):
                pass
        '''))
    found = find_marked_tests([tmp_path])
    assert ("test_fake.py", "test_unrelated_name", ("step.regional_body_conclusion",)) in found
    assert ("test_fake.py", "TestGroup::test_one", ("scoring.scoring",)) in found
    assert not any(name == "test_clause_17_something_else" for _f, name, _ids in found)
    load_enforcement(DOMAIN)
    rows = {r.rule: r for r in trace(rules, tmp_path)}
    assert rows["step.authorized_body_conclusion"].tests == [] and not rows["step.authorized_body_conclusion"].ok
    assert rows["step.regional_body_conclusion"].tests == ["test_fake.py::test_unrelated_name"]
    problems = gaps(rules, list(rows.values()), [tmp_path])
    assert "test_fake.py::test_rotten_marker: marker names an unknown rule 'step.no_such_rule'" in problems
    assert any(p.startswith("step.authorized_body_conclusion (§17): no test marked") for p in problems)


def test_a_clause_missing_from_the_inventory_or_naming_an_unknown_rule_is_a_gap(rules):
    load_enforcement(DOMAIN)
    rows = trace(rules, HERE)
    inv = clause_inventory(rules)
    cut = replace(inv, entries=tuple(e for e in inv.entries if e.clause not in ("§9", "App. 5")))
    assert {"§9: not in the clause inventory", "App. 5: not in the clause inventory"} <= set(gaps(rules, rows, [HERE], inventory=cut))
    bad = replace(inv, entries=inv.entries + (replace(inv.entries[-1], clause="§99", rules=("form.nothing",)),))
    assert "§99: the inventory names an unknown rule 'form.nothing'" in gaps(rules, rows, [HERE], inventory=bad)


def test_trace_command_check_passes_and_prints_rules_and_clauses():
    from klaster.cli import app

    res = CliRunner().invoke(app, ["competition", "trace", "--plain", "--check", "--tests", str(HERE)])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("rule\tstep.stage1_completeness_check\t"))
    assert "§15" in line and "test_engine_clauses.py::test_clause_15_completeness_check_within_5_working_days_across_nauryz" in line
    assert line.endswith("ok")
    clause = next(x for x in res.output.splitlines() if x.startswith("clause\t§11\t"))
    assert "records.paper" in clause and clause.endswith("ok")
    assert "0 gap(s)" in res.output.splitlines()[-1]


def test_trace_command_check_fails_on_a_gap(tmp_path):
    from klaster.cli import app

    res = CliRunner().invoke(app, ["competition", "trace", "--plain", "--check", "--tests", str(tmp_path)])
    assert res.exit_code == 1 and "gap\t" in res.output
