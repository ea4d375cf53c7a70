"""The traceability table: every rule of the regulation is enforced somewhere and covered by a test named by its clause."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from klaster.engine.competition.trace import clause_tokens, load_enforcement, trace

HERE = Path(__file__).parent


def test_every_rule_is_enforced_and_tested(rules):
    load_enforcement()
    rows = trace(rules, HERE)
    missing = [(r.rule, r.clause, bool(r.enforced_by), bool(r.tests)) for r in rows if not r.ok]
    assert missing == []
    assert len(rows) == len(rules.rules_index())


def test_clause_tokens_match_test_names():
    assert clause_tokens("§4, §5") == ["4", "5"]
    assert clause_tokens("§28.1") == ["28_1"]
    assert clause_tokens("§20–§21") == ["20", "21"]
    assert clause_tokens("Criteria 1.1") == ["criteria_1_1"]
    assert clause_tokens("App. 2 §3.1") == ["app2_3_1"]


def test_trace_command_plain_output():
    from klaster.cli import app

    res = CliRunner().invoke(app, ["competition", "trace", "--plain", "--no-with-domain", "--check", "--tests", str(HERE)])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("step.stage1_completeness_check\t"))
    assert "§15" in line and "test_clause_15_completeness_check_within_5_working_days_across_nauryz" in line and line.endswith("ok")
