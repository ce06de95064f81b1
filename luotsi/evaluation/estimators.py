"""The estimators a run can choose, each wrapped to one JSON-ready entry (no Django here).

Every function in :data:`ESTIMATORS` takes the validated panel frame (columns ``unit``, ``time``,
``first_treated``, ``outcome`` and maybe ``cluster``/``municipality``) and the run's
:class:`Settings`, calls ``luotsi.stats`` and returns one entry::

    {"key", "family", "att_gt", "simple", "dynamic", "group", "notes", "meta", "pretrends",
     "bacon" (TWFE), "synth" (synthetic control), "wild" (wild cluster bootstrap)}

``simple`` holds the one overall row (``overall: True``) that the report's robustness table
shows side by side; ``dynamic`` the event-time rows for the event-study plot. Rows are
``EffectTable.as_rows()`` with NaN turned into None.

Anticipation: Callaway-Sant'Anna takes it as its own argument; for the regression estimators and
synthetic control the cohorts are moved ``anticipation`` months earlier (event time 0 is then the
first month in which units may react), so every estimator treats the same months as clean
pre-periods.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from luotsi.stats.bacon import bacon_decomposition
from luotsi.stats.did_cs import CSResult, callaway_santanna
from luotsi.stats.imputation import imputation
from luotsi.stats.pretrends import pretrends_test as table_pretrends
from luotsi.stats.results import EffectTable
from luotsi.stats.sunab import sun_abraham
from luotsi.stats.synth import synthetic_control
from luotsi.stats.twfe import NotIdentified, twfe
from luotsi.stats.wildboot import wild_cluster_bootstrap

from . import options as opts

#: Wild bootstrap draws when the run asks for none (the bootstrap cannot run without draws).
WILD_DRAWS_DEFAULT = 999
#: Webb six-point weights below this many clusters (Rademacher has only 2^G distinct draws).
WEBB_BELOW = 12


class DesignError(ValueError):
    """The design does not fit the chosen estimator (no treated units, one cluster, no donors)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the estimators need from the run's design."""

    comparison: str = "never"
    anticipation: int = 0
    bootstrap: int = 999
    cluster_level: str = "cluster"
    seed: int = 1
    level: float = 0.95
    synth_unit: str = ""
    unit_level: str = "municipality"
    #: ``{group: {option: value}}`` as stored (:mod:`luotsi.evaluation.options`; missing = default)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: covariate columns of the frame (Callaway-Sant'Anna only)
    covariates: tuple[str, ...] = ()

    def option(self, group: str, name: str) -> Any:
        return opts.value(self.options, group, name)

    def keywords(self, group: str) -> dict[str, Any]:
        """The group's options that are keyword arguments of its ``luotsi.stats`` function."""
        return opts.keywords(self.options, group)


Entry = dict[str, Any]


def cluster_column(frame: pd.DataFrame, level: str) -> str | None:
    if level == "unit":
        return None
    if level not in frame.columns:
        raise ValueError(f"cluster level {level!r}: the panel has no {level!r} column")
    return level


def check_design(frame: pd.DataFrame) -> None:
    """Refuse designs no estimator can use, naming what is missing."""
    units = frame.drop_duplicates("unit")
    if not (units["first_treated"] > 0).any():
        raise DesignError(
            "the design has no treated units: no unit has a treatment start (first_treated)"
        )


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, numpy scalars -> Python, tuples -> lists."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def rows(tab: EffectTable) -> list[dict[str, Any]]:
    return [clean(r) for r in tab.as_rows()]


def _meta(tab: EffectTable) -> dict[str, Any]:
    return clean({k: v for k, v in tab.meta.items() if k not in ("analytic_se", "vcov")})


def _event_rows(tab: EffectTable) -> list[dict[str, Any]]:
    return [r for r in rows(tab) if "event_time" in r]


def _overall(tab: EffectTable, label: str) -> list[dict[str, Any]]:
    row = next((r for r in rows(tab) if r["label"] == label), None)
    return [] if row is None else [{**row, "overall": True}]


def _shifted(frame: pd.DataFrame, anticipation: int) -> np.ndarray:
    g = frame["first_treated"].to_numpy(dtype=float)
    return np.where(g > 0, g - anticipation, 0.0)


def _regression_input(frame: pd.DataFrame, s: Settings) -> dict[str, Any]:
    cluster = cluster_column(frame, s.cluster_level)
    return {
        "unit": frame["unit"].to_numpy(),
        "time": frame["time"].to_numpy(dtype=float),
        "cohort": _shifted(frame, s.anticipation),
        "outcome": frame["outcome"].to_numpy(dtype=float),
        "cluster": None if cluster is None else frame[cluster].to_numpy(),
    }


