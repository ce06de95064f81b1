"""Person-month evaluation panels from the analytics store, as :class:`PanelData`.

One row per (pseudonymised) person and month, built from the journey log by
``luotsi.analytics.person_panels.person_month_panel``. Outcomes on each counting day (the last day
of the month), 0/1: ``unemployed``, ``registered`` (in any spell), ``employed`` (registered as
employed, or since an exit to employment / subsidised work and not re-registered) and
``left_unemployment`` (unemployed on the previous counting day, not on this one).

A person's municipality is the one at the registration that puts the person in the panel
(harmonised to the latest municipal division); the person's cohort is that municipality's
treatment start from the same ``panels.treatment_cohorts`` as the municipality panels (counting-day
rule, legal start, mergers, cohorts built with ``anticipation=0``: the estimators apply the
evaluation's anticipation). Persons without a municipality at registration are left out (their
treatment is unknown). The ``cluster`` column follows the evaluation's cluster level like the
municipality panels: the treating pilot or area (untreated municipalities are their own cluster),
or the municipality. Treatment is assigned by municipality, so person-level inference (cluster
level "unit") is noted as too optimistic.

With the move rule ``residence`` the cohort follows the person's municipality of residence
month by month instead (:func:`luotsi.evaluation.person_design.residence_cohorts`); the
``municipality`` column (and the cluster) stay the municipality at registration. Chosen person
covariates become indicator columns ``x_<name>=<level>``
(:func:`luotsi.evaluation.person_design.indicator_columns`). An explicit list of treated
municipalities (``starts``) replaces the store's memberships, by either rule.

Summed over the persons of a municipality, ``unemployed`` and ``registered`` equal the
municipality panel's ``unemployed_customers`` and ``customers`` when nobody moves between
municipalities (the municipality panel counts by residence on the counting day); tested.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from luotsi.analytics import panels, person_panels
from luotsi.analytics.panels import PERSON_OUTCOMES
from luotsi.analytics.store import Store

from . import person_design
from .panel_file import PanelData
from .panel_store import CLUSTER_BY, StorePanelError, read_with, store_cohorts

MOVE_RULES = ("registration", "residence")
NO_MUNICIPALITY = "persons have no municipality at registration"
#: Panel notes of this module (their translations are in :mod:`luotsi.evaluation.notes`).
LEFT_OUT = "{n} persons without a municipality at registration were left out"
NOT_CLUSTERED = (
    "treatment is assigned by municipality but the standard errors are not clustered: "
    "they are too small; choose the municipality or cluster level"
)


def _clusters(munis: np.ndarray, cohorts: panels.Cohorts, cluster_by: str) -> np.ndarray:
    if cluster_by == "municipality":
        return munis.astype(str)
    group_of = cohorts.group_of
    return np.array([group_of.get(m, f"municipality:{m}") for m in munis], dtype=object)


def build_person_frame(
    store: Store,
    *,
    outcome: str,
    start: str,
    end: str,
    group_type: str = "pilot",
    group_codes: list[str] | None = None,
    kind: str | None = None,
    cluster_level: str = "cluster",
    move_rule: str = "registration",
    covariates: Sequence[str] = (),
    starts: Mapping[str, int] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...], dict[str, int]]:
    """The raw person x month rows (unit, time, first_treated, outcome, cluster, municipality,
    and the ``x_`` covariate columns), unit-major and time-minor, the panel notes, and the
    treatment start of every treated municipality where a panel person lived, before
    validation. ``starts`` (municipality -> month index) replaces the store's memberships."""
    if outcome not in PERSON_OUTCOMES:
        raise StorePanelError(
            f"analytics store: outcome {outcome!r} is not in the person-month panel "
            f"(choose one of {', '.join(PERSON_OUTCOMES)})"
        )
    if move_rule not in MOVE_RULES:
        raise StorePanelError(f"move rule {move_rule!r}: expected one of {', '.join(MOVE_RULES)}")
    unknown = sorted(set(covariates) - set(person_design.COVARIATES))
    if unknown:
        raise StorePanelError(f"unknown person covariates {unknown}")
    if starts is None:
        cohorts = store_cohorts(store, group_type=group_type, group_codes=group_codes, kind=kind)
    else:
        cohorts = panels.Cohorts(dict(starts), {}, 0)
    try:
        panel = person_panels.person_month_panel(store, start, end, cohorts)
    except panels.PanelBuildError as exc:
        raise StorePanelError(f"analytics store: {exc}") from exc
    keep = panel.municipality != ""
    notes = [n for n in panel.notes if not n.endswith(NO_MUNICIPALITY)]
    if not keep.all():
        notes.append(LEFT_OUT.format(n=int((~keep).sum())))
    if cluster_level == "unit":
        notes.append(NOT_CLUSTERED)
    if not keep.any():
        raise StorePanelError("analytics store: no person in the panel has a municipality")
    n_t = panel.times.shape[0]
    munis = panel.municipality[keep].astype(str)
    person_ids = panel.person_id[keep]
    cohort = panel.cohort[keep].astype(np.int64)
    lived = set(munis)
    if move_rule == "residence":
        start_of = {m: cohorts.first_treated(m) for m in cohorts.treatment_start}
        merges = panels.merge_map(store)
        cohort = person_design.residence_cohorts(store.con, person_ids, munis, start_of, merges)
        lived |= _residences(store, person_ids, merges)
    ids = np.char.mod("%d", person_ids)
    clusters = _clusters(munis, cohorts, CLUSTER_BY.get(cluster_level, "group"))
    frame = pd.DataFrame(
        {
            "unit": np.repeat(ids, n_t).astype(object),
            "time": np.tile(panel.times.astype(float), len(ids)),
            "first_treated": np.repeat(cohort.astype(float), n_t),
            "outcome": panel.outcomes[outcome][keep].reshape(-1).astype(float),
            "cluster": np.repeat(clusters, n_t),
            "municipality": np.repeat(munis, n_t).astype(object),
        }
    )
    if covariates:
        t0, t1 = int(panel.times[0]), int(panel.times[-1])
        levels = person_design.covariate_levels(store.con, person_ids, t0, t1)
        columns, cov_notes = person_design.indicator_columns(levels, covariates, cohort)
        notes.extend(cov_notes)
        for name, values in columns.items():
            frame[name] = np.repeat(values, n_t)
    treated = {m: cohorts.first_treated(m) for m in sorted(lived) if cohorts.first_treated(m)}
    return frame, tuple(notes), treated


def _residences(store: Store, person_ids: np.ndarray, merges: Mapping[str, str]) -> set[str]:
    """Every (harmonised) municipality where the persons lived, from ``person_locations``."""
    rows = person_design.with_ids(
        store.con,
        person_ids,
        "SELECT DISTINCT l.municipality_code AS m FROM _eval_ids JOIN person_locations l "
        "USING (person_id)",
    )
    return {merges.get(m, m) for m in rows["m"] if m}


def read_person_panel(path: str | Path, **query) -> tuple[PanelData, tuple[str, ...]]:
    """Open the store at ``path`` read-only and build the validated person-month panel; also
    the notes (``query`` as for :func:`build_person_frame`)."""
    return read_with(build_person_frame, path, **query)
