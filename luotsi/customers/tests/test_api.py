"""The case-work JSON API: every step a worker takes in the pages, scoped, logged and validated;
and the read log records who, when, which customer and which page or endpoint."""

import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction

from luotsi.core.models import PersonalDataRead
from luotsi.core.roles import Role
from luotsi.customers.models import Customer, Meeting, PlanVersion
from luotsi.journey.models import JourneyEvent

from .conftest import hetu_with_check

pytestmark = pytest.mark.django_db
API = "/api/v1/customers"


@pytest.fixture(autouse=True)
def english_requests(client):
    client.cookies["django_language"] = "en"


def post(client, url, data, method="post"):
    return getattr(client, method)(
        url, json.dumps(data, default=str), content_type="application/json"
    )


def kinds(customer_pk):
    return list(
        JourneyEvent.objects.filter(customer_id=customer_pk)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_a_worker_does_the_whole_case_work_through_the_api(client, worker):
    client.force_login(worker)
    hetu = hetu_with_check("120388-951")
    assert client.get(f"{API}/search", {"q": hetu}).json() == []  # search before create
    r = post(
        client,
        f"{API}/",
        {
            "personal_identity_code": hetu,
            "first_name": "Aino",
            "last_name": "Rajapinta",
            "registered_on": "2025-03-03",
            "postal_code": "50100",
        },
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert r.json()["municipality_code"] == "491"
    assert [c["id"] for c in client.get(f"{API}/search", {"q": "Rajapinta"}).json()] == [cid]
    again = post(
        client,
        f"{API}/",
        {
            "personal_identity_code": hetu,
            "first_name": "A",
            "last_name": "B",
            "registered_on": "2025-03-03",
            "postal_code": "50100",
        },
    )
    assert again.status_code == 409 and again.json()["existing_id"] == cid
    assert Customer.objects.count() == 1

    queues = client.get(f"{API}/queues").json()
    assert [i["customer_id"] for i in queues["new_without_interview"]] == [cid]

    m = post(
        client,
        f"{API}/{cid}/meetings",
        {
            "meeting_type": "initial_interview",
            "channel": "in_person",
            "scheduled_for": "2025-03-05T09:00:00+00:00",
        },
    )
    assert m.status_code == 201
    held = post(client, f"{API}/{cid}/meetings/{m.json()['id']}/held", {"held_on": "2025-03-05"})
    assert held.json()["state"] == "held"

    for day, housing in (("2025-03-05", 2), ("2025-09-05", 4)):
        r = post(
            client,
            f"{API}/{cid}/assessments",
            {"assessed_on": day, "worker_scores": {"housing": housing}},
        )
        assert r.status_code == 201
    rows = {r["dimension"]: r for r in client.get(f"{API}/{cid}/assessments").json()}
    assert rows["housing"]["worker_change"] == 2

    plan = post(
        client,
        f"{API}/{cid}/plan",
        {
            "goal": "Varastotyö",
            "agreed": True,
            "agreed_on": "2025-03-05",
            "applications_required": 4,
            "tasks": [{"kind": "job_search", "title": "Hae 4 työpaikkaa"}],
        },
        method="put",
    ).json()
    assert plan["version"] == 1 and plan["tasks"][0]["status"] == "planned"
    task = plan["tasks"][0]["id"]
    plan = post(
        client,
        f"{API}/{cid}/plan",
        {
            "goal": "Varastotyö",
            "agreed": True,
            "agreed_on": "2025-03-05",
            "tasks": [
                {"id": task, "kind": "job_search", "title": "Hae 4 työpaikkaa", "status": "done"}
            ],
        },
        method="put",
    ).json()
    assert plan["version"] == 2 and plan["tasks"][0]["status"] == "done"
    assert PlanVersion.objects.filter(plan__customer_id=cid).count() == 2
    assert client.get(f"{API}/{cid}/plan").json()["version"] == 2

    assert (
        post(client, f"{API}/{cid}/contacts", {"channel": "phone", "text": "x"}).status_code == 201
    )
    r = post(client, f"{API}/{cid}/exit", {"ended_on": "2025-10-01", "exit_reason": "education"})
    assert r.status_code == 200
    r = post(client, f"{API}/{cid}/reregister", {"registered_on": "2025-12-01"})
    assert r.status_code == 201
    assert Customer.objects.get(pk=cid).enrolments.count() == 2  # history kept
    assert kinds(cid).count("customer.registered") == 2
    assert {
        "meeting.held",
        "assessment.recorded",
        "plan.saved",
        "contact.recorded",
        "customer.exited",
    } <= set(kinds(cid))


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("exit", {"ended_on": "2025-03-01", "exit_reason": "education"}, "cannot end before"),
        ("exit", {"ended_on": "2025-04-01", "exit_reason": "lottery"}, "exit reason"),
        (
            "assessments",
            {"assessed_on": "2025-03-05", "worker_scores": {"housing": 7}},
            "between 1 and 5",
        ),
        ("reregister", {"registered_on": "2025-04-01"}, "already has an open"),
    ],
)
def test_bad_input_is_422_with_the_reason_and_writes_nothing(
    client, worker, register, path, data, message
):
    c = register(registered_on=dt.date(2025, 3, 3))
    client.force_login(worker)
    before = JourneyEvent.objects.count()
    r = post(client, f"{API}/{c.pk}/{path}", data)
    assert r.status_code == 422 and message in r.json()["detail"]
    assert JourneyEvent.objects.count() == before
    assert c.open_enrolment().ended_on is None


