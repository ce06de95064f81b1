"""Difference-in-differences on synthetic data with an exact, known truth (no Django).

The loop closes the chain the evaluation app relies on: the synthetic generator with a staggered
pilot effect (``luotsi.synthetic``) -> journey events -> a private in-memory analytics store ->
the municipality x month panel (``luotsi.analytics.panels``) -> Callaway-Sant'Anna and imputation
(``luotsi.stats``) -> bias and coverage against the truth.

**The truth (common random numbers).** The generator's effect multiplies a hazard, so the ATT on
a panel outcome has no closed form. Each replication therefore generates the same seed twice,
with and without the pilots. The generator draws the same random numbers for every person
whatever an effect does to other persons (``docs/synthetic.md``, "Determinism"), so untreated
municipalities have identical panel rows in both runs and treated ones differ only by the effect
(before its first day they are identical too). The realised effect of a treated unit is
``D_it = Y_it(with) - Y_it(without)``; the truth of any estimate is that estimator applied to
``D`` (``D`` is zero for every untreated unit-month, so Callaway-Sant'Anna on ``D`` returns
``mean_{i in g} D_it`` for every ATT(g,t) and aggregates them with the estimator's own cohort
weights; imputation on ``D`` returns the mean of ``D`` over its treated cells).

Outcomes come from spells only (registrations and exits), which the generator determines per
person: ``exit_rate`` (exits to employment in the month per 100 registered customers on its
counting day), ``exits_to_employment`` and ``customers``. In-service status changes come from
case-work draws that are shared within a generator block, so ``unemployed_customers`` is not
exact under common random numbers and is not offered here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from luotsi.analytics import panels
from luotsi.analytics.refresh import ingest_relation
from luotsi.analytics.store import Store
from luotsi.stats.did_cs import callaway_santanna
from luotsi.stats.imputation import imputation
from luotsi.synthetic import Parameters, PilotEffect, SyntheticConfig, generate

#: Event kinds that the derived ``spells`` and ``status_intervals`` read (``derived.py``).
PANEL_KINDS = (
    "customer.registered",
    "customer.exited",
    "customer.status_changed",
    "customer.moved",
)
OUTCOMES = ("exit_rate", "exits_to_employment", "customers")
ESTIMATORS = ("cs_never", "cs_notyet", "imputation")


class SimulationError(ValueError):
    """A bad simulation design (the message names the field)."""


@contextlib.contextmanager
def synthetic_store(
    config: SyntheticConfig,
    *,
    workers: int = 1,
    threads: int | None = None,
    kinds: Sequence[str] | None = None,
    municipalities: Sequence[Mapping] | None = None,
    source: str = "synthetic",
    spells_only: bool = False,
) -> Iterator[Store]:
    """A private in-memory analytics store holding the generated events (derived tables built).

    ``kinds`` keeps only those event kinds (e.g. :data:`PANEL_KINDS`, enough for the event
    panels and much faster); ``municipalities`` are ``ref_municipality`` rows to load;
    ``spells_only`` generates no case work (``luotsi.synthetic.generate``)."""
    events = pa.Table.from_batches(list(generate(config, workers=workers, spells_only=spells_only)))
    if kinds is not None:
        keep = np.isin(events.column("kind").to_numpy(zero_copy_only=False), list(kinds))
        events = events.filter(pa.array(keep))
    with Store(threads=threads) as store:
        store.con.register("_synthetic_events", events)
        ingest_relation(store, "_synthetic_events", derive=True, source=source)
        store.con.unregister("_synthetic_events")
        if municipalities is not None:
            store.load_reference(municipalities=municipalities)
        yield store


@dataclass(frozen=True)
class Design:
    """One simulated evaluation: a pool of municipalities, staggered pilot starts, an effect.

    Each replication assigns the municipalities at random to the cohorts (``cohort_units[k]``
    start on ``cohort_starts[k]``, a first day of a month; the rest are never treated), which
    makes parallel trends hold by design. ``hazard_ratio`` multiplies the hazard of exit to
    open-market employment from a unit's start to ``ends_on``."""

    municipalities: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date
    cohort_starts: tuple[dt.date, ...]
    cohort_units: tuple[int, ...]
    hazard_ratio: float = 1.3
    scale: float = 0.03
    burn_in_years: int = 3
    outcomes: tuple[str, ...] = ("exit_rate",)
    min_e: int = -6
    max_e: int = 12
    parameters: Parameters | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "municipalities", tuple(sorted(set(self.municipalities))))
        if len(self.cohort_starts) != len(self.cohort_units) or not self.cohort_starts:
            raise SimulationError("cohort_starts and cohort_units must have the same length >= 1")
        if any(n < 1 for n in self.cohort_units):
            raise SimulationError("cohort_units: every cohort needs at least one municipality")
        if sum(self.cohort_units) >= len(self.municipalities):
            raise SimulationError("cohort_units: leave at least one never-treated municipality")
        for d in self.cohort_starts:
            if d.day != 1 or not (self.starts_on < d <= self.ends_on):
                raise SimulationError(
                    f"cohort_starts: {d} must be a first day of a month after starts_on "
                    "and within the window"
                )
        bad = sorted(set(self.outcomes) - set(OUTCOMES))
        if bad or not self.outcomes:
            raise SimulationError(f"outcomes: {bad or '()'} not among {list(OUTCOMES)}")

    def config(self, seed: int, starts: Mapping[str, dt.date] | None) -> SyntheticConfig:
        """The generator config of one run; ``starts=None`` is the run without the effect."""
        params = self.parameters or Parameters()
        params = dataclasses.replace(params, burn_in_years=self.burn_in_years)
        pilots = ()
        if starts:
            by_start: dict[dt.date, list[str]] = {}
            for code, day in starts.items():
                by_start.setdefault(day, []).append(code)
            pilots = tuple(
                PilotEffect(tuple(sorted(c)), d, self.ends_on, self.hazard_ratio, f"c{d:%Y%m}")
                for d, c in sorted(by_start.items())
            )
        return SyntheticConfig(
            municipalities=self.municipalities,
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            scale=self.scale,
            seed=seed,
            pilots=pilots,
            parameters=params,
        )

    def assign(self, seed: int) -> dict[str, dt.date]:
        """Random assignment of municipalities to cohorts for replication ``seed``."""
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
        order = rng.permutation(len(self.municipalities))
        starts: dict[str, dt.date] = {}
        pos = 0
        for day, n in zip(self.cohort_starts, self.cohort_units, strict=True):
            for i in order[pos : pos + n]:
                starts[self.municipalities[i]] = day
            pos += n
        return starts


