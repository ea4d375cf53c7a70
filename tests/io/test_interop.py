"""pymrio interoperability: export, pymrio's own calculation, import back."""

import numpy as np
import pytest

from klaster.observatory.io import IOTable, IOTableError, official


def test_roundtrip_and_pymrio_agrees_with_klaster():
    g = official.germany_1995()
    io = g.to_pymrio(region="DE")
    io.calc_all()
    np.testing.assert_allclose(io.L.to_numpy(), g.L.to_numpy(), rtol=1e-12)
    # pymrio's multipliers M = S L equal klaster's effects
    m = g.multipliers()
    np.testing.assert_allclose(io.factor_inputs.M.loc["compensation"].to_numpy(), m["Income effect"], rtol=1e-12)
    back = IOTable.from_pymrio(io, household_category="final_consumption_households", household_income=996_900.0)
    assert back.labels == g.labels
    np.testing.assert_allclose(back.A.to_numpy(), g.A.to_numpy(), rtol=1e-14)
    assert (back.multipliers("II")["Output multiplier"] >= m["Output multiplier"]).all()


def test_from_pymrio_errors():
    io = official.germany_1995().to_pymrio()
    with pytest.raises(IOTableError, match="final-demand category 'nope'"):
        IOTable.from_pymrio(io, household_category="nope")
    io.Z = None
    io.A = None
    with pytest.raises(IOTableError, match="neither Z nor A"):
        IOTable.from_pymrio(io)
