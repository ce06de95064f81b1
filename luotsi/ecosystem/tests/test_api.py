"""The ecosystem API for workers, partners and customers: handovers and self-service steps, and an
adversarial sweep of every ecosystem endpoint in the OpenAPI schema and every page."""

import datetime as dt
import json

import pytest
from django.urls import get_resolver

from luotsi.core.models import PersonalDataRead
from luotsi.ecosystem import services
from luotsi.ecosystem.models import CustomerAccount, Handover, Referral
from luotsi.journey.models import JourneyEvent

pytestmark = pytest.mark.django_db
API = "/api/v1/ecosystem"
ACTIONS = ("send", "revoke", "accept", "reject", "start", "report", "complete", "interrupt",
           "decline", "cancel", "acknowledge")  # fmt: skip
BODY = {"reason": "x", "outcome": "employed", "text": "x", "on": "2025-03-10", "disputes": True,
        "recipient_id": 0, "purpose": "service_referral", "shared_fields": ["name"],
        "offering_id": 0, "send": True, "to_worker_id": 0}  # fmt: skip


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_customer_marks_a_task_done_and_disputes_a_report_through_the_api(
    client, worker, partner, customer, offering, service_task, consent, register, make_user
):
    referral = services.refer(actor=worker, customer=customer, offering=offering)
    services.accept_referral(actor=partner, referral=referral)
    report = services.report_progress(actor=partner, referral=referral, text="Poissa 3 päivää")
    other = register(last_name="Toinen")
    user = make_user(username="me")
    CustomerAccount.objects.create(user=user, customer=customer)
    c = login(client, user)
    me = c.get(f"{API}/me").json()
    assert me["responsible_worker"] == str(worker)
    assert me["referrals"][0]["reports"][0]["text"] == "Poissa 3 päivää"
    r = post(
        c, f"{API}/me/reports/{report.pk}/comment", {"text": "Olin sairaana", "disputes": True}
    )
    assert r.status_code == 201, r.content
    assert r.json()["disputes"] is True
    assert report.comments.get().disputes
    event = JourneyEvent.objects.get(kind="referral.report_commented", customer_id=customer.pk)
    assert event.payload["disputes"] is True
    assert post(c, f"{API}/me/reports/{report.pk}/comment", {"text": " "}).status_code == 422
    job = worker_plan_task(worker, customer)
    assert post(c, f"{API}/me/tasks/{job.pk}/done").json()["status"] == "done"
    assert post(c, f"{API}/me/tasks/{job.pk}/done").status_code == 422  # already done
    service = post(c, f"{API}/me/tasks/{service_task.pk}/done")
    assert service.status_code == 422 and "service is completed" in service.json()["detail"]
    service_task.refresh_from_db()
    assert service_task.status != "done"
    other_task = worker_plan_task(worker, other)
    assert post(c, f"{API}/me/tasks/{other_task.pk}/done").status_code == 404
    other_task.refresh_from_db()
    assert other_task.status == "planned"


def worker_plan_task(worker, customer):
    from luotsi.customers import services as casework

    enrolment = customer.open_enrolment()
    plan = getattr(enrolment, "plan", None)
    keep = (
        [{"id": t.pk, "kind": t.kind, "title": t.title} for t in plan.tasks.all()] if plan else []
    )
    plan = casework.save_plan(
        actor=worker,
        customer=customer,
        goal=plan.goal if plan else "Työ",
        agreed=True,
        tasks=[*keep, {"kind": "job_search", "title": f"Hae töitä {customer.last_name}"}],
    )
    return plan.tasks.get(kind="job_search", title__startswith="Hae töitä")


def test_handover_through_the_api_and_back_with_an_alert(client, worker, colleague, customer):
    w = login(client, worker)
    r = post(w, f"{API}/customers/{customer.pk}/handovers", {"to_worker_id": colleague.pk})
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    assert [h["id"] for h in w.get(f"{API}/handovers").json()["outbox"]] == [hid]
    again = post(w, f"{API}/customers/{customer.pk}/handovers", {"to_worker_id": colleague.pk})
    assert again.status_code == 422  # one open handover per customer
    col = login(client, colleague)
    inbox = col.get(f"{API}/handovers").json()["inbox"]
    assert [h["id"] for h in inbox] == [hid] and inbox[0]["customer"]["name"] == "Aino Virtanen"
    r = post(col, f"{API}/handovers/{hid}/decline", {"reason": "Täysi asiakasmäärä"})
    assert r.json()["status"] == "declined"
    w = login(client, worker)
    alerts = w.get(f"{API}/handovers").json()["alerts"]
    assert [a["id"] for a in alerts] == [hid] and alerts[0]["decline_reason"]
    assert customer.responsibilities.get(ends_at__isnull=True).worker == worker
    post(w, f"{API}/handovers/{hid}/acknowledge")
    assert w.get(f"{API}/handovers").json()["alerts"] == []
    # a second handover, accepted: responsibility moves in one instant
    hid = post(
        w, f"{API}/customers/{customer.pk}/handovers", {"to_worker_id": colleague.pk}
    ).json()["id"]
    col = login(client, colleague)
    assert post(col, f"{API}/handovers/{hid}/accept").json()["status"] == "accepted"
    assert customer.responsibilities.get(ends_at__isnull=True).worker == colleague


