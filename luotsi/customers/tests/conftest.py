import datetime as dt

import pytest

from luotsi.core.models import Organisation, Unit
from luotsi.core.roles import Role
from luotsi.customers import services
from luotsi.kernel.codes import OrganisationType

# Valid-looking codes from the temporary range 900-999 (never a real person).
HETU = ["010190-900P", "020285-9012", "150370-902F", "311299-903C"]


def hetu_with_check(stem: str) -> str:
    """Append the check character to DDMMYY-ZZZ (mod 31 table)."""
    chars = "0123456789ABCDEFHJKLMNPRSTUVWXY"
    digits = stem[:6] + stem[7:10]
    return stem + chars[int(digits) % 31]


@pytest.fixture
def area_org(db):
    # Mikkelin seutu: Mikkeli 491 belongs to it from 1.1.2025
    from luotsi.reference.selectors import area_of

    area = area_of("491", dt.date(2025, 1, 1))
    return Organisation.objects.create(
        name="Mikkelin seudun työllisyysalue",
        type=OrganisationType.EMPLOYMENT_AREA,
        employment_area_code=area.code,
    )


@pytest.fixture
def team(area_org):
    return Unit.objects.create(organisation=area_org, name="Tiimi A")


@pytest.fixture
def worker(make_user, area_org, team):
    return make_user(Role.RESPONSIBLE_WORKER, organisation=area_org, unit=team, username="worker")


@pytest.fixture
def other_area_worker(make_user):
    org = Organisation.objects.create(
        name="Helsinki", type=OrganisationType.EMPLOYMENT_AREA, employment_area_code="1"
    )
    return make_user(Role.RESPONSIBLE_WORKER, organisation=org, username="helsinki")


@pytest.fixture
def register(worker):
    counter = {"n": 0}

    def make(registered_on=dt.date(2025, 3, 3), actor=None, **kw):
        counter["n"] += 1
        stem = f"{counter['n']:02d}0190-9{counter['n']:02d}"
        return services.register_customer(
            actor=actor or worker,
            personal_identity_code=kw.pop("hetu", hetu_with_check(stem)),
            first_name=kw.pop("first_name", "Aino"),
            last_name=kw.pop("last_name", f"Asiakas{counter['n']}"),
            registered_on=registered_on,
            municipality_code=kw.pop("municipality_code", "491"),
            language_group="fi",
            **kw,
        )

    return make


@pytest.fixture(autouse=True)
def english():
    """Service error messages are asserted in English (Finnish is the default language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
