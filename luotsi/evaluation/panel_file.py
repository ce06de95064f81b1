"""Read an evaluation panel from a documented CSV or Parquet file.

This is the panel source of the evaluation app until the analytics panels
(``luotsi.analytics.panels``) are wired in. One row per unit and period:

========== ==========================================================================
column     meaning
========== ==========================================================================
unit       municipality code or pseudonymised person id (never a personal identity code)
time       month as ``YYYY-MM`` (or a date), or an integer period on an equally spaced scale
first_treated  first treated period on the same scale; empty, ``0`` = never treated
outcome    numeric outcome (the column may also carry the evaluation's outcome name)
cluster    optional cluster label (municipality, area) for clustered standard errors
municipality  optional municipality code used to assign treatment from the reference data
========== ==========================================================================

Months are converted to the month index ``year * 12 + month - 1`` so that they are equally
spaced; integer times of at least ``12 * 1900`` are taken to be month indexes already.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("unit", "time", "first_treated")
#: Columns kept as covariates (the store's person covariates; see ``person_design``).
COVARIATE_PREFIX = "x_"
MONTH_INDEX_MIN = 12 * 1900


class PanelFileError(ValueError):
    """The panel file is missing, unreadable or does not follow the documented columns."""


@dataclass(frozen=True, slots=True, eq=False)
class PanelData:
    """A validated panel: columns unit, time, first_treated, outcome (+ cluster, municipality)."""

    frame: pd.DataFrame
    monthly: bool  # time is a month index (year * 12 + month - 1)
    fingerprint: str  # sha256 of the file's bytes
    source: str
    #: treatment start (month index) of each treated municipality, when the builder knows them
    #: (person panels from the store, whose cohorts may follow moves)
    starts: dict[str, int] | None = None


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: float | int) -> str:
    index = int(index)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def read_panel_file(path: str | Path, outcome: str = "outcome") -> PanelData:
    """Read and validate ``path`` (``.csv`` or ``.parquet``); ``outcome`` names the outcome column
    when the file has no column called ``outcome``."""
    path = Path(path)
    if not path.is_file():
        raise PanelFileError(f"panel file {path} does not exist")
    raw = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype={"unit": str, "cluster": str, "municipality": str})
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise PanelFileError(f"panel file {path}: expected .csv or .parquet, got {suffix!r}")
    except (OSError, ValueError) as exc:
        if isinstance(exc, PanelFileError):
            raise
        raise PanelFileError(f"panel file {path} could not be read: {exc}") from exc
    return PanelData(
        *_validate(frame, outcome, str(path)), hashlib.sha256(raw).hexdigest(), str(path)
    )


def _validate(frame: pd.DataFrame, outcome: str, source: str) -> tuple[pd.DataFrame, bool]:
    missing = [c for c in REQUIRED if c not in frame.columns]
    out_col = "outcome" if "outcome" in frame.columns else outcome
    if out_col not in frame.columns:
        missing.append(f"outcome (or {outcome})")
    if missing:
        raise PanelFileError(f"panel file {source}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise PanelFileError(f"panel file {source}: no rows")
    out = pd.DataFrame({"unit": frame["unit"].astype(str)})
    out["time"], monthly = _periods(frame["time"], "time", source)
    out["first_treated"] = _first_treated(frame["first_treated"], monthly, source)
    y = pd.to_numeric(frame[out_col], errors="coerce")
    if y.isna().any():
        row = int(np.flatnonzero(y.isna().to_numpy())[0])
        raise PanelFileError(
            f"panel file {source}: outcome is missing or not a number (row {row + 1})"
        )
    out["outcome"] = y.astype(float).to_numpy()
    for col in ("cluster", "municipality"):
        if col in frame.columns:
            out[col] = frame[col].astype(str).to_numpy()
    for col in (c for c in frame.columns if str(c).startswith(COVARIATE_PREFIX)):
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any():
            raise PanelFileError(f"panel file {source}: covariate {col} is missing or not a number")
        out[col] = values.astype(float).to_numpy()
    if out.duplicated(["unit", "time"]).any():
        raise PanelFileError(f"panel file {source}: more than one row for a unit and period")
    return out, monthly


def _periods(values: pd.Series, name: str, source: str) -> tuple[np.ndarray, bool]:
    if pd.api.types.is_numeric_dtype(values):
        if values.isna().any():
            raise PanelFileError(f"panel file {source}: {name} has empty values")
        arr = values.to_numpy(dtype=float)
        return arr, bool((arr >= MONTH_INDEX_MIN).all())
    parsed = pd.to_datetime(values.astype(str), errors="coerce", format="mixed")
    if parsed.isna().any():
        bad = values[parsed.isna()].iloc[0]
        raise PanelFileError(f"panel file {source}: {name} value {bad!r} is not a month (YYYY-MM)")
    return (parsed.dt.year * 12 + parsed.dt.month - 1).to_numpy(dtype=float), True


def _first_treated(values: pd.Series, monthly: bool, source: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        return values.fillna(0).to_numpy(dtype=float)
    text = values.fillna("").astype(str).str.strip()
    never = text.isin(["", "0", "never", "inf"])
    out = np.zeros(len(text))
    if (~never).any():
        if not monthly:
            raise PanelFileError(f"panel file {source}: first_treated is a month but time is not")
        parsed, _ = _periods(text[~never], "first_treated", source)
        out[(~never).to_numpy()] = parsed
    return out