def _operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, ops in schema["paths"].items():
        if path.startswith((f"{API}/", "/api/v1/customers/")):
            for method in ops:
                yield method, path


def _pages(ids):
    """Every page URL of case work, the ecosystem, the partner portal and self-service."""
    out = []
    for top in get_resolver().url_patterns:
        prefix = str(top.pattern)
        if prefix not in ("customers/", "ecosystem/", "partner/", "me/"):
            continue
        for p in top.url_patterns:
            route = str(p.pattern)
            for name, value in ids.items():
                route = route.replace(f"<uuid:{name}>", str(value))
            if "<" not in route:
                out.append(f"/{prefix}{route}")
    return out


def sweep(client, ids, secrets, *, writes=True):
    """GET and POST every endpoint and page; return the (method, url, status) that leaked."""
    leaks = []
    urls = []
    for method, path in _operations(client):
        url = path
        for name, value in ids.items():
            url = url.replace(f"{{{name}}}", str(value))
        actions = ACTIONS if "{action}" in url else ("",)
        for action in actions:
            urls.append((method, url.replace("{action}", action)))
    urls += [(m, u) for u in _pages({"pk": ids["customer_id"], "meeting_pk": ids["meeting_id"]})
             for m in ("get", "post")]  # fmt: skip
    urls += [(m, f"/partner/referrals/{ids['referral_id']}/") for m in ("get", "post")]
    if not writes:
        urls = [(m, u) for m, u in urls if m == "get"]
    for method, url in urls:
        if method == "get":  # a search that would find her (pages echo the query itself)
            r = client.get(url, {"q": "Virt"})
        elif url.startswith("/api/"):
            r = getattr(client, method)(url, json.dumps(BODY), content_type="application/json")
        else:
            r = client.post(url, {"action": "accept", **BODY})
        body = r.content.decode()
        if any(s in body for s in secrets):
            leaks.append((method, url, r.status_code))
    assert len(urls) > 20
    return leaks


@pytest.fixture
def world(worker, colleague, customer, offering, service_task, consent, partner):
    """A customer with a sent referral to the NGO, a progress report, a handover to a colleague
    and a meeting: every kind of id an endpoint takes."""
    from luotsi.customers import services as casework

    referral = services.refer(actor=worker, customer=customer, offering=offering, task=service_task)
    services.accept_referral(actor=partner, referral=referral)
    report = services.report_progress(actor=partner, referral=referral, text="Hyvin menee")
    handover = services.request_handover(actor=worker, customer=customer, to_worker=colleague)
    meeting = casework.schedule_meeting(
        actor=worker, customer=customer, meeting_type="initial_interview", channel="phone",
        scheduled_for=dt.datetime(2025, 3, 4, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    return {
        "customer_id": customer.pk,
        "referral_id": referral.pk,
        "consent_id": consent.pk,
        "report_id": report.pk,
        "handover_id": handover.pk,
        "meeting_id": meeting.pk,
        "task_id": service_task.pk,
    }


def _frozen_state():
    return (
        JourneyEvent.objects.count(),
        list(Referral.objects.values_list("pk", "status")),
        list(Handover.objects.values_list("pk", "status")),
    )


def test_other_partner_reaches_nothing_through_any_endpoint_or_page(client, world, other_partner):
    before = _frozen_state()
    c = login(client, other_partner)
    secrets = ("Virtanen", "040 1234567", "aino1@example.org", "010190-901", "Varastotyö")
    assert sweep(c, world, secrets) == []
    assert _frozen_state() == before
    assert not PersonalDataRead.objects.filter(actor=other_partner).exists()


def test_partner_sees_only_consented_fields_everywhere(client, world, partner):
    """The consent shares name and phone: never the e-mail, identity code or plan goal, on any
    endpoint or page, whatever the method."""
    c = login(client, partner)
    assert sweep(c, world, ("aino1@example.org", "010190-901", "Varastotyö"), writes=False) == []
    # and the consented name is there (the sweep could have seen it)
    assert "Virtanen" in c.get(f"/partner/referrals/{world['referral_id']}/").content.decode()


def test_after_revocation_the_partner_reaches_nothing(client, world, worker, partner, consent):
    services.revoke_consent(actor=worker, consent=consent)
    before = _frozen_state()
    c = login(client, partner)
    secrets = ("Virtanen", "040 1234567", "aino1@example.org", "010190-901", "Varastotyö")
    reads_before = PersonalDataRead.objects.filter(actor=partner).count()
    assert sweep(c, world, secrets) == []
    assert _frozen_state() == before
    assert PersonalDataRead.objects.filter(actor=partner).count() == reads_before


def test_openapi_documents_worker_partner_and_customer_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        f"{API}/offerings",  # worker
        f"{API}/customers/{{customer_id}}/referrals",
        f"{API}/customers/{{customer_id}}/handovers",
        f"{API}/handovers/{{handover_id}}/{{action}}",
        f"{API}/partner/referrals/{{referral_id}}/{{action}}",  # partner
        f"{API}/me",  # customer
        f"{API}/me/tasks/{{task_id}}/done",
        f"{API}/me/reports/{{report_id}}/comment",
        "/api/v1/customers/{customer_id}/plan",
        "/api/v1/customers/queues",
    ):
        assert path in paths, path
