"""Sun and Abraham (2021) interaction-weighted (IW) event study.

Step 1 regresses the outcome on unit and period fixed effects and a full set of cohort x
event-time interactions ``1[g_i = g] 1[t - g = e]`` for every treated cohort ``g`` and every
observed ``e`` except the reference period (``-1``); the comparison units have no interactions:
never-treated units (``control="never"``) or the last-treated cohort (``control="last"``, then
periods from its start are dropped). Each coefficient ``delta_{g,e}`` is then a clean
cohort-specific effect (CATT) relative to the reference period.

Step 2 averages them by event time with the cohorts' shares among the cohorts observed at that
event time, ``beta_e = sum_g Pr(G = g | e) delta_{g,e}``; the overall ``ATT`` averages the
post-treatment cells (``e >= 0``) weighted by their number of observations (as ``fixest``'s
``summary(agg = "ATT")``). The shares are treated as known when computing the covariance
``W V W'`` (as ``fixest::sunab``), with CR1 cluster-robust ``V`` from :mod:`luotsi.stats.twfe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from luotsi.stats.linalg import OLSFit
from luotsi.stats.results import EffectTable, table
from luotsi.stats.staggered import as_panel, design, first_periods, frozen
from luotsi.stats.twfe import check_level, regression, t_estimates

CONTROLS = ("never", "last")


@dataclass(frozen=True, slots=True, eq=False)
class SunAbrahamResult:
    """Event-time IW estimates (``table``) and the cohort x event-time coefficients (``cells``).

    ``aggregation[j, c]`` is the weight of cell ``c`` (order of ``cells``) in row ``j`` of
    ``table``.
    """

    table: EffectTable
    cells: EffectTable
    aggregation: np.ndarray


def sun_abraham(
    data: Any = None,
    *,
    unit: Any = None,
    time: Any = None,
    cohort: Any = None,
    outcome: Any = None,
    cluster: Any = None,
    weights: Any = None,
    control: str = "never",
    reference: int = -1,
    level: float = 0.95,
) -> SunAbrahamResult:
    """Interaction-weighted event study; input as for :func:`luotsi.stats.twfe.twfe`."""
    if control not in CONTROLS:
        raise ValueError(f"control: expected one of {CONTROLS}, got {control!r}")
    check_level(level)
    panel = as_panel(
        data, unit=unit, time=time, cohort=cohort, outcome=outcome, cluster=cluster, weights=weights
    )
    d = design(panel)
    if d.always_treated.any():
        d = d.subset(
            ~d.always_treated,
            f"dropped {int(d.always_treated.sum())} units treated from the first period",
        )
    cohorts = d.cohorts()
    if control == "never":
        if d.ever_treated.all():
            raise ValueError("control: no never-treated units; use control='last'")
    else:
        if cohorts.shape[0] < 2:
            raise ValueError("control: 'last' needs at least two treated cohorts")
        last = cohorts[-1]
        n_keep = int(np.sum(d.times < last))
        d = first_periods(
            d, n_keep, f"cohort {last:g} is the comparison group; periods from {last:g} dropped"
        )
        cohorts = cohorts[:-1]
    treated_cohorts = [float(g) for g in cohorts]
    cells: list[tuple[float, int]] = []
    columns: list[np.ndarray] = []
    for g in treated_cohorts:
        in_g = d.cohort == g
        observed = np.unique(d.event_time[in_g]).astype(int)
        if reference not in observed:
            raise ValueError(f"reference: event time {reference} is not observed for cohort {g:g}")
        for e in observed[observed != reference]:
            cells.append((g, int(e)))
            columns.append(in_g[:, None] & (d.event_time == e))
    if not cells:
        raise ValueError("cohort: no cohort x event-time cell to estimate")
    x_wide = np.stack(columns, axis=2).astype(float)
    names = tuple(f"g={g:g}, e={e}" for g, e in cells)
    reg = regression(d, x_wide, names)
    fit = OLSFit.fit(
        reg.x, reg.y, reg.codes, reg.n_clusters, weights=reg.weights, n_absorbed=reg.n_absorbed
    )
    w = d.unit_weights
    size = {g: float(w[d.cohort == g].sum()) for g in treated_cohorts}
    event_times = sorted({e for _, e in cells})
    agg = np.zeros((len(event_times) + 1, len(cells)))
    for j, e in enumerate(event_times):
        idx = [c for c, (_, ec) in enumerate(cells) if ec == e]
        total = sum(size[cells[c][0]] for c in idx)
        for c in idx:
            agg[j, c] = size[cells[c][0]] / total
    post = [c for c, (_, e) in enumerate(cells) if e >= 0]
    if not post:
        raise ValueError("cohort: no post-treatment cell to estimate")
    counts = np.array([size[cells[c][0]] for c in post])
    agg[-1, post] = counts / counts.sum()
    est = agg @ fit.coef
    vcov = agg @ fit.vcov @ agg.T
    labels = (*(f"e={e}" for e in event_times), "ATT")
    keys = [{"event_time": e} for e in event_times] + [{"effect": "overall"}]
    common = {"n_clusters": d.n_clusters, "n_obs": fit.n_obs, "reference_period": reference}
    tab = table(
        "sun_abraham",
        t_estimates(labels, est, vcov, keys, level, d.n_clusters),
        level=level,
        notes=d.notes,
        vcov=frozen(vcov),
        vcov_labels=labels,
        control=control,
        **common,
    )
    cell_tab = table(
        "sun_abraham_cells",
        t_estimates(
            names,
            fit.coef,
            fit.vcov,
            [{"group": g, "event_time": e} for g, e in cells],
            level,
            d.n_clusters,
        ),
        level=level,
        notes=d.notes,
        vcov=frozen(fit.vcov),
        vcov_labels=names,
        **common,
    )
    return SunAbrahamResult(tab, cell_tab, frozen(agg))
