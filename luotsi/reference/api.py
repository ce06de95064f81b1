"""Read-only JSON API of reference data (OpenAPI at /api/v1/docs)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from . import selectors
from .models import EmploymentArea, Municipality, Pilot

router = Router(tags=["reference"])


class MunicipalityOut(Schema):
    code: str
    name_fi: str
    name_sv: str
    region_code: str
    language_ratio: int
    valid_from: dt.date
    valid_to: dt.date | None
    merged_into: str | None

    @staticmethod
    def from_model(m: Municipality) -> MunicipalityOut:
        return MunicipalityOut(
            code=m.code,
            name_fi=m.name_fi,
            name_sv=m.name_sv,
            region_code=m.region.code,
            language_ratio=m.language_ratio,
            valid_from=m.valid_from,
            valid_to=m.valid_to,
            merged_into=m.merged_into.code if m.merged_into_id else None,
        )


class GroupOut(Schema):
    code: str
    name_fi: str
    name_sv: str
    name_en: str
    valid_from: dt.date
    valid_to: dt.date | None
    kind: str | None = None


class MembershipOut(Schema):
    municipality_code: str
    municipality_name: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    source: str


class MunicipalityContextOut(Schema):
    municipality: MunicipalityOut
    date: dt.date
    employment_area: GroupOut | None
    pilots: list[GroupOut]


def _group(g) -> GroupOut:
    return GroupOut(
        code=g.code,
        name_fi=g.name_fi,
        name_sv=g.name_sv,
        name_en=g.name_en,
        valid_from=g.valid_from,
        valid_to=g.valid_to,
        kind=getattr(g, "kind", None),
    )


def _date(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


@router.get("/municipalities", response=list[MunicipalityOut])
def list_municipalities(request, date: dt.date | None = None):
    """Municipalities valid on ``date`` (default today)."""
    qs = selectors.municipalities_on(_date(date)).select_related("merged_into").order_by("code")
    return [MunicipalityOut.from_model(m) for m in qs]


@router.get("/municipalities/{code}", response=MunicipalityContextOut)
def municipality_context(request, code: str, date: dt.date | None = None):
    """A municipality with its employment area and pilots on ``date``."""
    day = _date(date)
    try:
        m = selectors.municipality(code)
    except Municipality.DoesNotExist as exc:
        raise HttpError(404, f"no municipality with code {code}") from exc
    area = selectors.area_of(m.code, day)
    return MunicipalityContextOut(
        municipality=MunicipalityOut.from_model(m),
        date=day,
        employment_area=_group(area) if area else None,
        pilots=[_group(p) for p in selectors.pilots_of(m.code, day)],
    )


@router.get("/areas", response=list[GroupOut])
def list_areas(request, date: dt.date | None = None):
    return [_group(a) for a in selectors.areas_on(_date(date)).order_by("code")]


@router.get("/areas/{code}/members", response=list[MembershipOut])
def area_members(request, code: str, date: dt.date | None = None):
    """Member municipalities of an employment area on ``date``."""
    area = get_object_or_404(EmploymentArea, code=code)
    day = _date(date)
    rows = area.memberships.filter(municipality__in=selectors.members_of_area(code, day))
    return [
        MembershipOut(
            municipality_code=r.municipality.code,
            municipality_name=r.municipality.name_fi,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            status=r.status,
            source=r.source,
        )
        for r in rows.select_related("municipality").filter(valid_from__lte=day)
        if r.valid_on(day)
    ]


@router.get("/pilots", response=list[GroupOut])
def list_pilots(request):
    return [_group(p) for p in Pilot.objects.all()]


@router.get("/pilots/{code}/members", response=list[MembershipOut])
def pilot_members(request, code: str, date: dt.date | None = None):
    """All memberships of a pilot (or those valid on ``date``), with status and source."""
    get_object_or_404(Pilot, code=code)
    return [
        MembershipOut(
            municipality_code=r.municipality.code,
            municipality_name=r.municipality.name_fi,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            status=r.status,
            source=r.source,
        )
        for r in selectors.members_of_pilot(code, date)
    ]
