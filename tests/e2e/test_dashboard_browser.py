"""The indicator dashboards in a real browser against the demo: the demo area in fi/sv/en, a
chart with its data table, the area against the real 12r5 figures of every area, drill-down to
municipalities and teams, an export that downloads and parses, a partner's suppressed view."""

import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

AREA = {"fi": "Mikkelin seutu", "sv": "S:t Michel regionen", "en": "Mikkeli region"}
STOCK = {"fi": "Aktiiviset asiakkaat", "sv": "Aktiva kunder", "en": "Active customers"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_dashboard_shows_the_demo_area(login, server, lang):
    page = login("johto", lang)
    page.goto(f"{server}/indicators/")
    assert page.locator("html").get_attribute("lang") == lang
    assert AREA[lang] in page.locator("h1").inner_text()
    assert STOCK[lang] in page.content()
    figure = page.locator("figure").first
    svg = figure.locator("svg[role=img]")
    assert svg.count() == 1
    assert STOCK[lang] in figure.locator("svg title").text_content()
    assert figure.locator("svg desc").text_content()
    rows = figure.locator("table tbody tr")
    assert rows.count() >= 12  # the months of the window, one row each
    assert any(
        rows.nth(i).locator("td").first.inner_text() not in ("0", "–") for i in range(rows.count())
    )


def test_area_against_the_real_figures_of_every_area(login, server):
    page = login("johto")
    page.goto(f"{server}/indicators/areas/?indicator=B2")
    table = page.locator("figure table")
    assert "6/2026" in table.locator("caption").inner_text()
    rows = table.locator("tbody tr")
    assert rows.count() == 45
    own = table.locator("tbody tr:has(strong)")
    assert own.count() == 1 and "Mikkeli region" in own.inner_text()
    value = own.locator("td").nth(1).inner_text()
    assert value not in ("–", "") and 1 < float(value.replace(",", ".").split("–")[0]) < 40


def test_drill_down_and_keyboard(login, server):
    page = login("tiiminveto")
    page.goto(f"{server}/indicators/municipalities/?indicator=O1")
    assert "Mikkeli" in page.locator("figure table").inner_text()
    page.click("a:has-text('Drill down to the teams')")
    page.wait_for_url("**/indicators/teams/**")
    assert page.locator("figure table tbody tr").count() >= 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_an_export_downloads_and_parses(login, server):
    from openpyxl import load_workbook

    page = login("johto")
    page.goto(f"{server}/indicators/series/?indicator=O1")
    with page.expect_download() as info:
        page.click("a:has-text('Excel (xlsx)')")
    data = Path(info.value.path()).read_bytes()
    book = load_workbook(io.BytesIO(data))
    header = [c.value for c in book["data"][1]]
    values = [
        dict(zip(header, r, strict=True))
        for r in book["data"].iter_rows(min_row=2, values_only=True)
    ]
    assert values and all(v["indicator"] == "O1" for v in values)
    assert max(v["value"] or 0 for v in values) > 0
    with page.expect_download() as info:
        page.click("a:has-text('CSV')")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("indicator,")


def test_a_partner_sees_suppressed_figures_only(login, server):
    page = login("kumppani")
    page.goto(f"{server}/indicators/series/?indicator=O1")
    assert "small-cell suppression" in page.content()
    response = page.goto(f"{server}/indicators/teams/")
    assert response.status == 403


def test_subnav_is_one_row_with_a_visible_focus(login, server):
    page = login("johto")
    page.goto(f"{server}/indicators/series/")
    links = page.locator("nav.subnav a")
    assert links.count() >= 6
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1, "the sub-navigation should be one horizontal row at 1280 px"
    assert page.locator("nav.subnav a[aria-current=page]").inner_text() == "Time series"
    links.first.focus()
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.backgroundColor, s.color]; }"
    )
    assert style == ["rgb(255, 191, 71)", "rgb(0, 0, 0)"]


@pytest.mark.parametrize(("lang", "decimal", "wrong"), [("fi", ",", "."), ("en", ".", ",")])
def test_chart_numbers_in_the_language_of_the_page(login, server, lang, decimal, wrong):
    import re

    page = login("johto", lang)
    page.goto(f"{server}/indicators/areas/?indicator=B2")
    texts = page.locator("figure svg text").all_text_contents()
    numbers = [t for t in texts if re.fullmatch(r"[\d\s\u00a0.,]+", t)]
    assert any(decimal in t for t in numbers)
    assert not any(re.fullmatch(rf"\d+\{wrong}\d", t) for t in numbers)
