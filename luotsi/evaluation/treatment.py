"""Treatment start months from the reference data (time-valid pilot / area memberships) or an
explicit list, and their application to a panel.

A municipality's treatment starts in the month that contains the first day of its earliest
membership in the pilot or area (``valid_from``). Treatment is treated as absorbing: a
municipality that later leaves stays in its cohort (the staggered-adoption designs assume it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _

from luotsi.reference.models import AreaMembership, Municipality, PilotMembership

from .choices import TreatmentSource, UnitLevel
from .models import Evaluation
from .panel_file import PanelData, PanelFileError, month_index, month_label


@dataclass(frozen=True, slots=True)
class TreatedMunicipality:
    code: str
    name: str
    start: int  # month index


def treatment_starts(evaluation: Evaluation) -> tuple[TreatedMunicipality, ...] | None:
    """The treated municipalities and start months, or None when the panel file says them."""
    source = evaluation.treatment_source
    if source == TreatmentSource.PANEL:
        return None
    starts: dict[str, int] = {}
    if source == TreatmentSource.PILOT:
        if evaluation.pilot_id is None:
            raise ValueError(_("Choose the pilot whose municipalities are treated."))
        rows = PilotMembership.objects.filter(pilot_id=evaluation.pilot_id)
    elif source == TreatmentSource.PILOT_KIND:
        if not evaluation.pilot_kind:
            raise ValueError(_("Choose the kind of pilot whose municipalities are treated."))
        rows = PilotMembership.objects.filter(pilot__kind=evaluation.pilot_kind)
    elif source == TreatmentSource.AREA:
        if evaluation.area_id is None:
            raise ValueError(_("Choose the employment area whose municipalities are treated."))
        rows = AreaMembership.objects.filter(area_id=evaluation.area_id)
    else:
        rows = None
        for item in evaluation.treated_units or []:
            code, start = _explicit_item(item)
            starts[code] = min(starts.get(code, start), start)
    if rows is not None:
        for code, valid_from in rows.values_list("municipality__code", "valid_from"):
            starts[code] = min(starts.get(code, month_index(valid_from)), month_index(valid_from))
    if not starts:
        raise ValueError(_("The chosen treatment has no treated municipalities."))
    names = dict(Municipality.objects.filter(code__in=starts).values_list("code", "name_fi"))
    return tuple(
        TreatedMunicipality(code, names.get(code, code), start)
        for code, start in sorted(starts.items(), key=lambda kv: (kv[1], kv[0]))
    )


def _explicit_item(item) -> tuple[str, int]:
    try:
        code = str(item["unit"]).strip()
        start = dt.date.fromisoformat(f"{str(item['start']).strip()[:7]}-01")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            _('Each treated unit must look like {"unit": "491", "start": "2021-03"}.')
        ) from exc
    return code, month_index(start)


def apply_treatment(
    panel: PanelData, treated: tuple[TreatedMunicipality, ...] | None, unit_level: str
) -> pd.DataFrame:
    """The panel frame with ``first_treated`` set from ``treated`` (unchanged when None).

    The municipality of a row is its ``municipality`` column, else the unit (municipality level)
    or the cluster (person level).
    """
    frame = panel.frame
    if treated is None:
        return frame
    if not panel.monthly:
        raise PanelFileError(
            _("Treatment from the reference data needs monthly periods (time as YYYY-MM).")
        )
    if "municipality" in frame.columns:
        key = frame["municipality"]
    elif unit_level == UnitLevel.MUNICIPALITY:
        key = frame["unit"]
    elif "cluster" in frame.columns:
        key = frame["cluster"]
    else:
        raise PanelFileError(
            _("A person-level panel needs a municipality or cluster column to assign treatment.")
        )
    starts = {t.code: t.start for t in treated}
    out = frame.copy()
    out["first_treated"] = key.map(starts).fillna(0).to_numpy(dtype=float)
    return out


def store_query(evaluation: Evaluation) -> dict:
    """The analytics-store treatment groups of ``evaluation`` (pilot, pilot kind or area); an
    explicit list is applied to the store panel afterwards (all pilots then define nobody)."""
    source = evaluation.treatment_source
    if source == TreatmentSource.PANEL:
        raise ValueError(
            _(
                "A panel from the analytics store has no first_treated column of its own: take "
                "the treated units from a pilot, a pilot kind, an employment area or a list."
            )
        )
    if source == TreatmentSource.PILOT:
        if evaluation.pilot_id is None:
            raise ValueError(_("Choose the pilot whose municipalities are treated."))
        return {"group_type": "pilot", "group_codes": [evaluation.pilot.code]}
    if source == TreatmentSource.PILOT_KIND:
        if not evaluation.pilot_kind:
            raise ValueError(_("Choose the kind of pilot whose municipalities are treated."))
        return {"group_type": "pilot", "kind": evaluation.pilot_kind}
    if source == TreatmentSource.AREA:
        if evaluation.area_id is None:
            raise ValueError(_("Choose the employment area whose municipalities are treated."))
        return {"group_type": "area", "group_codes": [evaluation.area.code]}
    return {"group_type": "pilot", "group_codes": []}


def treated_in(
    frame: pd.DataFrame, starts: dict[str, int] | None = None
) -> tuple[TreatedMunicipality, ...]:
    """The treated municipalities of a store frame with their start months: ``starts`` when the
    panel builder gives them (person panels, whose cohorts may follow moves), else from the
    ``municipality`` column, which is the unit in a municipality panel and the person's
    municipality in a person-month panel."""
    if starts is None:
        key = "municipality" if "municipality" in frame.columns else "unit"
        units = frame.drop_duplicates(key)
        starts = {
            str(u): int(g) for u, g in zip(units[key], units["first_treated"], strict=True) if g > 0
        }
    names = dict(Municipality.objects.filter(code__in=starts).values_list("code", "name_fi"))
    return tuple(
        TreatedMunicipality(code, names.get(code, code), start)
        for code, start in sorted(starts.items(), key=lambda kv: (kv[1], kv[0]))
    )


def describe(treated: tuple[TreatedMunicipality, ...] | None) -> list[dict]:
    """JSON rows for the report: code, name and start month of each treated municipality."""
    if treated is None:
        return []
    return [{"code": t.code, "name": t.name, "start": month_label(t.start)} for t in treated]