def test_unknown_municipality_and_bad_identity_code_write_nothing(client, worker):
    client.force_login(worker)
    base = {"first_name": "A", "last_name": "B", "registered_on": "2025-03-03"}
    r = post(
        client,
        f"{API}/",
        {
            **base,
            "personal_identity_code": hetu_with_check("010190-955"),
            "municipality_code": "999",
        },
    )
    assert r.status_code == 422 and "municipality" in r.json()["detail"]
    r = post(
        client,
        f"{API}/",
        {**base, "personal_identity_code": "010190-955A", "municipality_code": "491"},
    )
    assert r.status_code == 422 and "check character" in r.json()["detail"]
    assert Customer.objects.count() == 0 and JourneyEvent.objects.count() == 0


def test_team_lead_reassigns_through_the_api(client, register, worker, make_user, area_org, team):
    c = register()
    other = make_user(Role.RESPONSIBLE_WORKER, organisation=area_org, unit=team)
    client.force_login(worker)
    assert post(client, f"{API}/{c.pk}/responsible", {"worker_id": other.pk}).status_code == 403
    lead = make_user(Role.TEAM_LEAD, organisation=area_org, unit=team)
    client.force_login(lead)
    assert post(client, f"{API}/{c.pk}/responsible", {"worker_id": other.pk}).status_code == 200
    assert c.responsibilities.get(ends_at__isnull=True).worker == other


def _customer_endpoints(client):
    """Every case-work API operation from the OpenAPI schema (so a new endpoint is covered)."""
    schema = client.get("/api/v1/openapi.json").json()
    for path, ops in schema["paths"].items():
        if path.startswith(f"{API}/"):
            for method in ops:
                yield method, path


