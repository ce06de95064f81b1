"""Translated units, levels and periods; charts in the locale's number format; the sub-navigation."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from luotsi.analytics.indicators.definitions import definitions
from luotsi.indicators import charts, labels, services
from luotsi.indicators.views.common import comparison_figure, series_figure

from .conftest import WINDOW

MARK = "UNIT-LABEL-PERSONS"


def _as(client, user, lang="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def test_every_unit_of_the_definitions_has_a_label():
    units = {d.unit for d in definitions()}
    assert units, "no definitions loaded"
    missing = sorted(units - set(labels.UNIT_LABELS))
    assert not missing, f"add a translated label to luotsi/indicators/labels.py for: {missing}"


def test_unknown_codes_are_shown_as_they_are():
    assert labels.unit_label("furlongs") == "furlongs"
    assert labels.level_label("galaxy") == "galaxy"
    assert labels.period_type_label("week") == "week"


@pytest.fixture
def marked_unit(monkeypatch):
    monkeypatch.setitem(labels.UNIT_LABELS, "persons", MARK)


@pytest.mark.parametrize(
    "url",
    [
        "/indicators/",
        "/indicators/series/?indicator=O1",
        "/indicators/municipalities/?indicator=O1",
        "/indicators/catalogue/",
    ],
)
def test_pages_show_the_unit_label_not_the_code(client, manager, stocked, marked_unit, url):
    html = _as(client, manager).get(url).content.decode()
    assert MARK in html
    assert not re.search(r">persons<|unit: persons", html)


def test_series_definition_and_chart_use_the_unit_label(client, manager, stocked, marked_unit):
    html = _as(client, manager).get("/indicators/series/?indicator=O1").content.decode()
    assert f"<dd>{MARK}</dd>" in html
    assert f'font-size="12" fill="#000">{MARK}</text>' in html  # the y axis of the chart
    desc = re.search(r'<desc id="chart-series-desc">(.*?)</desc>', html).group(1)
    assert f"unit: {MARK}." in desc


class _Def:
    code, unit = "X1", "percent"

    def name(self, lang):
        return "Test indicator"


def _rows(values):
    return [
        {
            "group_code": f"g{i}",
            "period_start": dt.date(2025, i + 1, 1),
            "period_end": dt.date(2025, i + 1, 28),
            "dimension": "",
            "value": v,
            "value_low": v,
            "value_high": v,
            "numerator": None,
            "denominator": None,
            "status": "ok",
        }
        for i, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("lang", "small", "big"),
    [("fi", "17,8", "12\u00a0345,5"), ("sv", "17,8", "12\u00a0345,5"), ("en", "17.8", "12,345.5")],
)
def test_chart_numbers_follow_the_locale(lang, small, big):
    with translation.override(lang):
        svg = str(
            charts.bar_chart(
                [("a", 17.8, False), ("b", 12345.5, True)], chart_id="c", title="t", desc="d"
            )
        )
        fig = series_figure(
            _rows([17.8, 12345.5]),
            definition=_Def(),
            period_type="month",
            chart_id="s",
            title="t",
        )
    assert f">{small}</text>" in svg and f">{big}</text>" in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", str(fig["svg"])).group(1)
    assert f" {small} (1/2025)" in desc and f" {big} (2/2025)." in desc
    if lang != "en":
        assert "17.8" not in desc


def test_chart_values_have_the_decimals_of_the_tables():
    with translation.override("fi"):
        svg = str(charts.bar_chart([("a", 17.84, False)], chart_id="c", title="t", desc="d"))
        assert ">17,8</text>" in svg
        assert charts.format_number(0.25, 2) == "0,25" and charts.format_number(3.0) == "3"


@pytest.mark.parametrize(("lang", "tick"), [("fi", "2\u00a0000"), ("en", "2,000")])
def test_line_chart_axis_is_grouped_in_the_locale(lang, tick):
    with translation.override(lang):
        svg = str(
            charts.line_chart(
                [("1/2025", 1000.0), ("2/2025", 9000.0)], chart_id="l", title="t", desc="d"
            )
        )
    assert f">{tick}</text>" in svg


def test_comparison_mentions_the_highlight_only_when_there_is_one():
    plain = comparison_figure(
        _rows([1.0, 2.0]), names={}, highlight=set(), chart_id="c", title="t", definition=_Def()
    )
    marked = comparison_figure(
        _rows([1.0, 2.0]), names={}, highlight={"g0"}, chart_id="c", title="t", definition=_Def()
    )
    svg = str(plain["svg"])
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert "highlighted" not in desc and "unit: percent" in desc
    assert "Your area is highlighted." in marked["svg"]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1.5, "percent", "+1.5\u00a0percentage points"),
        (-2.0, "persons", "\u22122"),
        (33.0, "persons", "+33"),
        (0.0, "ratio", "0.0"),
        (None, "percent", "–"),
    ],
)
def test_change_has_a_sign_and_percentage_points(value, unit, text):
    out = Template("{% load indicator_tags %}{% change_value v u %}").render(
        Context({"v": value, "u": unit})
    )
    assert out == text


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/indicators/", "/indicators/"),
        ("/indicators/series/", "/indicators/series/"),
        ("/indicators/catalogue/", "/indicators/catalogue/"),
    ],
)
def test_subnav_is_a_labelled_list_with_the_current_page(client, manager, stocked, url, current):
    html = _as(client, manager).get(url).content.decode()
    nav = re.search(r'<nav aria-label="Indicator pages" class="subnav">(.*?)</nav>', html, re.S)
    assert nav, "the sub-navigation is missing"
    assert "<ul>" in nav.group(1) and nav.group(1).count("<li>") >= 6
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav.group(1)) == [current]


def test_subnav_style_is_horizontal_with_a_visible_focus():
    css = (
        Path(settings.BASE_DIR) / "luotsi" / "core" / "static" / "luotsi" / "luotsi.css"
    ).read_text()
    ul = re.search(r"\.subnav ul \{([^}]*)\}", css).group(1)
    assert "display: flex" in ul and "list-style: none" in ul
    focus = re.search(r"\.subnav a:focus \{([^}]*)\}", css).group(1)
    assert "background: var(--focus)" in focus and "color: #000" in focus


def test_progress_names_levels_and_periods_in_the_language(stocked, manager, monkeypatch):
    monkeypatch.setitem(labels.LEVEL_LABELS, "municipality", "LEVEL-MUNI")
    monkeypatch.setitem(labels.PERIOD_LABELS, "month", "PERIOD-MONTH")
    lines: list[str] = []
    services.compute_indicators(
        actor=manager, codes=["O1"], start=WINDOW[0], end=WINDOW[1], progress=lines.append
    )
    computed = [line for line in lines if "×" in line]
    assert computed and any("LEVEL-MUNI × PERIOD-MONTH" in line for line in computed)
    assert not any(re.search(r"\b(municipality|month)\b", line) for line in computed)


def test_comparison_pages_have_no_date_range_they_would_ignore(client, manager, stocked):
    c = _as(client, manager)
    series = c.get("/indicators/series/").content.decode()
    assert 'name="start"' in series and 'name="end"' in series
    for url in ("/indicators/municipalities/", "/indicators/areas/"):
        html = c.get(url).content.decode()
        assert 'name="start"' not in html and 'name="end"' not in html
        assert 'name="at"' in html


def test_numerator_and_denominator_only_for_ratios(client, manager, stocked):
    c = _as(client, manager)
    count = c.get("/indicators/series/?indicator=O1").content.decode()
    share = c.get("/indicators/series/?indicator=O1LS").content.decode()
    table = re.search(r"<figure.*?</figure>", count, re.S).group(0)
    assert "Denominator" not in table and "Value (persons)" in table
    table = re.search(r"<figure.*?</figure>", share, re.S).group(0)
    assert "Numerator" in table and "Denominator" in table and "Value (percent)" in table


def test_a_period_not_yet_ended_is_marked(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2025, 2, 10))
    fig = series_figure(
        _rows([5.0, 6.0]), definition=_Def(), period_type="month", chart_id="s", title="t"
    )
    assert [r["label"] for r in fig["rows"]] == ["1/2025", "2/2025 (incomplete)"]


def test_alerts_name_the_indicator_and_the_area(client, manager, stocked):
    from luotsi.indicators.models import AlertThreshold

    AlertThreshold.objects.create(
        indicator="O1",
        level="area",
        group_code="23",
        area_code="23",
        period_type="month",
        direction="above",
        value=1,
        created_by=manager,
    )
    html = _as(client, manager).get("/indicators/alerts/").content.decode()
    assert '<th scope="row">O1 – Active customers</th><td>Mikkeli region</td>' in html


def test_overview_chart_has_a_heading(client, manager, stocked):
    html = _as(client, manager).get("/indicators/").content.decode()
    headings = re.findall(r"<h([1-6])", html[html.index("<main") :])
    assert headings[0] == "1" and all(int(b) - int(a) <= 1 for a, b in itertools.pairwise(headings))
    assert re.search(r"<h2>Development by month</h2>\s*<figure", html)


def test_catalogue_has_contents_linking_every_indicator(client, manager, stocked):
    html = _as(client, manager).get("/indicators/catalogue/").content.decode()
    toc = re.search(r'<ul class="toc">(.*?)</ul>', html, re.S).group(1)
    codes = {d.code for d in definitions()}
    assert set(re.findall(r'href="#([A-Z0-9]+)"', toc)) == codes
    assert all(f'<section id="{c}"' in html for c in codes)


def test_month_placeholder_is_translatable():
    from django.utils.functional import Promise

    from luotsi.indicators.forms import FilterForm

    for name in ("start", "end"):
        placeholder = FilterForm.base_fields[name].widget.attrs["placeholder"]
        assert isinstance(placeholder, Promise) and str(placeholder) == "YYYY-MM"


@pytest.mark.parametrize(("lang", "persons"), [("fi", "henkilöä"), ("sv", "personer")])
def test_units_are_in_the_language_of_the_page(client, manager, stocked, lang, persons):
    with translation.override(lang):
        html = _as(client, manager, lang).get("/indicators/").content.decode()
    assert f"<td>{persons}</td>" in html and ">persons<" not in html
    assert str(labels.UNIT_LABELS["persons"]) == "persons"  # outside the override: English


def test_command_progress_names_levels_and_periods_in_finnish(db, stocked, capsys):
    from django.core.management import call_command

    with translation.override("fi"):
        call_command(
            "compute_indicators", "--codes", "O1", "--start", "2025-01", "--end", "2025-01"
        )
    out = capsys.readouterr().out
    assert "kunta × kuukausi" in out and "koko maa × kuukausi" in out
    assert not re.search(r"\b(municipality|area|country|month)\b", out)
