"""Build the demo: organisations, users and (when the apps exist) synthetic customers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from luotsi.core.models import Organisation
from luotsi.core.services import create_organisation
from luotsi.kernel.codes import OrganisationType
from luotsi.reference import selectors as reference

from .users import DemoLogin, ensure_area_organisation, ensure_users

#: The example area: Mikkeli's employment area (several municipalities of different sizes).
DEMO_MUNICIPALITY = "491"


@dataclass(frozen=True)
class DemoSummary:
    area_name: str
    logins: list[DemoLogin]


def build_demo(*, customers: int, stdout) -> DemoSummary:
    import datetime as dt

    area = reference.area_of(DEMO_MUNICIPALITY, dt.date(2025, 1, 1))
    with transaction.atomic():
        area_org = ensure_area_organisation(area.code, area.name_fi, DEMO_MUNICIPALITY)
        partner = Organisation.objects.filter(
            name="Työpaja Verso ry"
        ).first() or create_organisation(
            actor=None,
            name="Työpaja Verso ry",
            type=OrganisationType.NGO,
            employment_area_code=area.code,
            municipality_code=DEMO_MUNICIPALITY,
        )
        logins = ensure_users(area_org, partner)
    return DemoSummary(area.name_fi, logins)
