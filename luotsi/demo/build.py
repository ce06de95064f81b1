"""Build the demo: organisations, users and (when the apps exist) synthetic customers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luotsi.core.models import Organisation, User
from luotsi.core.services import create_organisation
from luotsi.customers.models import Customer
from luotsi.kernel.codes import OrganisationType
from luotsi.reference import selectors as reference

from .customers import build_customers
from .ecosystem import build_ecosystem
from .evaluation import build_evaluation
from .users import WORKER_USERNAMES, DemoLogin, ensure_area_organisation, ensure_users

#: The example area: Mikkeli's employment area (several municipalities of different sizes).
DEMO_MUNICIPALITY = "491"


@dataclass(frozen=True)
class DemoSummary:
    area_name: str
    logins: list[DemoLogin]


def build_demo(*, customers: int, stdout, password: str | None = None) -> DemoSummary:
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
        logins = ensure_users(area_org, partner, password)
    existing = Customer.objects.filter(area_code=area.code, synthetic=True).count()
    if existing < customers:
        workers = list(User.objects.filter(username__in=WORKER_USERNAMES).order_by("username"))
        members = list(
            reference.members_of_area(area.code, dt.date(2025, 1, 1)).values_list("code", flat=True)
        )
        stdout.write(f"Creating {customers - existing} demo customers with their journeys...")
        build_customers(
            workers=workers,
            municipalities=members,
            n=customers - existing,
            today=timezone.localdate(),
        )
    admin = User.objects.get(username="paakayttaja")
    partner_worker = User.objects.get(username="kumppani")
    workers = list(User.objects.filter(username__in=["vastuu", "vastuu2"]))
    customer_password = password or secrets.token_urlsafe(9)
    username = build_ecosystem(
        admin=admin,
        workers=workers,
        partner_worker=partner_worker,
        area_code=area.code,
        today=timezone.localdate(),
        password=customer_password,
    )
    if username:
        logins.append(DemoLogin(username, customer_password, None, _("Customer")))
    build_evaluation(stdout=stdout)
    return DemoSummary(area.name_fi, logins)
