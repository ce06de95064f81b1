"""Adversarial: a worker of another area (or a partner, or an evaluator) reaches no customer page,
form or API endpoint of this area, by GET or POST, and nothing is written."""

import uuid

import pytest
from django.urls import get_resolver

from luotsi.core.models import PersonalDataRead
from luotsi.core.roles import Role
from luotsi.customers.models import Meeting
from luotsi.journey.models import JourneyEvent

pytestmark = pytest.mark.django_db


def customer_urls(customer, meeting):
    """Every customers URL that takes a customer id, filled in for this customer."""
    resolver = get_resolver()
    out = []
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) != "customers/":
            continue
        for p in pattern.url_patterns:
            route = str(p.pattern)
            if "<uuid:pk>" not in route:
                continue
            out.append(
                "/customers/"
                + route.replace("<uuid:pk>", str(customer.pk)).replace(
                    "<uuid:meeting_pk>", str(meeting.pk)
                )
            )
    return out


@pytest.mark.parametrize("who", ["other_area", "partner", "evaluator"])
def test_no_page_or_endpoint_of_another_area(
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
    urls = customer_urls(c, m)
    assert len(urls) >= 12
    events_before = JourneyEvent.objects.count()
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(
            url,
            {
                "text": "x",
                "channel": "phone",
                "reason": "no_show",
                "held_on": "2025-03-04",
                "ended_on": "2025-03-04",
                "exit_reason": "unknown",
                "first_name": "X",
                "last_name": "Y",
                "municipality_code": "091",
                "preferred_language": "fi",
                "goal": "x",
                "applications_required": "4",
            },
        ).status_code in (404, 405), url
    assert client.get(f"/api/v1/customers/{c.pk}").status_code == 404
    assert client.get("/api/v1/customers/caseload").json() == []
    found = client.get(f"/customers/search/?q={c.last_name}")
    assert found.status_code in (403, 200)
    assert f"/customers/{c.pk}/" not in found.content.decode()
    assert JourneyEvent.objects.count() == events_before
    assert not PersonalDataRead.objects.filter(actor=user).exists()
    # the team view and rebalancing are closed too
    assert client.post(
        "/customers/team/rebalance/", {"customer": c.pk, "worker": user.pk}
    ).status_code in (403, 404)
    assert c.responsibilities.get(ends_at__isnull=True).worker == worker
    assert client.get(f"/customers/{uuid.uuid4()}/").status_code == 404
