"""Pages and API: the whole flow in the browser, and adversarial checks that a partner sees a
customer only with an active consented referral, only the consented fields, on every URL."""

import json

import pytest

from luotsi.core.models import PersonalDataRead
from luotsi.ecosystem import services
from luotsi.ecosystem.models import CustomerAccount, Referral

pytestmark = pytest.mark.django_db

# Data of the customer that a consent to ["name", "phone"] must never reveal to a partner.
SECRETS = ("aino1@example.org", "Varastotyö", "010190-901")


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def partner_urls(referral_id) -> list[str]:
    """Every partner-facing GET URL (pages and API) that could show a referred customer."""
    return [
        "/partner/",
        f"/partner/referrals/{referral_id}/",
        "/api/v1/ecosystem/partner/referrals",
        f"/api/v1/ecosystem/partner/referrals/{referral_id}",
        "/ecosystem/handovers/",
    ]


def visible(client, referral_id, text: str) -> list[str]:
    return [u for u in partner_urls(referral_id) if text in client.get(u).content.decode()]


def test_browser_flow_worker_partner_customer(
    client, worker, partner, customer, offering, service_task, ngo, make_user
):
    w = login(client, worker)
    assert "Workshop" in w.get(f"/ecosystem/?q=paja&customer={customer.pk}").content.decode()
    page = f"/ecosystem/customers/{customer.pk}/"
    blocked = w.post(
        page,
        {
            "action": "refer",
            "referral-offering": offering.pk,
            "referral-task": str(service_task.pk),
            "referral-send_now": "on",
        },
    ).content.decode()
    assert 'role="alert"' in blocked and "consent" in blocked and not Referral.objects.exists()
    w.post(
        page,
        {
            "action": "consent",
            "consent-recipient": ngo.pk,
            "consent-purpose": "service_referral",
            "consent-shared_fields": ["name", "phone"],
        },
    )
    r = w.post(
        page,
        {
            "action": "refer",
            "referral-offering": offering.pk,
            "referral-task": str(service_task.pk),
            "referral-send_now": "on",
        },
    )
    assert r.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == "sent"

    p = login(client, partner)
    queue = p.get("/partner/").content.decode()
    assert "Aino Virtanen" in queue
    url = f"/partner/referrals/{referral.pk}/"
    detail = p.get(url).content.decode()
    assert "040 1234567" in detail and not any(s in detail for s in SECRETS)
    p.post(url, {"action": "accept"})
    p.post(url, {"action": "start", "start-started_on": "2025-03-10"})
    p.post(
        url, {"action": "report", "report-reported_on": "2025-03-20", "report-text": "Aktiivinen"}
    )
    bad = p.post(
        url, {"action": "complete", "complete-outcome": "famous", "complete-ended_on": "2025-04-01"}
    )
    assert 'role="alert"' in bad.content.decode()
    p.post(
        url,
        {"action": "complete", "complete-outcome": "employed", "complete-ended_on": "2025-04-01"},
    )
    referral.refresh_from_db()
    service_task.refresh_from_db()
    assert referral.status == "completed" and service_task.status == "done"

    w = login(client, worker)
    assert "Completed" in w.get(page).content.decode()
    assert "Done" in w.get(f"/customers/{customer.pk}/plan/").content.decode()

    me_user = make_user(username="aino")
    CustomerAccount.objects.create(user=me_user, customer=customer)
    m = login(client, me_user)
    mine = m.get("/me/").content.decode()
    assert "Workshop" in mine or "Työpaja" in mine
    assert "Completed" in mine and "Aktiivinen" in mine
    report = referral.reports.get()
    m.post(
        "/me/",
        {
            "action": "comment",
            "report": report.pk,
            f"r{report.pk}-text": "En ollut",
            f"r{report.pk}-disputes": "on",
        },
    )
    assert report.comments.get().disputes
    assert PersonalDataRead.objects.filter(actor=me_user, purpose="self_service").exists()


