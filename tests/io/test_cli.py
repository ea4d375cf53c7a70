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
