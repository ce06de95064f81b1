"""Simulated municipality-month panels with a known treatment effect (for the tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

START_YEAR = 2020
COHORTS = ("2021-03", "2021-09")


def month_text(i: int) -> str:
    return f"{START_YEAR + i // 12}-{i % 12 + 1:02d}"


def simulate_panel(
    *,
    effect: float = 2.0,
    units: int = 60,
    months: int = 36,
    seed: int = 0,
    pre_trend: float = 0.0,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """Unit effects + a common trend + noise; cohorts start in ``COHORTS`` (a third each, the
    rest never treated); treated units get ``effect`` from their start month on.
    ``pre_trend`` adds a differential linear trend to treated units before treatment (violating
    parallel trends)."""
    rng = np.random.default_rng(seed)
    codes = codes or [f"{900 + i:03d}" for i in range(units)]
    starts = [COHORTS[i % 3] if i % 3 < 2 else "" for i in range(len(codes))]
    month_idx = {month_text(t): t for t in range(months)}
    rows = []
    for code, start, fe in zip(codes, starts, rng.normal(10, 2, len(codes)), strict=True):
        s = month_idx.get(start)
        for t in range(months):
            treated = s is not None and t >= s
            y = fe + 0.05 * t + rng.normal(0, 0.5) + (effect if treated else 0.0)
            if s is not None and not treated:
                y += pre_trend * (t - s)
            rows.append((code, month_text(t), start, y, f"c{int(code) % 20}"))
    return pd.DataFrame(rows, columns=["unit", "time", "first_treated", "outcome", "cluster"])


def write_panel(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path