@dataclass(frozen=True)
class Row:
    """One estimate of one replication next to its truth."""

    estimator: str
    outcome: str
    label: str  # "overall" or "e=<k>"
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    truth: float

    @property
    def covered(self) -> bool:
        return self.ci_low <= self.truth <= self.ci_high


@dataclass(frozen=True)
class Replication:
    seed: int
    starts: Mapping[str, dt.date]
    rows: tuple[Row, ...]
    untreated_identical: bool  # untreated units' panel rows equal in both runs
    pre_period_identical: bool  # treated units' rows before their start equal in both runs
    panels: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict, repr=False)


def event_panel(
    config: SyntheticConfig,
    starts: Mapping[str, dt.date],
    *,
    workers: int = 1,
    spells_only: bool = True,
) -> panels.PanelTable:
    """Municipality x month panel of ``config``'s events, treatment from ``starts``, clustered by
    municipality, with the extra outcome ``exit_rate``. ``spells_only`` (default) generates
    registrations and exits only: the outcomes here read nothing else (tested)."""
    cohorts = panels.Cohorts({c: panels.month_index(d) for c, d in starts.items()}, {}, 0)
    with synthetic_store(
        config, workers=workers, threads=1, kinds=PANEL_KINDS, spells_only=spells_only
    ) as store:
        p = panels.municipality_panel_events(
            store, config.starts_on, config.ends_on, cohorts, cluster_by="municipality"
        )
    missing = sorted(set(config.municipalities) - set(p.table.column("unit").to_pylist()))
    if missing:
        raise SimulationError(f"municipalities {missing} have no events; raise the scale")
    t = p.table
    exits = t.column("exits_to_employment").to_numpy().astype(float)
    customers = t.column("customers").to_numpy().astype(float)
    rate = 100.0 * exits / np.maximum(customers, 1.0)
    table = t.append_column("exit_rate", pa.array(rate))
    return panels.PanelTable(table, (*p.outcomes, "exit_rate"), p.anticipation, p.notes)