@pytest.mark.parametrize("who", ["other_area", "partner", "evaluator"])
def test_no_api_endpoint_reaches_a_customer_of_another_area(
    client, register, worker, other_area_worker, make_user, who
):
    c = register()
    m = Meeting.objects.create(
        customer=c,
        enrolment=c.open_enrolment(),
        meeting_type="initial_interview",
        channel="phone",
        scheduled_for="2025-03-04T09:00Z",
        worker=worker,
    )
    user = {
        "other_area": other_area_worker,
        "partner": make_user(Role.PARTNER_WORKER, organisation=other_area_worker.organisation),
        "evaluator": make_user(Role.EVALUATOR, organisation=worker.organisation),
    }[who]
    client.force_login(user)
    ops = list(_customer_endpoints(client))
    assert len(ops) >= 14
    body = {
        "held_on": "2025-03-04",
        "reason": "no_show",
        "ended_on": "2025-03-04",
        "exit_reason": "unknown",
        "channel": "phone",
        "text": "x",
        "goal": "x",
        "agreed": False,
        "registered_on": "2025-06-01",
        "worker_id": user.pk,
        "assessed_on": "2025-03-05",
        "worker_scores": {"housing": 2},
        "meeting_type": "initial_interview",
        "scheduled_for": "2025-03-04T09:00:00Z",
        "personal_identity_code": c.personal_identity_code,
        "first_name": "X",
        "last_name": "Y",
        "municipality_code": "491",
    }
    before = JourneyEvent.objects.count()
    for method, path in ops:
        url = path.replace("{customer_id}", str(c.pk)).replace("{meeting_id}", str(m.pk))
        if method == "get":
            r = client.get(url, {"q": c.last_name})
        else:
            r = post(client, url, body, method=method)
        if "{customer_id}" in path:
            assert r.status_code in (403, 404), (method, url, r.status_code)
        else:  # search, queues, caseload, register: nothing of this customer
            assert r.status_code in (200, 403, 409), (method, url, r.status_code)
            assert str(c.pk) not in r.content.decode(), (method, url)
    assert JourneyEvent.objects.count() == before
    assert not PersonalDataRead.objects.filter(actor=user).exists()
    assert c.responsibilities.get(ends_at__isnull=True).worker == worker


def test_read_log_names_who_when_which_customer_and_which_view(client, register, worker):
    c = register()
    client.force_login(worker)
    start = dt.datetime.now(dt.UTC)
    client.get(f"/customers/{c.pk}/")
    client.get(f"/customers/{c.pk}/plan/print/")
    client.get(f"{API}/{c.pk}")
    rows = list(PersonalDataRead.objects.filter(customer_id=c.pk).order_by("id"))
    assert [(r.actor, r.purpose) for r in rows] == [
        (worker, "case_file"),
        (worker, "plan_print"),
        (worker, "api"),
    ]
    assert all(r.at >= start for r in rows)
    assert [r.view for r in rows[:2]] == ["customers:detail", "customers:plan_print"]
    assert rows[2].view.endswith("customer_detail")
    assert [r.path for r in rows] == [
        f"GET /customers/{c.pk}/",
        f"GET /customers/{c.pk}/plan/print/",
        f"GET {API}/{c.pk}",
    ]
    # still append-only after the new columns were added
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_personaldataread SET view = 'x'")


def test_search_results_are_logged_as_reads(client, register, worker):
    c = register(last_name="Hakutulos")
    client.force_login(worker)
    client.get("/customers/search/", {"q": "Hakutulos"})
    client.get(f"{API}/search", {"q": "Hakutulos"})
    client.get("/customers/search/", {"q": "Eiloydy"})
    rows = PersonalDataRead.objects.filter(customer_id=c.pk).order_by("id")
    assert [(r.purpose, r.view) for r in rows] == [
        ("search", "customers:search"),
        ("api_search", rows[1].view),
    ]
    assert rows[0].fields == ["birth_date", "municipality", "name"]
    assert rows[1].view.endswith("search")


def test_read_outside_a_request_has_no_view(register, worker):
    from luotsi.core.services import log_personal_data_read

    c = register()
    row = log_personal_data_read(actor=worker, customer_id=c.pk, purpose="export")
    assert row.view is None and row.path is None


def test_every_rule_description_is_marked_for_translation():
    from luotsi.customers.views.customer import RULE_DESCRIPTIONS
    from luotsi.kernel import service_model as sm

    assert {r.description for r in sm.rules()} <= set(RULE_DESCRIPTIONS)
