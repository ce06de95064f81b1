"""Organisations with a validated business ID (Y-tunnus) and alliances with pooled budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from luotsi.core import services as core
from luotsi.core.models import AuditEntry, Organisation
from luotsi.core.roles import Role
from luotsi.core.validators import normalise_business_id
from luotsi.ecosystem import selectors, services
from luotsi.ecosystem.errors import EcosystemError
from luotsi.ecosystem.models import Alliance, AllianceMember
from luotsi.kernel.codes import OrganisationType

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0201256-5", "wrong check digit"),
        ("201256-6", "not of the form 1234567-8"),
        ("02012566X", "not of the form 1234567-8"),
    ],
)
def test_bad_business_id_is_refused_with_the_reason_and_writes_nothing(value, message):
    with pytest.raises(ValidationError, match=message):
        core.create_organisation(
            actor=None, name="Yritys Oy", type=OrganisationType.COMPANY, business_id=value
        )
    assert not Organisation.objects.filter(name="Yritys Oy").exists()


def test_good_business_id_is_kept_normalised():
    assert normalise_business_id(" 0201256-6 ") == "0201256-6"
    org = core.create_organisation(
        actor=None, name="Yritys Oy", type=OrganisationType.COMPANY, business_id="0201256-6"
    )
    assert org.business_id == "0201256-6"


def test_alliance_pools_budgets_for_its_period(make_user, ngo, client):
    area = Organisation.objects.create(
        name="Alue", type=OrganisationType.EMPLOYMENT_AREA, employment_area_code="14"
    )
    admin = make_user(Role.ADMINISTRATOR, organisation=area, username="admin")
    alliance = services.create_alliance(
        actor=admin,
        name="Nuorten allianssi",
        area_code="14",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        members=[
            {"organisation": area, "budget_eur": Decimal("120000"), "person_years": Decimal("2")},
            {"organisation": ngo, "budget_eur": Decimal("30000.50"), "person_years": Decimal("0.5"),
             "resources": "Työpajapaikat"},
        ],
    )  # fmt: skip
    assert AuditEntry.objects.filter(action="create", summary="Nuorten allianssi").exists()
    row = selectors.alliances(dt.date(2025, 6, 1)).get(pk=alliance.pk)
    assert row.total_budget_eur == Decimal("150000.50") and row.total_person_years == Decimal("2.5")
    assert not selectors.alliances(dt.date(2027, 1, 1)).filter(pk=alliance.pk).exists()
    assert not selectors.alliances(dt.date(2024, 12, 31)).filter(pk=alliance.pk).exists()
    worker = make_user(Role.RESPONSIBLE_WORKER, organisation=area, username="w")
    client.force_login(worker)
    client.cookies["django_language"] = "en"
    page = client.get("/ecosystem/alliances/").content.decode()
    assert "Nuorten allianssi" in page and "Pooled in total" in page, page[-3000:]
    assert "150000.50" in page.replace(",", "").replace("\xa0", ""), page[-3000:]


def test_alliance_rules_write_nothing(make_user, ngo):
    worker = make_user(Role.RESPONSIBLE_WORKER, organisation=ngo, username="w2")
    with pytest.raises(EcosystemError):
        services.create_alliance(actor=worker, name="X", starts_on=dt.date(2025, 1, 1))
    admin = make_user(Role.ADMINISTRATOR, organisation=ngo, username="a2")
    with pytest.raises(ValidationError):
        services.create_alliance(
            actor=admin,
            name="Y",
            starts_on=dt.date(2025, 1, 1),
            members=[{"organisation": ngo, "budget_eur": Decimal("-1")}],
        )
    with pytest.raises(ValidationError):
        services.create_alliance(
            actor=admin, name="Z", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2024, 1, 1)
        )
    assert not Alliance.objects.exists() and not AllianceMember.objects.exists()