def _matrix(p: panels.PanelTable, outcome: str) -> dict[str, np.ndarray]:
    a = p.arrays(outcome)
    n_t = len(np.unique(a["time"]))
    return {
        "unit": a["unit"][::n_t],
        "time": a["time"][:n_t],
        "cohort": a["cohort"][::n_t],
        "y": a["y"].reshape(-1, n_t),
    }


def _estimates(name: str, long: Mapping[str, np.ndarray], design: Design):
    """(label, Estimate) pairs: ``overall`` and the event times in [min_e, max_e]."""
    if name.startswith("cs_"):
        res = callaway_santanna(
            unit=long["unit"],
            time=long["time"],
            cohort=long["cohort"],
            outcome=long["y"],
            cluster=long["unit"],
            control=name[3:],
            method="dr",
            bootstrap=0,
        )
        simple = res.aggregate("simple")
        dyn = res.aggregate("dynamic", min_e=design.min_e, max_e=design.max_e)
        overall = next(e for e in simple if e.key.get("overall"))
        rows = [("overall", overall)]
        rows += [(f"e={e.key['event_time']}", e) for e in dyn if "event_time" in e.key]
        return rows
    res = imputation(
        unit=long["unit"],
        time=long["time"],
        cohort=long["cohort"],
        outcome=long["y"],
        cluster=long["unit"],
        horizons=design.max_e,
    )
    return [("overall" if e.label == "ATT" else e.label, e) for e in res.table]


def _long(m: Mapping[str, np.ndarray], y: np.ndarray) -> dict[str, np.ndarray]:
    n_u, n_t = y.shape
    return {
        "unit": np.repeat(m["unit"], n_t),
        "time": np.tile(m["time"], n_u),
        "cohort": np.repeat(m["cohort"], n_t),
        "y": y.reshape(-1),
    }


def replicate(
    design: Design,
    seed: int,
    *,
    estimators: Sequence[str] = ESTIMATORS,
    workers: int = 1,
    keep_panels: bool = False,
) -> Replication:
    """One replication: both runs, the panels, every estimator and its truth."""
    bad = sorted(set(estimators) - set(ESTIMATORS))
    if bad:
        raise SimulationError(f"estimators: {bad} not among {list(ESTIMATORS)}")
    starts = design.assign(seed)
    with_effect = event_panel(design.config(seed, starts), starts, workers=workers)
    without = event_panel(design.config(seed, None), starts, workers=workers)
    rows: list[Row] = []
    kept: dict[str, dict[str, np.ndarray]] = {}
    untreated_identical = pre_identical = True
    for outcome in design.outcomes:
        m1, m0 = _matrix(with_effect, outcome), _matrix(without, outcome)
        if not np.array_equal(m1["unit"], m0["unit"]):  # pragma: no cover - same config
            raise SimulationError("the two runs have different municipalities")
        effect = m1["y"] - m0["y"]
        treated = m1["cohort"] > 0
        untreated_identical &= bool(np.array_equal(m1["y"][~treated], m0["y"][~treated]))
        before = m1["time"][None, :] < m1["cohort"][:, None]
        pre_identical &= bool(np.all(effect[treated][before[treated]] == 0))
        if keep_panels:
            kept[outcome] = {**m1, "y0": m0["y"]}
        for name in estimators:
            est = _estimates(name, _long(m1, m1["y"]), design)
            truth = dict(_estimates(name, _long(m1, effect), design))
            for label, e in est:
                if label in truth:
                    rows.append(
                        Row(
                            name,
                            outcome,
                            label,
                            e.estimate,
                            e.se,
                            e.ci_low,
                            e.ci_high,
                            truth[label].estimate,
                        )
                    )
    return Replication(seed, starts, tuple(rows), untreated_identical, pre_identical, kept)


