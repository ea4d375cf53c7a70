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
