"""Location-quotient regionalisation: hand checks and the UK 2019 → Scotland 2019 validation."""

import numpy as np
import pytest

from klaster.observatory.io import IOTableError, regionalise
from klaster.observatory.io import regional as rg
from klaster.observatory.io import validation

XR = np.array([30.0, 10.0, 10.0])
XN = np.array([300.0, 400.0, 300.0])  # region = 5% of the nation


def test_slq_cilq_by_hand():
    s = rg.slq(XR, XN)
    np.testing.assert_allclose(s, [(30 / 50) / 0.3, (10 / 50) / 0.4, (10 / 50) / 0.3])
    C = rg.cilq(XR, XN)
    assert C[0, 1] == pytest.approx(s[0] / s[1])
    np.testing.assert_allclose(np.diag(C), s)


def test_lq_of_the_nation_is_one():
    np.testing.assert_allclose(rg.slq(XN, XN), 1.0)
    np.testing.assert_allclose(rg.cilq(XN, XN), 1.0)


def test_flq_lambda_and_aflq():
    F, lam = rg.flq(XR, XN, 0.3)
    assert lam == pytest.approx(np.log2(1 + 0.05) ** 0.3)
    np.testing.assert_allclose(F, rg.cilq(XR, XN) * lam)
    Fa, lam2 = rg.aflq(XR, XN, 0.3)
    s = rg.slq(XR, XN)
    assert lam2 == lam
    np.testing.assert_allclose(Fa[:, 0], F[:, 0] * np.log2(1 + s[0]))  # SLQ_1 = 2 > 1
    np.testing.assert_allclose(Fa[:, 1:], F[:, 1:])  # SLQ ≤ 1: unchanged


def test_regionalised_coefficients_never_exceed_national():
    A = np.array([[0.1, 0.2, 0.05], [0.2, 0.1, 0.1], [0.05, 0.05, 0.2]])
    for m, d in validation.REGIONALISATION_RUNS:
        r = regionalise(A, XR, XN, method=m, delta=d)
        assert (r.A.to_numpy() <= A + 1e-15).all()
        assert r.delta == d
    r = regionalise(A, XR, XN, method="slq")
    np.testing.assert_allclose(r.A.to_numpy()[0], A[0])  # SLQ_1 > 1: row kept
    np.testing.assert_allclose(r.A.to_numpy()[1], A[1] * rg.slq(XR, XN)[1])


@pytest.mark.parametrize("kwargs, msg", [
    ({"method": "xlq"}, "one of slq"),
    ({"method": "flq", "delta": 1.0}, "0 ≤ δ < 1"),
    ({"method": "flq", "delta": None}, "needs δ"),
])
def test_regionalise_errors(kwargs, msg):
    with pytest.raises(IOTableError, match=msg):
        regionalise(np.eye(3) * 0.1, XR, XN, **kwargs)


def test_uk_to_scotland_mape_per_method():
    """Scotland is ~7% of UK output; FLQ with δ≈0.2 should beat SLQ and CILQ (Flegg & Tohmo 2013)."""
    t = validation.regionalisation()
    uk, sc = validation.regionalisation_tables()
    assert uk.n == sc.n == 29
    assert 0.06 < sc.x.sum() / uk.x.sum() < 0.08
    mape = t["MAPE %"]
    assert np.isfinite(mape).all()
    best_flq = min(mape["FLQ δ=0.1"], mape["FLQ δ=0.2"], mape["FLQ δ=0.3"])
    assert best_flq < mape["SLQ"] and best_flq < mape["CILQ"]
    # every LQ method improves on using the national coefficients unchanged
    assert (mape.drop("UK national (no regionalisation)") < mape["UK national (no regionalisation)"]).all()
    # SLQ and CILQ overstate Scottish multipliers (they ignore regional size)
    assert t.loc["SLQ", "mean multiplier"] > t.loc["SLQ", "benchmark mean"]
