"""Reference data as plain rows for the analytics store (``ref_municipality``, ``ref_group``,
``ref_membership``; column names as in docs/analytics-store.md). ``valid_to`` is inclusive."""

from __future__ import annotations

from .models import AreaMembership, EmploymentArea, Municipality, Pilot, PilotMembership, Region


def municipality_rows() -> list[dict]:
    return [
        {
            "code": m.code,
            "name_fi": m.name_fi,
            "name_sv": m.name_sv,
            "region_code": m.region.code,
            "language_ratio": m.language_ratio,
            "valid_from": m.valid_from,
            "valid_to": m.valid_to,
        }
        for m in Municipality.objects.select_related("region").order_by("code")
    ]


def group_rows() -> list[dict]:
    rows = [
        {
            "group_type": "country",
            "group_code": "SSS",
            "name_fi": "Koko maa",
            "name_sv": "Hela landet",
            "name_en": "Whole country",
            "kind": None,
            "starts_on": None,
            "ends_on": None,
        }
    ]
    for r in Region.objects.order_by("code"):
        rows.append(
            {
                "group_type": "region",
                "group_code": r.code,
                "name_fi": r.name_fi,
                "name_sv": r.name_sv,
                "name_en": r.name_en,
                "kind": None,
                "starts_on": None,
                "ends_on": None,
            }
        )
    for a in EmploymentArea.objects.order_by("code"):
        rows.append(
            {
                "group_type": "area",
                "group_code": a.code,
                "name_fi": a.name_fi,
                "name_sv": a.name_sv,
                "name_en": a.name_en,
                "kind": None,
                "starts_on": a.valid_from,
                "ends_on": a.valid_to,
            }
        )
    for p in Pilot.objects.order_by("code"):
        rows.append(
            {
                "group_type": "pilot",
                "group_code": p.code,
                "name_fi": p.name_fi,
                "name_sv": p.name_sv,
                "name_en": p.name_en,
                "kind": p.kind,
                "starts_on": p.valid_from,
                "ends_on": p.valid_to,
            }
        )
    return rows


def membership_rows() -> list[dict]:
    rows = []
    for m in Municipality.objects.select_related("region"):
        rows.append(
            {
                "group_type": "region",
                "group_code": m.region.code,
                "municipality_code": m.code,
                "valid_from": m.valid_from,
                "valid_to": m.valid_to,
                "status": "classification",
                "source": "municipalities",
            }
        )
        rows.append(
            {
                "group_type": "country",
                "group_code": "SSS",
                "municipality_code": m.code,
                "valid_from": m.valid_from,
                "valid_to": m.valid_to,
                "status": "classification",
                "source": "municipalities",
            }
        )
    for qs, gtype, attr in (
        (AreaMembership.objects.select_related("area", "municipality"), "area", "area"),
        (PilotMembership.objects.select_related("pilot", "municipality"), "pilot", "pilot"),
    ):
        for m in qs:
            rows.append(
                {
                    "group_type": gtype,
                    "group_code": getattr(m, attr).code,
                    "municipality_code": m.municipality.code,
                    "valid_from": m.valid_from,
                    "valid_to": m.valid_to,
                    "status": m.status,
                    "source": m.source,
                }
            )
    return rows