def test_partner_sees_nothing_without_consented_active_referral(
    client, worker, partner, other_partner, customer, offering, ngo, consent
):
    referral = services.draft_referral(actor=worker, customer=customer, offering=offering)
    p = login(client, partner)
    assert visible(p, referral.pk, "Virtanen") == []  # a draft is not sent
    assert p.get(f"/partner/referrals/{referral.pk}/").status_code == 404
    services.send_referral(actor=worker, referral=referral)
    assert set(visible(p, referral.pk, "Virtanen")) == set(partner_urls(referral.pk)[:4])
    for url in partner_urls(referral.pk):
        body = p.get(url).content.decode()
        assert not any(s in body for s in SECRETS), url
    # another partner organisation sees nothing
    o = login(client, other_partner)
    assert visible(o, referral.pk, "Virtanen") == []
    assert o.get(f"/partner/referrals/{referral.pk}/").status_code == 404
    assert o.post(f"/partner/referrals/{referral.pk}/", {"action": "accept"}).status_code == 404
    # staff pages and customer pages stay closed to partners
    p = login(client, partner)
    for url in (
        f"/ecosystem/customers/{customer.pk}/",
        f"/customers/{customer.pk}/",
        f"/api/v1/ecosystem/customers/{customer.pk}/referrals",
        f"/api/v1/customers/{customer.pk}",
        "/ecosystem/alerts/",
        "/me/",
        "/api/v1/ecosystem/me",
    ):
        response = p.get(url)
        assert response.status_code in (403, 404), url
        assert "Virtanen" not in response.content.decode(), url
    # revocation ends access at once, on every URL
    services.revoke_consent(actor=worker, consent=consent)
    assert visible(p, referral.pk, "Virtanen") == []
    assert p.get(f"/partner/referrals/{referral.pk}/").status_code == 404
    api = p.post(
        f"/api/v1/ecosystem/partner/referrals/{referral.pk}/accept",
        json.dumps({}),
        content_type="application/json",
    )
    assert api.status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_fields_follow_the_consent(client, worker, partner, customer, offering, ngo):
    services.give_consent(
        actor=worker,
        customer=customer,
        recipient=ngo,
        purpose="service_referral",
        shared_fields=["email"],
    )
    referral = services.refer(actor=worker, customer=customer, offering=offering)
    p = login(client, partner)
    data = p.get(f"/api/v1/ecosystem/partner/referrals/{referral.pk}").json()
    assert data["customer"] == {"email": "aino1@example.org"}
    assert visible(p, referral.pk, "Virtanen") == []
    reads = PersonalDataRead.objects.filter(actor=partner, customer_id=customer.pk)
    assert reads.exists() and all(r.fields == ["email"] for r in reads)
    # after completion the referral is no longer active: access ends
    for step in (services.accept_referral, services.start_referral):
        step(actor=partner, referral=referral)
    services.complete_referral(actor=partner, referral=referral, outcome="education")
    assert p.get("/api/v1/ecosystem/partner/referrals").json() == []


def test_other_area_worker_sees_nothing(
    client, other_area_worker, worker, customer, offering, consent
):
    referral = services.refer(actor=worker, customer=customer, offering=offering)
    o = login(client, other_area_worker)
    for url in (
        f"/ecosystem/customers/{customer.pk}/",
        f"/api/v1/ecosystem/customers/{customer.pk}/referrals",
        "/ecosystem/alerts/",
        "/ecosystem/handovers/",
        "/partner/",
        "/api/v1/ecosystem/partner/referrals",
    ):
        response = o.get(url)
        assert "Virtanen" not in response.content.decode(), url
    response = o.post(
        f"/api/v1/ecosystem/referrals/{referral.pk}/revoke",
        json.dumps({}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert (
        o.post(
            f"/ecosystem/customers/{customer.pk}/", {"action": "revoke", "referral": referral.pk}
        ).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_customer_sees_only_self_and_marks_own_tasks(client, worker, register, make_user):
    from luotsi.customers import services as casework

    me_customer, other = register(), register(last_name="Toinen")
    plan = casework.save_plan(
        actor=worker,
        customer=me_customer,
        goal="Työ",
        agreed=True,
        tasks=[{"kind": "job_search", "title": "Hae neljää työpaikkaa"}],
    )
    other_plan = casework.save_plan(
        actor=worker,
        customer=other,
        goal="Muu",
        agreed=True,
        tasks=[{"kind": "job_search", "title": "Toisen tehtävä"}],
    )
    user = make_user(username="me")
    CustomerAccount.objects.create(user=user, customer=me_customer)
    c = login(client, user)
    page = c.get("/me/").content.decode()
    assert "Hae neljää työpaikkaa" in page and "Toisen tehtävä" not in page
    assert (
        c.post("/me/", {"action": "task_done", "task": other_plan.tasks.get().pk}).status_code
        == 404
    )
    c.post("/me/", {"action": "task_done", "task": plan.tasks.get().pk})
    assert plan.tasks.get().status == "done"
    assert other_plan.tasks.get().status == "planned"
    assert c.get(f"/customers/{other.pk}/").status_code in (403, 404)
    assert (
        c.get("/partner/").status_code == 200
        and "Toinen" not in c.get("/partner/").content.decode()
    )


def test_handover_pages(client, worker, colleague, customer):
    w = login(client, worker)
    w.post(
        f"/ecosystem/customers/{customer.pk}/",
        {"action": "handover", "handover-to_worker": colleague.pk, "handover-reason": "Loma"},
    )
    c = login(client, colleague)
    inbox = c.get("/ecosystem/handovers/").content.decode()
    assert "Aino Virtanen" in inbox
    h = customer.handovers.get()
    c.post("/ecosystem/handovers/", {"handover": h.pk, "action": "decline", "reason": ""})
    h.refresh_from_db()
    assert h.status == "requested"
    c.post("/ecosystem/handovers/", {"handover": h.pk, "action": "decline", "reason": "Ei tilaa"})
    w = login(client, worker)
    assert "Ei tilaa" in w.get("/ecosystem/handovers/").content.decode()


def test_public_catalogue_needs_no_login(client, offering):
    offering.is_public = False
    offering.save()
    assert "Työpaja" not in client.get("/ecosystem/public/").content.decode()
    offering.is_public = True
    offering.save()
    assert "Työpaja" in client.get("/ecosystem/public/").content.decode()
    assert client.get("/api/v1/ecosystem/public/offerings").json()[0]["name"] == "Työpaja"
    assert client.get("/ecosystem/").status_code == 302  # the worker search needs sign-in


def test_alerts_page_for_team_lead(client, lead, customer, service_task):
    import datetime as dt

    service_task.due_on = dt.date(2025, 1, 1)
    service_task.save()
    page = login(client, lead).get("/ecosystem/alerts/").content.decode()
    assert "Työpajajakso" in page and "Virtanen" in page
