"""Issue 4 in the browser: a worker finds a service and refers a customer with consent; the partner
accepts, starts and completes it in the partner portal; the worker sees it in the plan; the
customer sees it in self-service."""

import pytest

from .conftest import server_facts

pytestmark = pytest.mark.e2e


def test_referral_from_worker_to_partner_and_back(login, server):
    customer, name = server_facts["customer"], server_facts["name"]
    worker = login(server_facts["worker"])

    # a service task in the plan for the referral to serve
    worker.goto(f"{server}/customers/{customer}/plan/")
    worker.select_option("#id_new_task_kind", "service")
    worker.fill("#id_new_task_title", "Selaintestin työkokeilu")
    worker.click("main form button[type=submit]")

    # find the service in the catalogue
    worker.goto(f"{server}/ecosystem/?q=Työkokeilu")
    assert "Work trial at a workshop" in worker.content()

    # the customer's consent, then the referral linked to the task
    worker.goto(f"{server}/ecosystem/customers/{customer}/")
    worker.select_option("#id_consent-recipient", label="Työpaja Verso ry")
    worker.select_option("#id_consent-purpose", "service_referral")
    worker.check("input[name='consent-shared_fields'][value='name']")
    worker.check("input[name='consent-shared_fields'][value='plan_goal']")
    worker.click("form:has(input[value='consent']) button[type=submit]")
    offering = worker.locator(
        "#id_referral-offering option", has_text="Work trial at a workshop"
    ).first.get_attribute("value")
    worker.select_option("#id_referral-offering", offering)
    worker.select_option("#id_referral-task", label="Selaintestin työkokeilu")
    worker.fill("#id_referral-message", "Selaintesti")
    worker.click("form:has(input[value='refer']) button[type=submit]")

    # the partner works it in the portal and sees only the consented fields
    partner = login("kumppani")
    partner.goto(f"{server}/partner/")
    # the demo customer may already have older referrals to this service: open the one just sent
    partner.locator("tbody tr", has_text="Work trial at a workshop").filter(has_text=name).filter(
        has=partner.get_by_role("cell", name="Sent", exact=True)
    ).locator("a").first.click()
    page = partner.content()
    assert customer not in page  # no internal id, no identity code
    partner.click("form:has(input[value='accept']) button[type=submit]")
    partner.click("form:has(input[value='start']) button[type=submit]")
    partner.fill("#id_report-text", "Aloitti hyvin.")
    partner.click("form:has(input[value='report']) button[type=submit]")
    partner.select_option("#id_complete-outcome", "employed")
    partner.click("form:has(input[value='complete']) button[type=submit]")
    assert "Completed" in partner.content() or "completed" in partner.content().lower()

    # the worker sees the task done in the plan
    worker.goto(f"{server}/customers/{customer}/")
    assert "Selaintestin työkokeilu – Done" in worker.inner_text("main")

    # the customer sees the referral and its outcome
    me = login("asiakas")
    me.goto(f"{server}/me/")
    text = me.inner_text("main")
    assert "Work trial at a workshop" in text and "Completed" in text
