"""Calibration report: the generator's own aggregates next to the real June 2026 figures.

The aggregates are computed from the generated **events** (what an indicator would see), per
municipality on a counting day (the last day of the last June in the window, else of the last
whole month): unemployed job seekers (an open period whose status is not ``in_service``),
long-term unemployed (of those, registered 12+ months before), under 25, 50 and over, foreign
nationals; and the month's inflow (registrations) and outflow (exits). The real figures are
Statistics Finland's table 12r5 for 2026M06 times the config's scale ("Source: Statistics
Finland", CC BY 4.0). ``monthly`` gives the whole generated area's stock and flows per month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import timebase as tb
from .config import SyntheticConfig
from .generator import generate
from .model import calibrate

MEASURES = ("stock", "ltu", "under25", "over50", "foreign", "inflow", "outflow")
REAL = {
    "stock": "TYOTTOMATLOPUSSA",
    "ltu": "PITKAAIKAISTYOTTOMAT",
    "under25": "TYOTTOMAT25",
    "over50": "TYOTTOMAT50",
    "foreign": "TYOTTOMATULK",
}


@dataclass(frozen=True)
class ReportRow:
    municipality_code: str  # "SSS" = all generated municipalities
    name: str
    measure: str
    generated: float
    real: float | None  # 12r5 June 2026 times the scale; None where the file has no figure
    suppressed: bool  # the real figure was suppressed and imputed

    @property
    def ratio(self) -> float | None:
        return None if not self.real else self.generated / self.real


@dataclass(frozen=True)
class Report:
    counting_day: dt.date
    rows: tuple[ReportRow, ...]
    monthly: tuple[dict, ...]  # month, stock, ltu, inflow, outflow (all municipalities)

    def total(self, measure: str) -> ReportRow:
        return next(r for r in self.rows if r.municipality_code == "SSS" and r.measure == measure)


def counting_day(config: SyntheticConfig) -> dt.date:
    """Last day of the last June in the window, else of the last whole month."""
    end = config.ends_on
    for year in range(end.year, config.starts_on.year - 1, -1):
        d = dt.date(year, 6, 30)
        if config.starts_on <= d <= end:
            return d
    last = tb.date(int(tb.month_start(tb.month_index(np.array([tb.day(end) + 1]))[0])) - 1)
    return last if last >= config.starts_on else end


def _month_ends(config: SyntheticConfig) -> np.ndarray:
    first = tb.month_index(np.array([tb.day(config.starts_on)]))[0]
    last = tb.month_index(np.array([tb.day(config.ends_on)]))[0]
    ends = tb.month_start(np.arange(first, last + 1) + 1) - 1
    return ends[ends <= tb.day(config.ends_on)]


def _col(batch: pa.RecordBatch, name: str, rows: np.ndarray) -> np.ndarray:
    col = batch.column(name).take(pa.array(rows))
    if pa.types.is_date32(col.type):
        col = col.cast(pa.int32())
    return col.to_numpy(zero_copy_only=False)


class _Accumulator:
    def __init__(self, config: SyntheticConfig) -> None:
        self.codes = [m.code for m in calibrate(config)]
        self.index = {c: i for i, c in enumerate(self.codes)}
        self.day = tb.day(counting_day(config))
        self.ends = _month_ends(config)
        m = len(self.codes)
        self.per_muni = {k: np.zeros(m) for k in MEASURES}
        t = len(self.ends)
        self.series = {k: np.zeros(t) for k in ("stock", "ltu", "inflow", "outflow")}

    def add(self, batch: pa.RecordBatch) -> None:
        kind = batch.column("kind").to_numpy(zero_copy_only=False)
        reg = np.flatnonzero(kind == "customer.registered")
        ex = np.flatnonzero(kind == "customer.exited")
        sc = np.flatnonzero(kind == "customer.status_changed")
        if not reg.size:
            return
        enr = _col(batch, "enrolment_id", reg)
        order = np.argsort(enr)
        enr = enr[order]
        reg = reg[order]
        start = _col(batch, "registered_on", reg).astype(np.int64)
        muni = np.array([self.index[c] for c in _col(batch, "municipality_code", reg)])
        birth = _col(batch, "birth_year", reg)
        foreign = _col(batch, "foreign_national", reg).astype(bool)
        end = np.full(len(reg), np.iinfo(np.int64).max // 4)
        if ex.size:
            pos = np.searchsorted(enr, _col(batch, "enrolment_id", ex))
            end[pos] = _col(batch, "ended_on", ex)
        key_sc = np.zeros(0, np.int64)
        service = np.zeros(0, bool)
        if sc.size:
            pos = np.searchsorted(enr, _col(batch, "enrolment_id", sc)).astype(np.int64)
            eff = _col(batch, "effective_on", sc).astype(np.int64)
            o = np.lexsort((np.arange(len(pos)), eff, pos))
            key_sc = (pos[o] << 20) | eff[o]
            service = (_col(batch, "status", sc) == "in_service")[o]
        positions = np.arange(len(reg), dtype=np.int64)

        def unemployed(d: int) -> np.ndarray:
            open_ = (start <= d) & (end > d)
            if key_sc.size:
                i = np.searchsorted(key_sc, (positions << 20) | d, side="right") - 1
                same = (i >= 0) & ((key_sc[np.maximum(i, 0)] >> 20) == positions)
                open_ &= ~(same & service[np.maximum(i, 0)])
            return open_

        m = len(self.codes)
        u = unemployed(self.day)
        year = tb.date(self.day).year
        age = year - birth
        month = tb.month_index(np.array([self.day]))[0]
        in_month = tb.month_index(start) == month
        out_month = (end < np.iinfo(np.int64).max // 4) & (
            tb.month_index(np.minimum(end, tb.day(dt.date(2100, 1, 1)))) == month
        )
        for name, mask in (
            ("stock", u),
            ("ltu", u & (start <= self.day - 365)),
            ("under25", u & (age < 25)),
            ("over50", u & (age >= 50)),
            ("foreign", u & foreign),
            ("inflow", in_month),
            ("outflow", out_month),
        ):
            self.per_muni[name] += np.bincount(muni, weights=mask, minlength=m)
        months_start = tb.month_index(start)
        months_end = tb.month_index(np.minimum(end, tb.day(dt.date(2100, 1, 1))))
        for t, d in enumerate(self.ends):
            u = unemployed(int(d))
            mi = tb.month_index(np.array([d]))[0]
            self.series["stock"][t] += u.sum()
            self.series["ltu"][t] += (u & (start <= d - 365)).sum()
            self.series["inflow"][t] += (months_start == mi).sum()
            self.series["outflow"][t] += ((months_end == mi) & (end <= d)).sum()


def aggregate(config: SyntheticConfig, batches: Iterable[pa.RecordBatch]) -> Report:
    """Build the report from already generated ``batches`` of ``config``."""
    acc = _Accumulator(config)
    for b in batches:
        acc.add(b)
    models = calibrate(config)
    real_total = sum(mm.municipality.stock for mm in models)
    factor = sum(mm.target_stock for mm in models) / real_total if real_total else 1.0
    rows = []
    for i, mm in enumerate(models):
        m = mm.municipality
        for measure in MEASURES:
            real_code = REAL.get(measure)
            real = m.targets[real_code] * factor if real_code else None
            rows.append(
                ReportRow(
                    m.code,
                    m.name_fi,
                    measure,
                    float(acc.per_muni[measure][i]),
                    real,
                    bool(real_code and real_code in m.suppressed),
                )
            )
    for measure in MEASURES:
        real_code = REAL.get(measure)
        real = (
            sum(mm.municipality.targets[real_code] for mm in models) * factor if real_code else None
        )
        rows.append(
            ReportRow(
                "SSS", "generated total", measure, float(acc.per_muni[measure].sum()), real, False
            )
        )
    monthly = tuple(
        {
            "month": tb.date(int(d)).strftime("%Y-%m"),
            **{k: int(v[t]) for k, v in acc.series.items()},
        }
        for t, d in enumerate(acc.ends)
    )
    return Report(tb.date(acc.day), tuple(rows), monthly)


def calibration_report(config: SyntheticConfig, *, workers: int = 1) -> Report:
    """Generate ``config`` and compare its aggregates with the real figures (see module doc)."""
    return aggregate(config, generate(config, workers=workers))
