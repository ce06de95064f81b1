"""The dashboard pages in fi/sv/en with the engine's numbers for the hand-made journey; filters,
drill-down, alerts and exports that parse back to the same values."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.utils.html import escape
from openpyxl import load_workbook

from luotsi.analytics.indicators.definitions import definition
from luotsi.indicators import selectors
from luotsi.indicators.models import AlertThreshold

from .conftest import MIKKELI_AREA, WINDOW

NAMES = {"fi": "Aktiiviset asiakkaat", "sv": "Aktiva kunder", "en": "Active customers"}
AREA = {"fi": "Mikkelin seutu", "sv": "S:t Michel regionen", "en": "Mikkeli region"}


def _as(client, user, lang="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_series_shows_the_engine_values_in_each_language(client, manager, reference_values, lang):
    expected = reference_values("O1")
    page = _as(client, manager, lang).get("/indicators/series/?indicator=O1")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{lang}">' in html and NAMES[lang] in html
    for month in range(1, 7):
        v = expected[(MIKKELI_AREA, dt.date(2025, month, 1))]
        assert f'<th scope="row">{month}/2025</th><td>{v:.0f}</td>' in html
    assert expected[(MIKKELI_AREA, dt.date(2025, 2, 1))] == 3  # persons 1, 2 and 3 by hand
    assert '<title id="chart-series-title">' in html and '<desc id="chart-series-desc">' in html
    assert 'aria-labelledby="chart-series-title chart-series-desc"' in html


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_overview_renders_the_area_and_key_indicators(client, manager, stocked, lang):
    html = _as(client, manager, lang).get("/indicators/").content.decode()
    assert AREA[lang] in html and NAMES[lang] in html
    assert "<caption>" in html and "<svg" in html and "<script" not in html


def test_filters_period_type_and_date_range(client, manager, reference_values):
    c = _as(client, manager)
    html = c.get("/indicators/series/?indicator=O1&period=quarter").content.decode()
    q1 = reference_values("O1", period="quarter")[(MIKKELI_AREA, dt.date(2025, 1, 1))]
    assert f'<th scope="row">Q1/2025</th><td>{q1:.0f}</td>' in html
    html = c.get("/indicators/series/?indicator=O1&start=2025-03&end=2025-04").content.decode()
    assert "3/2025" in html and "4/2025" in html and "2/2025" not in html and "5/2025" not in html
    bad = c.get("/indicators/series/?indicator=O1&start=2025-05&end=2025-02")
    assert bad.status_code == 400 and "end date is before the start" in bad.content.decode()


def test_drill_down_area_municipality_team(client, lead, reference_values, team):
    c = _as(client, lead)
    html = c.get("/indicators/municipalities/?indicator=O1&at=2025-02").content.decode()
    assert "Mikkeli" in html and "?indicator=O1&amp;municipality=491" in html
    muni = reference_values("O1", level="municipality")[("491", dt.date(2025, 2, 1))]
    html = c.get("/indicators/series/?indicator=O1&municipality=491").content.decode()
    assert f'<th scope="row">2/2025</th><td>{muni:.0f}</td>' in html
    assert "?indicator=O1&amp;municipality=491" in html  # on to the teams serving Mikkeli
    html = c.get("/indicators/teams/?indicator=O1&municipality=491&at=2025-02").content.decode()
    assert "Tiimi A" in html and "<td>2</td>" in html
    refused = c.get("/indicators/teams/?indicator=O1&municipality=091")
    assert refused.status_code == 400  # Helsinki is not a municipality of the area
    html = c.get("/indicators/teams/?indicator=O1&at=2025-02").content.decode()
    assert "Tiimi A" in html and f"?indicator=O1&amp;team={team.pk}" in html
    html = c.get(f"/indicators/series/?indicator=O1&team={team.pk}").content.decode()
    assert '<th scope="row">2/2025</th><td>2</td>' in html  # persons 1 and 2 have a worker


def test_area_comparison_highlights_the_own_area(client, manager, stocked):
    html = _as(client, manager).get("/indicators/areas/?indicator=O1&at=2025-02").content.decode()
    assert "<strong>Mikkeli region</strong>" in html and "Helsinki" in html


def test_catalogue_lists_every_definition_in_three_languages(client, manager, stocked):
    html = _as(client, manager, "sv").get("/indicators/catalogue/").content.decode()
    for entry in selectors.catalogue():
        assert f'id="{entry["code"]}"' in html
    assert "Aktiva kunder" in html and "Active customers" in html and "Aktiiviset asiakkaat" in html
    assert "Statistikcentralen 12r5 TYOTTOMATLOPUSSA" in html  # the published definition
    # The formula and what it follows are in the language of the page, marked as such.
    o14r = re.search(r'<section id="O14R".*?</section>', html, re.S).group(0)
    assert '<td rowspan="3">100 × (accepterade) / (accepterade + avvisade)</td>' in o14r
    assert '<td rowspan="3">ingen publicerad motsvarighet</td>' in o14r
    assert o14r.count('lang="en"') == 1  # only the English name
    fi = _as(client, manager, "fi").get("/indicators/catalogue/").content.decode()
    assert '<td rowspan="3">100 × (hyväksytyt) / (hyväksytyt + hylätyt)</td>' in fi
    assert "Tilastokeskus 12r5 TYOTTOMATLOPUSSA" in fi


@pytest.mark.parametrize(
    ("lang", "numerator", "denominator", "follows"),
    [
        ("fi", "O1L", "O1U", "OECD:n pitkäaikaistyöttömien osuus työttömistä"),
        ("sv", "O1L", "O1U", "OECD:s andel långtidsarbetslösa av de arbetslösa"),
        ("en", "O1L", "O1U", "OECD incidence of long-term unemployment"),
    ],
)
def test_definition_details_are_in_the_language_of_the_page(
    client, manager, stocked, lang, numerator, denominator, follows
):
    html = _as(client, manager, lang).get("/indicators/series/?indicator=O1LS").content.decode()
    details = re.search(r"<details>.*?</details>", html, re.S).group(0)
    assert f"<dd>{numerator}</dd>" in details and f"<dd>{denominator}</dd>" in details
    assert f"<dd>{follows}</dd>" in details and 'lang="en"' not in details
    html = _as(client, manager, lang).get("/indicators/series/?indicator=O1").content.decode()
    details = re.search(r"<details>.*?</details>", html, re.S).group(0)
    assert f"<dd>{escape(definition('O1').numerator_text(lang))}</dd>" in details


def test_alert_thresholds_are_managed_by_area_management(client, manager, lead, stocked):
    c = _as(client, manager)
    data = {
        "indicator": "O1",
        "level": "area",
        "group_code": MIKKELI_AREA,
        "period_type": "month",
        "direction": "above",
        "value": "1",
    }
    assert c.post("/indicators/alerts/", data).status_code == 302
    t = AlertThreshold.objects.get()
    assert t.area_code == MIKKELI_AREA and t.created_by == manager
    c2 = _as(client, lead)
    assert "Save threshold" not in c2.get("/indicators/alerts/").content.decode()
    assert c2.post("/indicators/alerts/", data).status_code == 403
    assert c2.post(f"/indicators/alerts/{t.pk}/delete/").status_code == 403
    c = _as(client, manager)
    assert c.post(f"/indicators/alerts/{t.pk}/delete/").status_code == 302
    assert not AlertThreshold.objects.exists()


def test_exports_parse_back_with_the_same_values(client, manager, stocked):
    c = _as(client, manager)
    scope = selectors.scope(manager)
    expected = {
        r["period_start"].isoformat(): r["value"]
        for r in selectors.values(scope, indicator="O1", level="area", groups=[MIKKELI_AREA])
    }
    q = f"/indicators/export/?indicator=O1&level=area&group={MIKKELI_AREA}"
    text = c.get(q + "&format=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["period_start"]: float(r["value"]) for r in rows} == expected
    book = load_workbook(io.BytesIO(c.get(q + "&format=xlsx").content))
    sheet = book["data"]
    header = [cell.value for cell in sheet[1]]
    got = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        r = dict(zip(header, row, strict=True))
        day = r["period_start"]
        got[day if isinstance(day, str) else day.date().isoformat()] = r["value"]
    assert got == expected
    assert "metadata" in book.sheetnames
    table = pq.read_table(io.BytesIO(c.get(q + "&format=parquet").content))
    assert {
        d.isoformat(): v
        for d, v in zip(table["period_start"].to_pylist(), table["value"].to_pylist(), strict=True)
    } == expected
    assert b"luotsi" in table.schema.metadata
    assert len(expected) == (WINDOW[1].month - WINDOW[0].month + 1)
