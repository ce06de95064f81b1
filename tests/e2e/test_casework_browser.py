"""A worker's day in the browser: register, initial interview, assessment, plan, deadlines; a team
lead moves the customer; keyboard and language basics."""

import datetime as dt

import pytest

pytestmark = pytest.mark.e2e


def test_worker_registers_assesses_and_agrees_a_plan(login, server):
    page = login("vastuu")
    page.goto(f"{server}/customers/new/")
    page.fill("#id_personal_identity_code", "311299-999E")
    page.fill("#id_first_name", "Selma")
    page.fill("#id_last_name", "Selaintesti")
    page.fill("#id_postal_code", "50100")
    page.fill("#id_registered_on", dt.date.today().isoformat())
    page.select_option("#id_language_group", "fi")
    page.select_option("#id_education_level", "upper_secondary")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Selaintesti Selma')")
    assert "Initial interview within" in page.content()
    detail_url = page.url

    # book the initial interview and mark it held
    page.click("summary:has-text('Book a meeting')")
    page.select_option("#id_meeting_type", "initial_interview")
    page.fill("#id_scheduled_for", dt.datetime.now().strftime("%Y-%m-%dT09:00"))
    page.click("form[action$='/meetings/'] button[type=submit]")
    page.click("button:has-text('Mark held')")
    assert "Meeting marked held." in page.content()

    # life-situation assessment
    page.click("a:has-text('Life-situation assessment')")
    page.select_option("#id_w_housing", "2")
    page.select_option("#id_c_housing", "3")
    page.click("main form button[type=submit]")
    page.wait_for_url(detail_url)

    # agree a plan with one task
    page.click("a:has-text('Employment plan')")
    page.fill("#id_goal", "Työ varastossa")
    page.check("#id_agreed")
    page.select_option("#id_new_task_kind", "job_search")
    page.fill("#id_new_task_title", "Hae neljää työpaikkaa")
    page.click("main form button[type=submit]")
    assert "version 1" in page.content()
    page.goto(detail_url)
    content = page.content()
    assert "Työ varastossa" in content and "Hae neljää työpaikkaa" in content
    assert "on time" in content  # the initial interview and plan were on time
    page.goto(f"{server}/customers/")
    assert "Selaintesti Selma" in page.content()


def test_team_lead_moves_a_customer(login, server):
    page = login("tiiminveto")
    page.goto(f"{server}/customers/team/")
    row = page.locator("tbody tr:has(form)").first
    name = row.locator("td").first.inner_text()
    with page.expect_navigation():
        row.locator("button:has-text('Move')").click()
    message = page.locator(".messages").inner_text()
    assert f"{name} moved to" in message, message


def test_skip_link_is_the_first_tab_stop_and_language_switches(login, server):
    page = login("vastuu", language="fi")
    page.goto(f"{server}/customers/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Siirry pääsisältöön" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.select_option("#language-select", "sv")
    page.click("form.language-switch button")
    assert "Mina kunder" in page.content()
    assert page.evaluate("document.documentElement.lang") == "sv"
