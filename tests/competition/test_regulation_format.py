"""The regulation data format: the shipped versions load, and malformed data is refused with the file and field named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from klaster.engine.competition.rules import RulesFormatError, load_rules, parse_rules
from klaster.regulations import DATA_DIR, load, parse_file


def write_variant(tmp_path: Path, mutate) -> Path:
    src = DATA_DIR / "competition-decree-535" / "decree-535-2015.yaml"
    raw = yaml.safe_load(src.read_text(encoding="utf-8"))
    mutate(raw)
    folder = tmp_path / "competition-decree-535"
    folder.mkdir()
    p = folder / "decree-535-2015.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return p


def test_shipped_decree_535_is_complete():
    r = load_rules("competition-decree-535", "decree-535-2015")
    # Every clause of the procedure table of regulations.md §3 is a step of the data.
    clauses = {s.clause for s in r.procedure}
    for c in ("§3", "§4, §5", "§6", "§10", "§15", "§16", "§17", "§18", "§19", "§20", "§21", "§22", "§23", "§24",
              "§25, §26", "§27", "§28.1", "§28.2", "§29", "§7, §30", "§8", "§31", "§32", "§33", "§34, §35", "§36",
              "§37", "§38", "§39", "§40", "§41", "§42"):
        assert c in clauses, c
    assert [g.id for g in r.criteria.groups] == ["1", "2", "3", "4"]
    assert [len(g.items) for g in r.criteria.groups] == [3, 8, 2, 2]  # Criteria 1.1–1.3, 2.1–2.8, 3.1–3.2, 4.1–4.2
    assert r.eligibility_rule("min_unaffiliated_legal_entities").value == 10
    assert r.scoring.is_default and r.scoring.note.ru  # the seed is silent: a visible note
    assert r.pins["rules"] == {"id": "competition-decree-535", "version": "decree-535-2015", "sha256": load("competition-decree-535").sha256}


def test_2016_criteria_as_a_second_criteria_set():
    r = load_rules(criteria=("competition-criteria-2016", "order-873-2016"))
    assert [len(g.items) for g in r.criteria.groups] == [5, 3, 1, 1]
    assert r.criteria.groups[1].name.ru == "Благоприятная среда в регионе"
    assert set(r.pins) == {"rules", "criteria", "forms", "sector_bodies"}
    assert r.scoring.tie_break == ("group:1", "group:4", "registered_at")


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda c: c["procedure"][2]["deadline"].__setitem__("unit", "workdays"), "content.procedure[2].deadline.unit"),
        (lambda c: c["criteria"]["groups"][0]["items"][1]["name"].pop("kk"), "content.criteria.groups[0].items[1].name.kk"),
        (lambda c: c["scoring"].__setitem__("aggregation", "geometric"), "content.scoring.aggregation"),
        (lambda c: c["scoring"]["weights"].__setitem__("9.9", 2), "content.scoring.weights.9.9"),
        (lambda c: c["packages"][0]["documents"][0].__setitem__("produced_by", "nobody"), "content.packages[0].documents[0].produced_by"),
        (lambda c: c["procedure"][2].pop("from"), "content.procedure[2].from"),
        (lambda c: c["procedure"].append(copy.deepcopy(c["procedure"][0])), "content.procedure[36].id"),
        (lambda c: c["eligibility"][0].__setitem__("value", "ten"), "content.eligibility[0].value"),
    ],
)
def test_malformed_data_names_file_and_field(tmp_path, mutate, field):
    p = write_variant(tmp_path, lambda raw: mutate(raw["content"]))
    with pytest.raises(RulesFormatError) as e:
        parse_rules(parse_file(p))
    assert str(p) in str(e.value) and field in str(e.value)


def test_pinned_checksum_must_match(tmp_path):
    from klaster.regulations import RegulationError

    with pytest.raises(RegulationError, match="changed since it was pinned"):
        load_rules("competition-decree-535", "decree-535-2015", sha256="0" * 64)


def test_clause_20_competition_scoring_overrides_are_validated():
    from decimal import Decimal

    r = load_rules()
    m = r.with_scoring({"aggregation": "median", "quorum": 5, "scale": {"min": "0", "max": "5", "step": "0.5"}})
    assert (m.scoring.aggregation, m.scoring.quorum, m.scoring.scale_max, m.scoring.step) == ("median", 5, Decimal(5), Decimal("0.5"))
    assert not m.scoring.is_default and r.scoring.aggregation == "mean"
    with pytest.raises(RulesFormatError, match="content.scoring.aggregation"):
        r.with_scoring({"aggregation": "mode"})
