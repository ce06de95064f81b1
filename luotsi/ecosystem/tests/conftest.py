"""Fixtures: an employment area with a team and workers, a partner NGO with a worker, a customer
with a plan that has a service task, and an offering of the NGO."""

import datetime as dt

import pytest

from luotsi.core.models import Organisation, Unit
from luotsi.core.roles import Role
from luotsi.customers import services as casework
from luotsi.ecosystem.models import ServiceOffering
from luotsi.kernel.codes import OrganisationType


def hetu_with_check(stem: str) -> str:
    """Append the check character to DDMMYY-ZZZ (mod 31 table); 900-999 are never real people."""
    chars = "0123456789ABCDEFHJKLMNPRSTUVWXY"
    return stem + chars[int(stem[:6] + stem[7:10]) % 31]


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def area_org(db):
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
def colleague(make_user, area_org, team):
    return make_user(
        Role.RESPONSIBLE_WORKER, organisation=area_org, unit=team, username="colleague"
    )


@pytest.fixture
def lead(make_user, area_org, team):
    return make_user(Role.TEAM_LEAD, organisation=area_org, unit=team, username="lead")


@pytest.fixture
def other_area_worker(make_user):
    org = Organisation.objects.create(
        name="Helsingin työllisyysalue",
        type=OrganisationType.EMPLOYMENT_AREA,
        employment_area_code="9999",
    )
    return make_user(Role.RESPONSIBLE_WORKER, organisation=org, username="helsinki")


@pytest.fixture
def ngo(db):
    return Organisation.objects.create(
        name="Työpaja ry", type=OrganisationType.NGO, business_id="0201256-6"
    )


@pytest.fixture
def partner(make_user, ngo):
    return make_user(Role.PARTNER_WORKER, organisation=ngo, username="partner")


@pytest.fixture
def other_ngo(db):
    return Organisation.objects.create(name="Toinen ry", type=OrganisationType.NGO)


@pytest.fixture
def other_partner(make_user, other_ngo):
    return make_user(Role.PARTNER_WORKER, organisation=other_ngo, username="otherpartner")


@pytest.fixture
def register(worker):
    counter = {"n": 0}

    def make(**kw):
        counter["n"] += 1
        n = counter["n"]
        return casework.register_customer(
            actor=worker,
            personal_identity_code=hetu_with_check(f"{n:02d}0190-9{n:02d}"),
            first_name=kw.pop("first_name", "Aino"),
            last_name=kw.pop("last_name", f"Asiakas{n}"),
            registered_on=kw.pop("registered_on", dt.date(2025, 3, 3)),
            municipality_code="491",
            language_group="fi",
            phone="040 1234567",
            email=f"aino{n}@example.org",
            worker=worker,
            **kw,
        )

    return make


@pytest.fixture
def customer(register):
    return register(first_name="Aino", last_name="Virtanen")


@pytest.fixture
def service_task(worker, customer):
    plan = casework.save_plan(
        actor=worker,
        customer=customer,
        goal="Varastotyö",
        agreed=True,
        tasks=[{"kind": "service", "title": "Työpajajakso"}],
    )
    return plan.tasks.get()


@pytest.fixture
def offering(ngo):
    return ServiceOffering.objects.create(
        provider=ngo,
        name="Työpaja",
        name_en="Workshop",
        description="Kuntouttava työpaja",
        capacity=2,
        active_from=dt.date(2024, 1, 1),
        language="fi",
    )


@pytest.fixture
def consent(worker, customer, ngo):
    from luotsi.ecosystem import services

    return services.give_consent(
        actor=worker,
        customer=customer,
        recipient=ngo,
        purpose="service_referral",
        shared_fields=["name", "phone"],
    )
