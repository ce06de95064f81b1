import datetime as dt

import pytest

from luotsi.core.models import PersonalDataRead
from luotsi.core.roles import Role
from luotsi.customers import services
from luotsi.customers.models import PlanVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, worker):
    client.force_login(worker)
    client.cookies["django_language"] = "en"
    return client


def test_register_through_the_form_and_see_the_case_file(signed_in, worker):
    data = {
        "personal_identity_code": "010190-900P",
        "first_name": "Aino",
        "last_name": "Virtanen",
        "postal_code": "50100",
        "registered_on": "2025-03-03",
        "language_group": "fi",
        "education_level": "tertiary",
    }
    bad = signed_in.post("/customers/new/", {**data, "personal_identity_code": "010190-900A"})
    assert (
        "wrong check character" in bad.content.decode() and 'role="alert"' in bad.content.decode()
    )
    response = signed_in.post("/customers/new/", data)
    assert response.status_code == 302
    page = signed_in.get(response.url).content.decode()
    assert "Virtanen Aino" in page and "Initial interview within 5 working days" in page
    assert PersonalDataRead.objects.filter(actor=worker, purpose="case_file").count() == 1
    again = signed_in.post("/customers/new/", data).content.decode()
    assert "already a customer" in again and "Open the existing customer" in again


def test_caseload_queues_and_saved_filter(signed_in, register):
    c = register(registered_on=dt.date(2025, 3, 3))
    page = signed_in.get("/customers/").content.decode()
    assert "New customers without an initial interview" in page and str(c) in page
    signed_in.post("/customers/filters/", {"name": "Työttömät", "query": "status=unemployed"})
    assert "Työttömät" in signed_in.get("/customers/").content.decode()


def test_plan_form_saves_versions_and_prints(signed_in, register):
    c = register()
    signed_in.post(
        f"/customers/{c.pk}/plan/",
        {
            "goal": "Varastotyö",
            "agreed": "on",
            "agreed_on": "2025-03-05",
            "applications_required": "4",
            "new_task_kind": "job_search",
            "new_task_title": "Hae töitä",
        },
    )
    task = c.plans.get().tasks.get()
    signed_in.post(
        f"/customers/{c.pk}/plan/",
        {
            "goal": "Varastotyö",
            "agreed": "on",
            "agreed_on": "2025-03-05",
            "applications_required": "3",
            f"task_{task.pk}": "done",
        },
    )
    assert PlanVersion.objects.filter(plan__customer=c).count() == 2
    printed = signed_in.get(f"/customers/{c.pk}/plan/print/?version=1").content.decode()
    assert "Varastotyö" in printed and "Hae töitä" in printed
    task.refresh_from_db()
    assert task.status == "done"


def test_assessment_form(signed_in, register):
    c = register()
    r = signed_in.post(
        f"/customers/{c.pk}/assessment/",
        {"assessed_on": "2025-03-05", "w_housing": "2", "c_housing": "3"},
    )
    assert r.status_code == 302
    assert "Housing" in signed_in.get(f"/customers/{c.pk}/").content.decode()


def test_other_area_and_partner_get_404(client, register, other_area_worker, make_user):
    c = register()
    client.force_login(other_area_worker)
    assert client.get(f"/customers/{c.pk}/").status_code == 404
    partner = make_user(Role.PARTNER_WORKER, organisation=other_area_worker.organisation)
    client.force_login(partner)
    assert client.get(f"/customers/{c.pk}/").status_code == 404
    assert client.get("/customers/search/?q=Aino").status_code == 403


def test_team_lead_rebalances(client, register, worker, make_user, area_org, team):
    c = register()
    lead = make_user(Role.TEAM_LEAD, organisation=area_org, unit=team)
    other = make_user(Role.RESPONSIBLE_WORKER, organisation=area_org, unit=team)
    client.force_login(lead)
    assert str(worker) in client.get("/customers/team/").content.decode()
    client.post("/customers/team/rebalance/", {"customer": c.pk, "worker": other.pk})
    assert services.__name__ and c.responsibilities.get(ends_at__isnull=True).worker == other


def test_api_is_scoped_and_logged(client, register, worker, other_area_worker):
    c = register()
    assert client.get("/api/v1/customers/caseload").status_code == 401
    client.force_login(worker)
    assert [r["id"] for r in client.get("/api/v1/customers/caseload").json()] == [str(c.pk)]
    data = client.get(f"/api/v1/customers/{c.pk}").json()
    assert data["deadlines"][0]["rule"] == "initial_interview"
    assert PersonalDataRead.objects.filter(purpose="api", customer_id=c.pk).count() == 1
    client.force_login(other_area_worker)
    assert client.get(f"/api/v1/customers/{c.pk}").status_code == 404


def test_edit_details_status_job_search_and_cancel(signed_in, register, worker):
    c = register()
    r = signed_in.post(
        f"/customers/{c.pk}/details/",
        {
            "first_name": "Aino",
            "last_name": c.last_name,
            "municipality_code": "999",
            "preferred_language": "sv",
        },
    )
    assert "Unknown municipality 999" in r.content.decode()
    signed_in.post(
        f"/customers/{c.pk}/details/",
        {
            "first_name": "Aino",
            "last_name": c.last_name,
            "municipality_code": "097",
            "preferred_language": "sv",
        },
    )
    c.refresh_from_db()
    assert c.municipality.code == "097" and c.preferred_language == "sv"
    signed_in.post(
        f"/customers/{c.pk}/status/", {"status": "in_service", "effective_on": "2025-04-01"}
    )
    assert c.open_enrolment().status == "in_service"
    signed_in.post(
        f"/customers/{c.pk}/job-search/",
        {"period_start": "2025-04-01", "period_end": "2025-04-30", "applications": "2"},
    )
    page = signed_in.get(f"/customers/{c.pk}/").content.decode()
    assert "2 / 4" in page and "below the obligation" in page
    bad = signed_in.post(
        f"/customers/{c.pk}/job-search/",
        {"period_start": "2025-05-31", "period_end": "2025-05-01", "applications": "2"},
        follow=True,
    )
    assert "ends before it starts" in bad.content.decode()
    m = services.schedule_meeting(
        actor=worker,
        customer=c,
        meeting_type="job_search_interview",
        channel="phone",
        scheduled_for=dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC),
    )
    signed_in.post(f"/customers/{c.pk}/meetings/{m.pk}/cancel/", {"reason": "no_show"})
    m.refresh_from_db()
    assert m.state == "cancelled" and m.cancel_reason == "no_show"


def test_rebalance_without_a_worker_says_so(client, register, make_user, area_org, team):
    c = register()
    lead = make_user(Role.TEAM_LEAD, organisation=area_org, unit=team)
    client.force_login(lead)
    client.cookies["django_language"] = "en"
    page = client.post(
        "/customers/team/rebalance/", {"customer": c.pk}, follow=True
    ).content.decode()
    assert "Choose the customer and the new responsible worker." in page
    page = client.post(
        "/customers/team/rebalance/", {"customer": c.pk, "worker": 999999}, follow=True
    ).content.decode()
    assert "Choose a worker of your own organisation." in page
