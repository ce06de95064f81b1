"""Evaluation panels from the analytics store (``luotsi.analytics.panels``), as :class:`PanelData`.

A municipality x month panel is built either from the store's public series (Statistics
Finland 12r5: ``unemployment_rate``, ``ltu_share``, ``TYOTTOMATLOPUSSA``,
``PITKAAIKAISTYOTTOMAT``, ``TYOVOIMATK``) or from the journey log (``unemployed_customers``,
``customers``, ``exits_to_employment`` and :data:`EXIT_RATE`, exits to employment per 100
unemployed customers). Treatment comes from the store's time-valid pilot / area memberships
(``panels.treatment_cohorts``: counting-day rule, legal start, municipality mergers); an explicit
list is applied afterwards like for a panel file. Anticipation is left to the estimators (the
cohorts are built with ``anticipation=0``), exactly as for file panels.

The result goes through the same validation as a panel file, so a store panel and a file with the
same rows give the same frame. The store is opened read-only. Person-month panels from the
journey log are in :mod:`luotsi.evaluation.panel_person`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from luotsi.analytics import panels
from luotsi.analytics.store import Store

from .panel_file import PanelData, PanelFileError, _validate

EXIT_RATE = "exits_to_employment_rate"
PUBLIC_OUTCOMES = (
    "unemployment_rate",
    "ltu_share",
    "TYOTTOMATLOPUSSA",
    "PITKAAIKAISTYOTTOMAT",
    "TYOVOIMATK",
)
EVENT_OUTCOMES = ("unemployed_customers", "customers", "exits_to_employment", EXIT_RATE)
#: The evaluation's cluster level -> the store panel's ``cluster_by``.
CLUSTER_BY = {"cluster": "group", "municipality": "municipality", "unit": "municipality"}


class StorePanelError(PanelFileError):
    """The store is missing or cannot give the requested panel."""


def with_exit_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """Add :data:`EXIT_RATE` = 100 x exits_to_employment / unemployed_customers (NaN when a
    municipality has no unemployed customers in the month)."""
    out = frame.copy()
    den = out["unemployed_customers"].astype(float)
    out[EXIT_RATE] = np.where(
        den > 0, 100.0 * out["exits_to_employment"] / den.where(den > 0), np.nan
    )
    return out


def store_cohorts(
    store: Store, *, group_type: str, group_codes: list[str] | None, kind: str | None
) -> panels.Cohorts:
    """Treatment cohorts from the store's time-valid memberships (``anticipation=0``: the
    estimators apply the evaluation's anticipation), for municipality and person panels."""
    try:
        return panels.treatment_cohorts(
            store, group_type=group_type, group_codes=group_codes, kind=kind, anticipation=0
        )
    except panels.PanelBuildError as exc:
        raise StorePanelError(f"analytics store: {exc}") from exc


def build_frame(
    store: Store,
    *,
    source: str,
    outcome: str,
    start: str,
    end: str,
    group_type: str = "pilot",
    group_codes: list[str] | None = None,
    kind: str | None = None,
    cluster_level: str = "cluster",
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The raw panel rows (unit, time, first_treated, outcome, cluster, municipality) and the
    panel notes, before validation."""
    known = PUBLIC_OUTCOMES if source == "public" else EVENT_OUTCOMES
    if outcome not in known:
        raise StorePanelError(
            f"analytics store: outcome {outcome!r} is not in the {source} panel "
            f"(choose one of {', '.join(known)})"
        )
    cohorts = store_cohorts(store, group_type=group_type, group_codes=group_codes, kind=kind)
    try:
        build = (
            panels.municipality_panel_public
            if source == "public"
            else panels.municipality_panel_events
        )
        table = build(store, start, end, cohorts, cluster_by=CLUSTER_BY.get(cluster_level, "group"))
    except panels.PanelBuildError as exc:
        raise StorePanelError(f"analytics store: {exc}") from exc
    frame = table.table.to_pandas()
    if source != "public":
        frame = with_exit_rate(frame)
    y = frame[outcome].astype(float)
    missing = set(frame.loc[y.isna(), "unit"])
    frame = frame[~frame["unit"].isin(missing)]
    notes = list(table.notes)
    if missing:
        notes.append(f"{len(missing)} municipalities with a missing month were left out")
    if frame.empty:
        raise StorePanelError(
            f"analytics store: no municipality has {outcome} for every month {start} to {end}"
        )
    out = pd.DataFrame(
        {
            "unit": frame["unit"].astype(str).to_numpy(),
            "time": frame["time"].astype(float).to_numpy(),
            "first_treated": frame["first_treated"].astype(float).to_numpy(),
            "outcome": frame[outcome].astype(float).to_numpy(),
            "cluster": frame["cluster"].astype(str).to_numpy(),
            "municipality": frame["unit"].astype(str).to_numpy(),
        }
    )
    return out, tuple(notes)


def read_with(build, path: str | Path, **query) -> tuple[PanelData, tuple[str, ...]]:
    """Open the store at ``path`` read-only, ``build(store, **query)`` the raw rows and notes
    (and, from a person build, the treated municipalities' starts), validate them like a panel
    file; the panel and the notes."""
    path = Path(path)
    if not path.is_file():
        raise StorePanelError(f"analytics store {path} does not exist (refresh it first)")
    try:
        store = Store(path, read_only=True)
    except Exception as exc:  # duckdb raises its own IOException/... types
        raise StorePanelError(f"analytics store {path} could not be opened: {exc}") from exc
    try:
        raw, notes, *starts = build(store, **query)
    finally:
        store.close()
    frame, monthly = _validate(raw, "outcome", f"analytics store {path}")
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    ).hexdigest()
    return PanelData(frame, monthly, digest, f"store:{path}", *starts), notes


def read_store_panel(path: str | Path, **query) -> tuple[PanelData, tuple[str, ...]]:
    """Open the store at ``path`` read-only and build the validated municipality panel; also
    the notes (``query`` as for :func:`build_frame`; person-month panels:
    ``luotsi.evaluation.panel_person``)."""
    return read_with(build_frame, path, **query)
