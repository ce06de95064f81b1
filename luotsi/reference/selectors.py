"""Reads of reference data, always for a given date (membership is time-valid)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import (
    AreaMembership,
    EmploymentArea,
    Municipality,
    Pilot,
    PilotMembership,
    PostalCode,
    overlaps_q,
    valid_on_q,
)


def municipalities_on(day: dt.date) -> QuerySet[Municipality]:
    return Municipality.objects.filter(valid_on_q(day)).select_related("region")


def municipality(code: str) -> Municipality:
    return Municipality.objects.select_related("region", "merged_into").get(code=code.zfill(3))


def areas_on(day: dt.date) -> QuerySet[EmploymentArea]:
    return EmploymentArea.objects.filter(valid_on_q(day))


def area_of(municipality_code: str, day: dt.date) -> EmploymentArea | None:
    """The employment area the municipality belonged to on ``day`` (None before 2025 or Åland)."""
    m = (
        AreaMembership.objects.filter(
            valid_on_q(day), municipality__code=municipality_code.zfill(3)
        )
        .select_related("area")
        .first()
    )
    return m.area if m else None


def pilots_of(municipality_code: str, day: dt.date) -> list[Pilot]:
    """Pilots the municipality took part in on ``day`` (usually zero or one)."""
    return [
        m.pilot
        for m in PilotMembership.objects.filter(
            valid_on_q(day), municipality__code=municipality_code.zfill(3)
        ).select_related("pilot")
    ]


def members_of_area(area_code: str, day: dt.date) -> QuerySet[Municipality]:
    return Municipality.objects.filter(
        pk__in=AreaMembership.objects.filter(valid_on_q(day), area__code=area_code).values(
            "municipality"
        )
    ).order_by("name_fi")


def members_of_pilot(pilot_code: str, day: dt.date | None = None) -> QuerySet[PilotMembership]:
    qs = PilotMembership.objects.filter(pilot__code=pilot_code).select_related("municipality")
    if day is not None:
        qs = qs.filter(valid_on_q(day))
    return qs.order_by("municipality__name_fi")


def municipality_from_postal_code(postal_code: str) -> Municipality | None:
    p = PostalCode.objects.filter(code=postal_code.strip()).select_related("municipality").first()
    return p.municipality if p else None


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # "municipality" | "area" | "pilot"
    name: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    source: str
    code: str


def municipality_history(code: str) -> list[HistoryEntry]:
    """Everything dated about a municipality: its own validity, areas and pilots, oldest first."""
    m = municipality(code)
    entries = [HistoryEntry("municipality", m.name, m.valid_from, m.valid_to, "", "", m.code)]
    for am in AreaMembership.objects.filter(municipality=m).select_related("area"):
        entries.append(
            HistoryEntry(
                "area", am.area.name, am.valid_from, am.valid_to, am.status, am.source, am.area.code
            )
        )
    for pm in PilotMembership.objects.filter(municipality=m).select_related("pilot"):
        entries.append(
            HistoryEntry(
                "pilot",
                pm.pilot.name,
                pm.valid_from,
                pm.valid_to,
                pm.status,
                pm.source,
                pm.pilot.code,
            )
        )
    return sorted(entries, key=lambda e: (e.valid_from, e.kind))


def pilots_overlapping(start: dt.date, end: dt.date | None) -> QuerySet[Pilot]:
    return Pilot.objects.filter(overlaps_q(start, end))
