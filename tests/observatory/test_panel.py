"""Panel loading: schema and unit validation with errors naming file, row and column."""

import numpy as np
import pandas as pd
import pytest

from klaster.observatory.panel import PanelError, load_panel

GOOD = """region,sector,year,measure,value,unit
R1,C10,2020,employment,100,persons
R1,C11,2020,employment,(D),persons
R1,D35,2020,employment,50,persons
R2,C10,2020,employment,200,persons
R2,C11,2020,employment,,persons
R2,D35,2020,employment,70,persons
"""


def write(tmp_path, text, name="panel.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_panel_keeps_suppressed_cells_missing(tmp_path):
    p = load_panel(write(tmp_path, GOOD))
    d = p.data.set_index(["region", "sector"])
    assert d.loc[("R1", "C11"), "status"] == "suppressed" and np.isnan(d.loc[("R1", "C11"), "value"])
    assert d.loc[("R2", "C11"), "status"] == "missing" and np.isnan(d.loc[("R2", "C11"), "value"])
    # roll-up by prefix: C = C10 + C11 is missing in both regions because a part is
    r = p.rollup_prefix(1).data.set_index(["region", "sector"])
    assert np.isnan(r.loc[("R1", "C"), "value"]) and r.loc[("R1", "C"), "status"] == "suppressed"
    assert r.loc[("R1", "D"), "value"] == 50


def test_crosswalk_and_unmapped_codes_reported(tmp_path):
    p = load_panel(write(tmp_path, GOOD.replace("(D)", "5").replace(",,persons", ",7,persons")))
    m = p.map_sectors({"C10": "MANUF", "C11": "MANUF"}, groups={"MANUF": "traded"})
    d = m.data.set_index(["region", "sector"])
    assert d.loc[("R1", "MANUF"), "value"] == 105 and d.loc[("R2", "MANUF"), "value"] == 207
    assert any("D35" in n for n in m.notes)


@pytest.mark.parametrize("text,row,column,words", [
    (GOOD.replace("measure,", "what,"), 1, "measure", "missing column"),
    (GOOD.replace("R2,C10,2020,employment,200", "R2,C10,2020,employment,2oo"), 5, "value", "not a number"),
    (GOOD.replace("R1,D35,2020,employment,50,persons", "R1,D35,2020,employment,50,people"), 4, "unit", "unknown unit"),
    (GOOD.replace("R2,D35,2020,employment,70,persons", "R2,D35,2020,employment,70,thousand persons"), 7, "unit", "more than one unit"),
    (GOOD.replace("R2,D35,2020", "R2,C10,2020"), 7, "region", "duplicate"),
    (GOOD.replace("R2,C10,2020,employment,200", "R2,C10,2020,employment,-3"), 5, "value", "negative"),
    (GOOD.replace("R1,D35,2020", "R1,D35,20x0"), 4, "year", "year"),
    (GOOD.replace("R2,C10,2020", ",C10,2020"), 5, "region", "empty"),
])
def test_malformed_panels_name_file_row_column(tmp_path, text, row, column, words):
    with pytest.raises(PanelError) as e:
        load_panel(write(tmp_path, text))
    msg = str(e.value)
    assert "panel.csv" in msg and f"row {row}" in msg and f"column '{column}'" in msg and words in msg
    assert e.value.row == row and e.value.column == column


def test_xlsx_and_parquet_panels(tmp_path):
    df = pd.read_csv(write(tmp_path, GOOD), dtype=str, keep_default_na=False)
    df.to_excel(tmp_path / "p.xlsx", index=False)
    px = load_panel(tmp_path / "p.xlsx")
    assert len(px.data) == 6
    bad = df.copy()
    bad.loc[2, "value"] = "abc"
    bad.to_excel(tmp_path / "bad.xlsx", index=False)
    with pytest.raises(PanelError, match=r"bad.xlsx, row 4, column 'value'"):
        load_panel(tmp_path / "bad.xlsx")
    num = df[df["value"].str.match(r"^\d+$")].astype({"value": float, "year": int})
    num.to_parquet(tmp_path / "p.parquet")
    assert load_panel(tmp_path / "p.parquet").data["value"].sum() == 420


def test_national_totals_unit_must_match(tmp_path):
    nat = write(tmp_path, "sector,year,measure,value,unit\nC10,2020,employment,400,thousand persons\n", "nat.csv")
    with pytest.raises(PanelError, match=r"nat.csv, row 2, column 'unit'"):
        load_panel(write(tmp_path, GOOD), national=nat)


def test_unsupported_or_missing_file(tmp_path):
    with pytest.raises(PanelError, match="unsupported file type"):
        load_panel(write(tmp_path, GOOD, "p.json"))
    with pytest.raises(PanelError, match="file not found"):
        load_panel(tmp_path / "nope.csv")


# ------------------------------------------------------------------------------------------
# Input as an analyst means it (issue 12)
# ------------------------------------------------------------------------------------------

def test_non_integer_year_is_refused_not_truncated(tmp_path):
    """"2020.5" became 2020."""
    with pytest.raises(PanelError) as e:
        load_panel(write(tmp_path, GOOD.replace("R2,D35,2020", "R2,D35,2020.5")))
    assert e.value.row == 7 and e.value.column == "year"
    assert "whole" in str(e.value) or "integer" in str(e.value)
    assert "2020.5" in str(e.value)
    # a date is not a year either; "2020.0" (as a spreadsheet stores a whole number) is
    with pytest.raises(PanelError, match="not a date"):
        load_panel(write(tmp_path, GOOD.replace("R2,D35,2020", "R2,D35,2020-12-31")))
    assert load_panel(write(tmp_path, GOOD.replace("R2,D35,2020", "R2,D35,2020.0"))).years == [2020]


def test_ambiguous_thousands_separator_is_refused(tmp_path):
    """"1,234" became 1234: it may as well be 1.234 (a decimal comma)."""
    text = GOOD.replace("R2,C10,2020,employment,200,", 'R2,C10,2020,employment,"1,234",')
    with pytest.raises(PanelError) as e:
        load_panel(write(tmp_path, text))
    assert e.value.row == 5 and e.value.column == "value" and "ambiguous comma" in str(e.value) and "'1,234'" in str(e.value)
    # declared decimal comma: 1,234 is one point two three four; digits grouped by spaces are fine
    p = load_panel(write(tmp_path, text), decimal=",")
    assert p.data.set_index(["region", "sector"]).loc[("R2", "C10"), "value"] == pytest.approx(1.234)
    p = load_panel(write(tmp_path, GOOD.replace("R2,C10,2020,employment,200,", 'R2,C10,2020,employment,"17 000",')))
    assert p.data.set_index(["region", "sector"]).loc[("R2", "C10"), "value"] == 17000


WIDE = """region,sector,year,group,employment [persons],establishments
R1,A,2020,traded,100,9
R1,B,2020,traded,10,2
R1,L,2020,local,50,5
R2,A,2020,traded,20,4
R2,B,2020,traded,40,6
R2,L,2020,local,60,6
"""


def test_wide_layout_one_column_per_measure(tmp_path):
    p = load_panel(write(tmp_path, WIDE, "wide.csv"))
    assert p.measures == ["employment", "establishments"]
    assert p.unit("employment") == "persons" and p.unit("establishments") == "establishments"
    assert p.sector_groups == {"A": "traded", "B": "traded", "L": "local"}
    d = p.data.set_index(["region", "sector", "measure"])["value"]
    assert d[("R2", "B", "employment")] == 40 and d[("R1", "A", "establishments")] == 9


@pytest.mark.parametrize("text,row,column,words", [
    (WIDE.replace("employment [persons]", "employment [people]"), 1, "employment [people]", "unknown unit"),
    (WIDE.replace("R2,B,2020,traded,40", "R2,B,2020,local,40"), 6, "group", "two LQ base groups"),
    (WIDE.replace("R2,L,2020,local", "R2,A,2020,traded"), 7, "region", "duplicate cell"),
    (WIDE.replace("R1,B,2020,traded,10", "R1,B,2020,traded,-1"), 3, "employment [persons]", "negative"),
    (WIDE.replace(",traded,", ",true,").replace(",local,", ",false,").replace("group,", "traded,")
     .replace("R2,B,2020,true", "R2,B,2020,maybe"), 6, "traded", "true or false"),
])
def test_wide_layout_errors_name_file_row_column_rule(tmp_path, text, row, column, words):
    with pytest.raises(PanelError) as e:
        load_panel(write(tmp_path, text, "wide.csv"))
    assert e.value.file == "wide.csv" and e.value.row == row and e.value.column == column and words in str(e.value)


def test_the_cmp_input_file_reads_as_a_panel():
    """The project's own CMP input file (region_code, cluster_code, traded, emp, est, private_wage)
    could not be given to --panel."""
    from klaster import datasets

    p = load_panel(datasets.path("us/cmp2016_state_cluster_input.csv"))
    assert p.measures == ["employment", "establishments"]
    assert len(p.regions) == 50 and len(p.sectors) == 67
    assert set(p.sector_groups.values()) == {"traded", "local"}
    assert p.region_names["26"] == "Michigan" and p.sector_names["1"] == "Aerospace Vehicles and Defense"
    assert any("private_wage" in n for n in p.notes)  # an average wage has no unit here: left out, and said so
    with_wage = load_panel(datasets.path("us/cmp2016_state_cluster_input.csv"), units={"private_wage": "USD"})
    assert "private_wage" in with_wage.measures and with_wage.unit("private_wage") == "USD"


def test_parquet_in_grid_order_is_read_year_by_year_and_equals_the_text_file(tmp_path):
    rng = np.random.default_rng(3)
    rows = [(r, s, y, "traded" if s < 3 else "local", float(rng.integers(0, 500)), float(rng.integers(1, 30)))
            for y in (2019, 2020) for r in range(6) for s in range(5)]
    df = pd.DataFrame(rows, columns=["region", "sector", "year", "group", "employment", "establishments"])
    df.to_parquet(tmp_path / "g.parquet", row_group_size=17)  # row groups across years
    df.to_csv(tmp_path / "g.csv", index=False)
    lazy = load_panel(tmp_path / "g.parquet")
    eager = load_panel(tmp_path / "g.csv")
    assert lazy.grids["employment"].lazy and not eager.grids["employment"].lazy
    assert lazy.regions == [str(r) for r in range(6)]  # integer codes in numeric order
    np.testing.assert_array_equal(lazy.grids["employment"].values, eager.grids["employment"].values)
    np.testing.assert_array_equal(lazy.grids["establishments"].year(1), eager.grids["establishments"].values[1])
    # a negative value in such a file is still found, with its row
    df.loc[40, "employment"] = -5.0
    df.to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(PanelError, match=r"bad.parquet, row 42, column 'employment': value is negative"):
        load_panel(tmp_path / "bad.parquet")
