"""``klaster io`` commands: validations from the data directory, user tables, malformed input."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from klaster import datasets
from klaster.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["io", *map(str, args)])


def test_multipliers_scotland_compare_and_outputs(tmp_path):
    table = datasets.path("io/scotland_2019/IxI_2019_full_with_final_demand_and_VA.csv")
    pub = datasets.path("io/scotland_2019/published_TypeII_multipliers_2019.csv")
    r = run("multipliers", table, "--household-income", 156241, "--compare", pub,
            "--out", tmp_path / "m.xlsx", "--html", tmp_path / "m.html")
    assert r.exit_code == 0, r.output
    sheets = pd.read_excel(tmp_path / "m.xlsx", sheet_name=None, index_col=0)
    assert {"Type I", "Type II", "Comparison"} <= set(sheets)
    assert (sheets["Comparison"]["max abs diff"] <= 1e-6).all()
    html = (tmp_path / "m.html").read_text()
    assert "<table" in html and "http" not in html.lower().replace("http-equiv", "")


def test_validate_textbook_and_regionalisation(tmp_path):
    r = run("validate", "textbook")
    assert r.exit_code == 0, r.output
    r = run("validate", "regionalisation", "--out", tmp_path / "reg.csv")
    assert r.exit_code == 0, r.output
    df = pd.read_csv(tmp_path / "reg.csv", index_col=0)
    assert "FLQ δ=0.2" in df.index and df["MAPE %"].notna().all()


def test_impact_regionalise_templates_on_a_small_table(tmp_path):
    t = tmp_path / "t.csv"
    pd.DataFrame(
        [[150, 500, 350, 1000], [200, 100, 1700, 2000], [300, 500, 0, 800], [1000, 2000, 0, 3000]],
        index=["a", "b", "CoE", "output"], columns=["a", "b", "households", "TU"],
    ).to_csv(t)
    s = tmp_path / "s.csv"
    pd.DataFrame({"plus": [100.0, 0.0], "minus": [0.0, -50.0]}, index=["a", "b"]).to_csv(s)
    r = run("impact", t, "--scenarios", s, "--out", tmp_path / "i.csv")
    assert r.exit_code == 0, r.output
    summary = pd.read_csv(tmp_path / "i.csv", index_col=0)
    assert summary.loc["plus", "output"] == pytest.approx(100 * (1.15 / 0.7575))  # M&B column sum of L
    reg = tmp_path / "r.csv"
    pd.DataFrame({"output": [60.0, 40.0]}, index=["a", "b"]).to_csv(reg)
    r = run("regionalise", t, "--region-output", reg, "--method", "flq", "--delta", 0.2, "--out", tmp_path / "ra.xlsx")
    assert r.exit_code == 0, r.output
    r = run("templates", t, "--method", "czamanski", "--threshold", 0.3)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("rows, message", [
    ([[150, 500, 350, 1000], [200, 100, 1690, 2000], [1000, 2000, 0, 3000]], "row 'b' does not balance: .* = -10"),
    ([[150, "x", 350, 1000], [200, 100, 1700, 2000], [1000, 2000, 0, 3000]], "row 'a', column 'b' is not a number: 'x'"),
])
def test_malformed_or_unbalanced_table_is_a_clear_error(tmp_path, rows, message):
    t = tmp_path / "bad.csv"
    pd.DataFrame(rows, index=["a", "b", "output"], columns=["a", "b", "households", "TU"]).to_csv(t)
    r = run("multipliers", t)
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    import re

    assert re.search(message, " ".join(r.output.split())), r.output


def test_swapped_labels_are_reported(tmp_path):
    t = tmp_path / "bad.csv"
    pd.DataFrame([[1, 2, 5], [3, 4, 5], [10, 10, 0]], index=["b", "a", "output"], columns=["a", "b", "households"]).to_csv(t)
    r = run("multipliers", t)
    assert r.exit_code == 2 and "first row label 'b' differs from the first column label 'a'" in " ".join(r.output.split())


def small_table(tmp_path, cell="150"):
    t = tmp_path / "t.csv"
    t.write_text(f"label,a,b,households,TU\na,{cell},500,350,1000\nb,200,100,1700,2000\nCoE,300,500,0,800\noutput,1000,2000,0,3000\n",
                 encoding="utf-8")
    return t


def test_multipliers_written_as_parquet_csv_and_xlsx(tmp_path):
    t = small_table(tmp_path)
    for suffix in ("parquet", "csv", "xlsx"):
        r = run("multipliers", t, "--type", "I", "--out", tmp_path / f"m.{suffix}")
        assert r.exit_code == 0, r.output
    pq = pd.read_parquet(tmp_path / "m.parquet")
    csv = pd.read_csv(tmp_path / "m.csv")
    assert pq.columns[0] == csv.columns[0] and list(pq.iloc[:, 0]) == ["a", "b"]
    assert pq["Output multiplier"].to_numpy() == pytest.approx(csv["Output multiplier"].to_numpy())
    assert pq["Output multiplier"].iloc[0] == pytest.approx(1.15 / 0.7575)


@pytest.mark.parametrize("out", ["x.parquett", "x.json", "x"])
def test_unknown_output_format_is_refused_before_any_work(tmp_path, out):
    """``klaster io multipliers --out x.parquet`` ended in a traceback after the computation;
    an unknown suffix is refused up front with the formats that can be written."""
    r = run("multipliers", small_table(tmp_path), "--out", tmp_path / out)
    assert r.exit_code == 2
    text = " ".join(r.output.split())
    assert "Traceback" not in r.output and "unknown output format" in text and ".parquet, .csv or .xlsx" in text
    assert not (tmp_path / out).exists()


def test_ambiguous_thousands_separator_in_a_table_is_an_error(tmp_path):
    """"1,234" was read as 1234: a comma in a number read with a decimal point is ambiguous."""
    r = run("multipliers", small_table(tmp_path, '"1,150"'), "--no-check")
    assert r.exit_code == 2 and "Traceback" not in r.output
    text = " ".join(r.output.split())
    assert "cell at row 'a', column 'a' is not a number: '1,150'" in text and "ambiguous comma" in text
    # the same file declared as written with decimal commas reads 1,150 as 1.15
    r = run("multipliers", small_table(tmp_path, '"1,150"'), "--no-check", "--decimal-comma", "--type", "I",
            "--out", tmp_path / "m.csv")
    assert r.exit_code == 0, r.output


def test_templates_warn_when_the_linkage_matrix_is_repaired(tmp_path):
    table = datasets.path("io/scotland_2019/IxI_2019_full_with_final_demand_and_VA.csv")
    r = run("templates", table, "--method", "feser-bergman", "--out", tmp_path / "fb.xlsx")
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "34 of 95 eigenvalues are negative" in text and "Higham 2002" in text
    sheets = pd.read_excel(tmp_path / "fb.xlsx", sheet_name=None, index_col=0)
    assert (sheets["Communalities"]["communality"] <= 1 + 1e-9).all()
