"""Callaway-Sant'Anna against R ``did`` (stored reference values) and the installed csdid/drdid."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

from luotsi.stats.cs_twobytwo import dr_panel, ipw_panel, reg_panel
from luotsi.stats.did_cs import callaway_santanna
from luotsi.stats.tests.test_cs_support import REFERENCE, mpdta

SCENARIOS = {
    "mpdta_nev_dr": {"control": "never", "method": "dr"},
    "mpdta_nyt_dr": {"control": "notyet", "method": "dr"},
    "mpdta_nev_ipw": {"control": "never", "method": "ipw"},
    "mpdta_nev_reg_cov": {"control": "never", "method": "reg", "covariates": ["lpop"]},
}
TOL = 1e-9  # R prints 15 significant digits; we agree to ~1e-14


def _fit(**kw):
    return callaway_santanna(
        mpdta(),
        unit="countyreal",
        time="year",
        cohort="first.treat",
        outcome="lemp",
        bootstrap=0,
        **kw,
    )


def test_mpdta_checksum():
    digest = hashlib.sha256((REFERENCE / "mpdta.csv").read_bytes()).hexdigest()
    assert digest == "2283bea1221a152420f98dfa20f633c5d054ea51d881115c8cd702a97bcd3167"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_att_gt_matches_r(scenario):
    ref = pd.read_csv(REFERENCE / "r_did_attgt.csv")
    ref = ref[ref.scenario == scenario]
    res = _fit(**SCENARIOS[scenario])
    assert len(res.att_gt) == len(ref) == 12
    for row in ref.itertuples():
        (est,) = res.att_gt.where(group=row.group, time=row.t)
        assert est.estimate == pytest.approx(row.att, abs=TOL)
        assert est.se == pytest.approx(row.se, abs=TOL)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_aggte_matches_r(scenario, kind):
    ref = pd.read_csv(REFERENCE / "r_did_aggte.csv")
    ref = ref[(ref.scenario == scenario) & (ref.type == kind)]
    tab = _fit(**SCENARIOS[scenario]).aggregate(kind)
    overall = tab.by_label("overall")
    assert overall.estimate == pytest.approx(ref.overall_att.iloc[0], abs=TOL)
    assert overall.se == pytest.approx(ref.overall_se.iloc[0], abs=TOL)
    if kind == "simple":
        return
    key = {"group": "group", "dynamic": "event_time", "calendar": "time"}[kind]
    rows = [e for e in tab if key in e.key]
    assert len(rows) == len(ref)
    for row in ref.itertuples():
        (est,) = tab.where(**{key: int(row.egt)})
        assert est.estimate == pytest.approx(row.att_egt, abs=TOL)
        assert est.se == pytest.approx(row.se_egt, abs=TOL)


def _two_by_two():
    df = mpdta()
    wide = df.pivot(index="countyreal", columns="year", values="lemp")
    unit = df.groupby("countyreal").first()
    sel = unit["first.treat"].isin([0, 2006]).to_numpy()
    dy = (wide[2007] - wide[2005]).to_numpy()[sel]
    d = (unit["first.treat"] == 2006).to_numpy()[sel].astype(float)
    x = np.column_stack([np.ones(sel.sum()), unit["lpop"].to_numpy()[sel]])
    w = np.linspace(0.5, 1.5, sel.sum())
    return dy, d, x, w


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(dr_panel, "drdid_panel"), (ipw_panel, "std_ipw_did_panel"), (reg_panel, "reg_did_panel")],
)
def test_two_by_two_matches_csdid_port_of_drdid(ours, theirs):
    """Covariates and weights: the DRDID estimators as ported in csdid (R parity tested there)."""
    trim = pytest.importorskip("csdid.attgt_fnc.drdid_trim", reason="csdid not installed")
    dy, d, x, w = _two_by_two()
    if theirs == "reg_did_panel":
        reg = pytest.importorskip("drdid.reg_did", reason="drdid not installed")
        out = reg.reg_did_panel(dy, np.zeros_like(dy), d, x[:, 1:], i_weights=w)
        att_ref, inf_ref = out[0], np.asarray(out[1])
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            att_ref, inf_ref = getattr(trim, theirs)(dy, np.zeros_like(dy), d, x[:, 1:], w)
    att, inf = ours(dy, d, x, w)
    assert att == pytest.approx(att_ref, abs=1e-8)
    np.testing.assert_allclose(inf, np.ravel(inf_ref), atol=1e-7)


@pytest.mark.parametrize("method", ["dr", "ipw"])
def test_covariates_match_csdid(method):
    """DR and IPW with a covariate (no published R values): group-time ATTs and SEs vs csdid."""
    att_gt = pytest.importorskip("csdid.att_gt", reason="csdid not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = att_gt.ATTgt(
            yname="lemp",
            gname="first.treat",
            idname="countyreal",
            tname="year",
            data=mpdta(),
            xformla="lemp~lpop",
            control_group="nevertreated",
        ).fit(est_method=method, bstrap=False)
    res = _fit(control="never", method=method, covariates=["lpop"])
    r = ref.results
    for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"], strict=True):
        (est,) = res.att_gt.where(group=int(g), time=int(t))
        assert est.estimate == pytest.approx(a, abs=1e-6)
        assert est.se == pytest.approx(s, abs=1e-6)


@pytest.mark.parametrize(
    ("base_period", "anticipation", "control"),
    [("universal", 0, "never"), ("varying", 1, "notyet"), ("universal", 1, "never")],
)
def test_base_period_and_anticipation_match_csdid(base_period, anticipation, control):
    """Options without stored R values, against csdid's port of R ``did``."""
    att_gt = pytest.importorskip("csdid.att_gt", reason="csdid not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = att_gt.ATTgt(
            yname="lemp",
            gname="first.treat",
            idname="countyreal",
            tname="year",
            data=mpdta(),
            control_group="nevertreated" if control == "never" else "notyettreated",
            anticipation=anticipation,
        ).fit(est_method="dr", base_period=base_period, bstrap=False)
    res = _fit(control=control, base_period=base_period, anticipation=anticipation)
    r = ref.results
    assert len(r["att"]) == len(res.att_gt)
    for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"], strict=True):
        (est,) = res.att_gt.where(group=int(g), time=int(t))
        assert est.estimate == pytest.approx(a, abs=1e-9)
        if np.isfinite(s) and s > 0:
            assert est.se == pytest.approx(s, abs=1e-9)
