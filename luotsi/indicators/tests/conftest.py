"""Fixtures: a hand-made journey in Mikkelin seutu (area 23, small counts) and Helsinki (area 1,
larger counts), refreshed into an analytics store of the test's own, and users of every kind."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from luotsi.analytics.indicators import compute
from luotsi.analytics.store import Store
from luotsi.analytics.tests.journeys import Journeys, ListSource
from luotsi.core.models import Organisation, Unit
from luotsi.core.roles import Role
from luotsi.kernel.codes import OrganisationType

WINDOW = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
MIKKELI_AREA, HELSINKI_AREA = "23", "8"
TEAM_ID = 4242


@pytest.fixture(autouse=True)
def analytics_path(settings, tmp_path):
    from luotsi.indicators import selectors

    settings.ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.INDICATOR_LEVELS = ("municipality", "area", "country")
    settings.INDICATOR_PERIOD_TYPES = ("month",)
    selectors._suppressed_slice.cache_clear()
    yield settings.ANALYTICS_PATH
    selectors._suppressed_slice.cache_clear()


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are asserted in English (Finnish is the default language of the pages)."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def area_org(db):
    return Organisation.objects.create(
        name="Mikkelin seudun työllisyysalue",
        type=OrganisationType.EMPLOYMENT_AREA,
        employment_area_code=MIKKELI_AREA,
    )


@pytest.fixture
def team(area_org):
    return Unit.objects.create(pk=TEAM_ID, organisation=area_org, name="Tiimi A")


@pytest.fixture
def manager(make_user, area_org):
    return make_user(Role.AREA_MANAGEMENT, organisation=area_org, username="johto")


@pytest.fixture
def lead(make_user, area_org, team):
    return make_user(Role.TEAM_LEAD, organisation=area_org, unit=team, username="lead")


@pytest.fixture
def partner(make_user):
    org = Organisation.objects.create(
        name="Työpaja", type=OrganisationType.NGO, employment_area_code=MIKKELI_AREA
    )
    return make_user(Role.PARTNER_WORKER, organisation=org, username="partner")


@pytest.fixture
def outsider(make_user):
    org = Organisation.objects.create(
        name="Helsinki", type=OrganisationType.EMPLOYMENT_AREA, employment_area_code=HELSINKI_AREA
    )
    return make_user(Role.AREA_MANAGEMENT, organisation=org, username="helsinki")


@pytest.fixture
def evaluator(make_user, area_org):
    return make_user(Role.EVALUATOR, organisation=area_org, username="evaluator")


def journey(team_id: int) -> Journeys:
    """Mikkeli (491): 3 customers (small cells); Helsinki (091): 8 customers."""
    j = Journeys()
    j.register(1, 11, "2025-01-10", "491")
    j.add("responsibility.assigned", "2025-01-10", person=1, worker_id=900, team_id=team_id)
    j.register(2, 21, "2025-02-03", "491")
    j.add("responsibility.assigned", "2025-02-04", person=2, worker_id=900, team_id=team_id)
    j.register(3, 31, "2025-01-15", "491")
    j.exit(3, 31, "2025-03-05", "employed_open_market")
    for p in range(4, 12):
        j.register(p, p * 10 + 1, "2025-01-20", "091")
    j.exit(4, 41, "2025-04-10", "education")
    return j


@pytest.fixture
def source(team):
    return ListSource(journey(team.pk).table())


@pytest.fixture
def refreshed(manager, source):
    from luotsi.indicators import services

    start, end = WINDOW
    return services.refresh_store(actor=manager, source=source, start=start, end=end)


@pytest.fixture(scope="session")
def template_store(tmp_path_factory, django_db_setup, django_db_blocker):
    """The hand-made journey refreshed and computed once (month and quarter; municipality, area,
    country); tests that only read copy it into place with ``stocked``."""
    from luotsi.reference import exports as ref

    path = tmp_path_factory.mktemp("template") / "analytics.duckdb"
    with django_db_blocker.unblock():
        reference = {
            "municipalities": ref.municipality_rows(),
            "groups": ref.group_rows(),
            "memberships": ref.membership_rows(),
        }
    workers = [
        {"worker_id": 900, "team_id": TEAM_ID, "organisation_id": 1, "area_code": "23", "fte": 1.0}
    ]
    with Store(path) as store:
        store.load_reference(**reference, workers=workers)
        store.refresh(ListSource(journey(TEAM_ID).table()))
        for period in ("month", "quarter"):
            for level in ("municipality", "area", "country"):
                compute(store, None, level=level, period=period, start=WINDOW[0], end=WINDOW[1])
            from luotsi.analytics.indicators.team import compute_teams

            compute_teams(store, period=period, start=WINDOW[0], end=WINDOW[1])
        store.con.execute("CHECKPOINT")
    return path


@pytest.fixture
def stocked(template_store, analytics_path):
    shutil.copyfile(template_store, analytics_path)
    return analytics_path


@pytest.fixture
def reference_values(stocked, tmp_path):
    """The engine's answer (computed again on a copy of the store, not saved)."""
    copy = tmp_path / "engine.duckdb"
    shutil.copyfile(stocked, copy)
    store = Store(copy)

    def run(code, level="area", period="month"):
        out = compute(
            store, [code], level=level, period=period, start=WINDOW[0], end=WINDOW[1], save=False
        )
        return {
            (r["group_code"], r["period_start"]): r["value"]
            for r in out.to_pylist()
            if r["dimension"] == ""
        }

    yield run
    store.close()
