"""Synthetic control: exact recovery of convex weights, known effect, placebo inference."""

from __future__ import annotations

import numpy as np
import pytest

from luotsi.stats.synth import simplex_least_squares, synthetic_control


def _case(seed: int, effect: float, n_donors: int = 20, n_periods: int = 30, start: int = 22):
    rng = np.random.default_rng(seed)
    factors = rng.normal(0, 1, (n_periods, 3)).cumsum(axis=0)
    donors = rng.uniform(0, 1, (n_donors, 3)) @ factors.T + rng.normal(
        0, 0.3, (n_donors, n_periods)
    )
    w = np.zeros(n_donors)
    w[[1, 4, 9]] = [0.6, 0.25, 0.15]
    treated = w @ donors + np.where(np.arange(n_periods) >= start, effect, 0.0)
    y = np.vstack([treated, donors])
    units = np.repeat(np.array(["T"] + [f"d{i}" for i in range(n_donors)]), n_periods)
    return (
        {"unit": units, "time": np.tile(np.arange(n_periods), n_donors + 1), "outcome": y.ravel()},
        w,
        start,
    )


def test_convex_combination_recovered_and_effect_estimated():
    data, w, start = _case(1, effect=2.0)
    res = synthetic_control(**data, treated_unit="T", treatment_start=start)
    got = dict(zip(res.donors, res.weights, strict=True))
    for i, wi in enumerate(w):
        assert got[f"d{i}"] == pytest.approx(wi, abs=1e-6)
    assert res.pre_rmspe < 1e-6
    assert res.gaps[start:] == pytest.approx(np.full(30 - start, 2.0), abs=1e-6)
    assert res.table.by_label("average post").estimate == pytest.approx(2.0, abs=1e-6)
    assert res.p_value == pytest.approx(1 / 21)  # the treated ratio is the largest


def test_no_effect_gives_unremarkable_placebo_rank():
    data, _, start = _case(2, effect=0.0)
    data["outcome"] = data["outcome"] + np.random.default_rng(0).normal(
        0, 0.3, data["outcome"].size
    )
    res = synthetic_control(**data, treated_unit="T", treatment_start=start)
    assert res.p_value > 0.1
    assert len(res.placebo_ratios) == 20


def test_simplex_least_squares_satisfies_kkt():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(12, 8)), rng.normal(size=12)
    w = simplex_least_squares(a, b)
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0, abs=1e-12)
    grad = 2 * a.T @ (a @ w - b)
    mu = grad[w > 1e-9].mean()
    assert np.allclose(grad[w > 1e-9], mu, atol=1e-6)
    assert np.all(grad[w <= 1e-9] >= mu - 1e-6)


def test_predictors_with_equal_and_optimised_v():
    data, _, start = _case(4, effect=1.0)
    y = data["outcome"].reshape(21, 30)
    units = ["T"] + [f"d{i}" for i in range(20)]
    predictors = {
        u: [y[i, :start].mean(), y[i, start - 5 : start].mean(), y[i, :5].mean()]
        for i, u in enumerate(units)
    }
    for v in ("equal", "optimize", [0.2, 0.5, 0.3]):
        res = synthetic_control(
            **data,
            treated_unit="T",
            treatment_start=start,
            predictors=predictors,
            v=v,
            placebos=False,
        )
        assert res.weights.sum() == pytest.approx(1.0)
        assert res.v is not None and res.v.sum() == pytest.approx(1.0)
        assert res.pre_rmspe < 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treated_unit": "X"}, "treated_unit"),
        ({"treatment_start": 0}, "treatment_start"),
        ({"donors": ["d1"]}, "donors"),
        ({"v": "optimize"}, "v"),
        ({"predictors": {"T": [1.0]}}, "predictors"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    data, _, start = _case(5, effect=0.0)
    args = {"treated_unit": "T", "treatment_start": start, **kwargs}
    with pytest.raises(ValueError, match=message):
        synthetic_control(**data, **args)


def test_unbalanced_input_is_rejected():
    data, _, start = _case(6, effect=0.0)
    with pytest.raises(ValueError, match="balanced"):
        synthetic_control(
            unit=data["unit"][1:],
            time=data["time"][1:],
            outcome=data["outcome"][1:],
            treated_unit="T",
            treatment_start=start,
        )