def _pretrends(tab: EffectTable, max_lags: int = 12) -> dict[str, Any] | None:
    """The joint pre-trends test on a regression event study (anticipation already shifted):
    the last ``k = min(max_lags, (G - 1) // 2)`` pre-treatment event times, F version with
    Hotelling's correction, as for Callaway-Sant'Anna (``pipeline.pretrends_test``)."""
    g = int(tab.meta.get("n_clusters") or 0)
    pre = sorted(
        (e for e in tab if "event_time" in e.key and e.key["event_time"] < 0),
        key=lambda e: e.key["event_time"],
    )
    pre = [e for e in pre if math.isfinite(e.estimate)]
    k = min(max_lags, (g - 1) // 2, len(pre))
    if k < 1:
        return None
    try:
        res = table_pretrends(EffectTable(tab.estimator, tuple(pre[-k:]), tab.level, (), tab.meta))
    except ValueError:
        return None
    if res.f_stat is None:
        return None
    return clean(
        {
            "statistic": res.f_stat,
            "df": res.df,
            "df2": res.df2,
            "wald": res.wald,
            "p_value": res.p_value,
            "event_times": list(res.event_times),
        }
    )


def _entry(key: str, family: str, **parts: Any) -> Entry:
    base: Entry = {
        "key": key,
        "family": family,
        "att_gt": [],
        "simple": [],
        "dynamic": [],
        "group": [],
        "notes": [],
        "meta": {},
        "pretrends": None,
    }
    base.update(parts)
    return base


# --- Callaway-Sant'Anna -----------------------------------------------------------------------


def cs_result(frame: pd.DataFrame, s: Settings, method: str) -> CSResult:
    return callaway_santanna(
        frame,
        unit="unit",
        time="time",
        cohort="first_treated",
        outcome="outcome",
        cluster=cluster_column(frame, s.cluster_level),
        covariates=list(s.covariates) or None,
        control=s.comparison,
        method=method,
        bootstrap=s.bootstrap,
        seed=s.seed,
        anticipation=s.anticipation,
        level=s.level,
        **s.keywords("cs"),
    )


def _cs(method: str) -> Callable[[pd.DataFrame, Settings], Entry]:
    def run(frame: pd.DataFrame, s: Settings) -> Entry:
        from .pipeline import pretrends_test  # the CS influence-function test

        result = cs_result(frame, s, method)
        return _entry(
            f"cs_{method}",
            "cs",
            att_gt=rows(result.att_gt),
            simple=rows(result.aggregate("simple")),
            dynamic=rows(result.aggregate("dynamic")),
            group=rows(result.aggregate("group")),
            notes=list(result.att_gt.notes),
            meta=_meta(result.att_gt),
            pretrends=clean(pretrends_test(result, s.anticipation)),
        )

    return run


# --- regression event studies -----------------------------------------------------------------


def _sunab(frame: pd.DataFrame, s: Settings) -> Entry:
    control = "never" if s.comparison == "never" else "last"
    res = sun_abraham(**_regression_input(frame, s), control=control, level=s.level)
    notes = list(res.table.notes)
    if control == "last":
        notes.append("comparison group: the last-treated cohort (Sun-Abraham's not-yet-treated)")
    return _entry(
        "sunab",
        "regression",
        simple=_overall(res.table, "ATT"),
        dynamic=_event_rows(res.table),
        notes=notes,
        meta=_meta(res.table),
        pretrends=_pretrends(res.table),
    )


def _imputation(frame: pd.DataFrame, s: Settings) -> Entry:
    res = imputation(**_regression_input(frame, s), level=s.level, **s.keywords("imputation"))
    return _entry(
        "imputation",
        "regression",
        simple=_overall(res.table, "ATT"),
        dynamic=_event_rows(res.table),
        notes=list(res.table.notes),
        meta=_meta(res.table),
        pretrends=_pretrends(res.table) if s.option("imputation", "leads") else None,
    )


def _bacon(frame: pd.DataFrame, s: Settings) -> dict[str, Any]:
    args = _regression_input(frame, s)
    args.pop("cluster")
    res = bacon_decomposition(**args)
    by_type = [{"type": t, **v} for t, v in res.by_type().items()]
    return clean(
        {
            "twfe_estimate": res.twfe_estimate,
            "recomposed": res.recomposed,
            "by_type": by_type,
            "comparisons": res.as_rows(),
            "notes": list(res.notes),
        }
    )


#: Note of a TWFE entry whose event study is not identified (``notes.py`` translates it).
TWFE_EVENT_NOT_IDENTIFIED = (
    "TWFE event study not identified (its event-time effects are absorbed by the unit and "
    "period effects, e.g. without never-treated units); only the static coefficient is shown"
)


def _twfe(frame: pd.DataFrame, s: Settings) -> Entry:
    args = _regression_input(frame, s)
    static = twfe(**args, kind="static", level=s.level)
    notes = list(static.table.notes)
    try:
        event = twfe(**args, kind="event", level=s.level)
    except NotIdentified:
        # e.g. no never-treated units and cohorts a multiple of 6 months apart: the static
        # coefficient is still identified, the event-time dummies are not
        event = None
        notes.append(TWFE_EVENT_NOT_IDENTIFIED)
    return _entry(
        "twfe",
        "regression",
        simple=_overall(static.table, "ATT"),
        dynamic=_event_rows(event.table) if event else [],
        notes=notes,
        meta=_meta(static.table),
        pretrends=_pretrends(event.table) if event else None,
        bacon=_bacon(frame, s),
    )


def _wild(frame: pd.DataFrame, s: Settings) -> Entry:
    args = _regression_input(frame, s)
    clusters = pd.unique(args["unit"] if args["cluster"] is None else args["cluster"]).size
    if clusters < 2:
        raise DesignError(
            "wild cluster bootstrap: the panel has only one cluster; it needs at least two "
            "(choose another cluster level)"
        )
    static = twfe(**args, kind="static", level=s.level)
    draws = s.bootstrap or WILD_DRAWS_DEFAULT
    kind = s.option("wild", "weights")
    if kind == "auto":
        kind = "webb" if static.n_clusters < WEBB_BELOW else "rademacher"
    boot = wild_cluster_bootstrap(
        static, "ATT", draws=draws, weights=kind, level=s.level, seed=s.seed
    )
    cr1 = static.table.by_label("ATT")
    overall = {
        "label": "ATT",
        "effect": "static",
        "estimate": boot.estimate,
        "se": cr1.se,
        "ci_low": boot.ci_low,
        "ci_high": boot.ci_high,
        "band_low": None,
        "band_high": None,
        "p_value": boot.p_value,
        "n": None,
        "overall": True,
    }
    wild = {
        "t_stat": boot.t_stat,
        "p_value": boot.p_value,
        "draws": boot.draws,
        "weights": boot.weights,
        "n_clusters": boot.n_clusters,
    }
    inference = (
        f"wild cluster restricted bootstrap-t of the static TWFE coefficient: {boot.draws} "
        f"draws, {boot.weights} weights, {boot.n_clusters} clusters; the standard error shown "
        "is CR1, the interval and p-value are the bootstrap's"
    )
    return _entry(
        "wild",
        "bootstrap",
        simple=[clean(overall)],
        notes=list(static.table.notes),
        meta={**_meta(static.table), "se_kind": "wild bootstrap", "inference": inference},
        wild=clean(wild),
    )


# --- synthetic control ------------------------------------------------------------------------


def _synth(frame: pd.DataFrame, s: Settings) -> Entry:
    if s.unit_level != "municipality":
        raise DesignError("synthetic control: needs a municipality-level panel")
    units = frame.drop_duplicates("unit").set_index("unit")["first_treated"]
    treated = units[units > 0]
    if s.synth_unit:
        if s.synth_unit not in units.index:
            raise DesignError(f"synthetic control: unit {s.synth_unit!r} is not in the panel")
        if units[s.synth_unit] <= 0:
            raise DesignError(f"synthetic control: unit {s.synth_unit!r} is never treated")
        chosen = s.synth_unit
    elif len(treated) == 1:
        chosen = str(treated.index[0])
    else:
        raise DesignError(
            f"synthetic control: the design has {len(treated)} treated units; choose one "
            "(synthetic-control unit) to compare with the never-treated donors"
        )
    donors = [str(u) for u, g in units.items() if g <= 0]
    if len(donors) < 2:
        raise DesignError(
            f"synthetic control: {len(donors)} never-treated donor units; at least two are needed"
        )
    start = float(units[chosen]) - s.anticipation
    keep = frame["unit"].isin([chosen, *donors])
    sub = frame[keep]
    res = synthetic_control(
        unit=sub["unit"].to_numpy(),
        time=sub["time"].to_numpy(dtype=float),
        outcome=sub["outcome"].to_numpy(dtype=float),
        treated_unit=chosen,
        treatment_start=start,
        donors=donors,
    )
    post = res.table.by_label("average post")
    overall = {
        "label": "average post",
        "effect": "post",
        "estimate": post.estimate,
        "se": None,
        "ci_low": None,
        "ci_high": None,
        "band_low": None,
        "band_high": None,
        "p_value": res.p_value,
        "n": None,
        "overall": True,
    }
    weights = sorted(res.donor_weights(1e-3).items(), key=lambda kv: -kv[1])
    synth = {
        "treated_unit": chosen,
        "treatment_start": start,
        "donors": len(donors),
        "donor_weights": [{"unit": str(u), "weight": w} for u, w in weights],
        "pre_rmspe": res.pre_rmspe,
        "post_rmspe": res.post_rmspe,
        "rmspe_ratio": res.rmspe_ratio,
        "p_value": res.p_value,
    }
    return _entry(
        "synth",
        "synth",
        simple=[clean(overall)],
        dynamic=_event_rows(res.table),
        notes=[],  # the table's only note (no standard errors) is the report's inference text
        meta={**_meta(res.table), "se_kind": "placebo", "inference": "; ".join(res.table.notes)},
        synth=clean(synth),
    )


ESTIMATORS: dict[str, Callable[[pd.DataFrame, Settings], Entry]] = {
    "cs_dr": _cs("dr"),
    "cs_reg": _cs("reg"),
    "cs_ipw": _cs("ipw"),
    "sunab": _sunab,
    "imputation": _imputation,
    "twfe": _twfe,
    "wild": _wild,
    "synth": _synth,
}
