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


#: Further responsible workers without a login (two teams), so that caseloads are of a realistic
#: size: with the default 3,000 generated demo customers about a third are still job seekers
#: today, some 120 active customers for each of the eight workers.
COLLEAGUES = (
    ("Anna", "Rantanen", "Tiimi 1"),
    ("Mikko", "Kinnunen", "Tiimi 1"),
    ("Petri", "Hiltunen", "Tiimi 2"),
    ("Katja", "Leinonen", "Tiimi 2"),
    ("Timo", "Miettinen", "Tiimi 2"),
    ("Sari", "Ahonen", "Tiimi 2"),
)
WORKER_USERNAMES = ("vastuu", "vastuu2", *(f"vastuu{i}" for i in range(3, 3 + len(COLLEAGUES))))


def ensure_colleagues(area_org: Organisation) -> None:
    """The responsible workers of the demo area beyond the two who can log in."""
    for username, (first, last, team) in zip(WORKER_USERNAMES[2:], COLLEAGUES, strict=True):
        if User.objects.filter(username=username).exists():
            continue
        create_user(
            actor=None,
            username=username,
            password=None,
            roles=[Role.RESPONSIBLE_WORKER],
            organisation=area_org,
            unit=create_unit(actor=None, organisation=area_org, name=team),
            first_name=first,
            last_name=last,
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
    ensure_colleagues(area_org)
    return logins
