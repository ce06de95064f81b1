"""Demo organisations and one user per role; passwords are random and printed once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from luotsi.core.models import Organisation, Unit, User
from luotsi.core.roles import Role
from luotsi.core.services import create_organisation, create_unit, create_user
from luotsi.kernel.codes import OrganisationType


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role | None
    organisation: str


DEMO_ROLES = (
    ("vastuu", Role.RESPONSIBLE_WORKER, "area", "Tiimi 1"),
    ("vastuu2", Role.RESPONSIBLE_WORKER, "area", "Tiimi 1"),
    ("tiiminveto", Role.TEAM_LEAD, "area", "Tiimi 1"),
    ("johto", Role.AREA_MANAGEMENT, "area", None),
    ("kumppani", Role.PARTNER_WORKER, "partner", None),
    ("arvioija", Role.EVALUATOR, "area", None),
    ("paakayttaja", Role.ADMINISTRATOR, "area", None),
)


def ensure_area_organisation(
    area_code: str, area_name: str, municipality_code: str
) -> Organisation:
    org = Organisation.objects.filter(
        type=OrganisationType.EMPLOYMENT_AREA, employment_area_code=area_code
    ).first()
    if org is None:
        org = create_organisation(
            actor=None,
            name=f"{area_name} työllisyysalue",
            name_sv=f"Sysselsättningsområdet {area_name}",
            name_en=f"{area_name} employment area",
            type=OrganisationType.EMPLOYMENT_AREA,
            employment_area_code=area_code,
            municipality_code=municipality_code,
        )
    return org


def ensure_users(
    area_org: Organisation, partner_org: Organisation, password: str | None = None
) -> list[DemoLogin]:
    """Create (or reset the password of) one demo user per role (random passwords by default)."""
    fixed = password
    logins = []
    for username, role, which, team in DEMO_ROLES:
        org = area_org if which == "area" else partner_org
        unit: Unit | None = create_unit(actor=None, organisation=org, name=team) if team else None
        password = fixed or secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first()
        if user is None:
            create_user(
                actor=None,
                username=username,
                password=password,
                roles=[role],
                organisation=org,
                unit=unit,
                first_name=username.capitalize(),
                last_name="Demo",
                is_staff=role is Role.ADMINISTRATOR,
                is_superuser=role is Role.ADMINISTRATOR,
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(DemoLogin(username, password, role, org.name))
    return logins