@dataclass(frozen=True)
class Summary:
    """Monte Carlo summary of one (estimator, outcome, label) over the replications."""

    estimator: str
    outcome: str
    label: str
    reps: int
    mean_truth: float
    bias: float  # mean(estimate - truth)
    bias_se: float  # Monte Carlo standard error of the bias
    rmse: float
    mean_se: float  # mean reported standard error
    sd_error: float  # standard deviation of estimate - truth (the SE it should match)
    coverage: float  # share of 95% intervals covering the realised truth
    coverage_se: float  # sqrt(c (1 - c) / reps)
    coverage_mean_truth: float  # share covering the mean truth over the replications


def summarise(reps: Sequence[Replication]) -> list[Summary]:
    """One :class:`Summary` per estimator, outcome and label present in every replication."""
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for rep in reps:
        for r in rep.rows:
            groups.setdefault((r.estimator, r.outcome, r.label), []).append(r)
    out = []
    for (name, outcome, label), rows in groups.items():
        if len(rows) != len(reps):
            continue
        est = np.array([r.estimate for r in rows])
        truth = np.array([r.truth for r in rows])
        lo = np.array([r.ci_low for r in rows])
        hi = np.array([r.ci_high for r in rows])
        err = est - truth
        n = len(rows)
        cov = float(np.mean((lo <= truth) & (truth <= hi)))
        mt = float(truth.mean())
        out.append(
            Summary(
                name,
                outcome,
                label,
                n,
                mt,
                float(err.mean()),
                float(err.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan"),
                float(np.sqrt(np.mean(err**2))),
                float(np.mean([r.se for r in rows])),
                float(err.std(ddof=1)) if n > 1 else float("nan"),
                cov,
                float(np.sqrt(cov * (1 - cov) / n)),
                float(np.mean((lo <= mt) & (mt <= hi))),
            )
        )
    return out


def default_design(*, n_municipalities: int = 60, scale: float = 0.03, **kw) -> Design:
    """The validation design: ``n_municipalities`` mainland municipalities with 400-3,000
    unemployed (12r5, June 2026; the first ones by code), 2022-2024, three cohorts (1.1.2023,
    1.7.2023, 1.1.2024) of a sixth of the municipalities each, half never treated."""
    from luotsi.synthetic.reference import municipalities

    pool = [m.code for m in municipalities(()) if 400 <= m.stock <= 3000]
    if n_municipalities > len(pool) or n_municipalities < 6:
        raise SimulationError(f"n_municipalities must be 6-{len(pool)}")
    codes = tuple(pool[:n_municipalities])
    k = n_municipalities // 6
    return Design(
        municipalities=codes,
        starts_on=kw.pop("starts_on", dt.date(2022, 1, 1)),
        ends_on=kw.pop("ends_on", dt.date(2024, 12, 31)),
        cohort_starts=kw.pop(
            "cohort_starts", (dt.date(2023, 1, 1), dt.date(2023, 7, 1), dt.date(2024, 1, 1))
        ),
        cohort_units=kw.pop("cohort_units", (k, k, k)),
        scale=scale,
        **kw,
    )
