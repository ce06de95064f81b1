"""The demo's dashboard has values: the key indicators O13 (caseload) and O14R (referral
acceptance) are computed for the latest complete month from a small demo build."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from luotsi.demo import build as demo_build
from luotsi.demo.analytics import build_analytics
from luotsi.ecosystem.models import Referral
from luotsi.indicators import storage
from luotsi.journey.models import JourneyEvent
from luotsi.kernel import calendar as cal

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PASSWORD = "demo-Salasana-1"


@pytest.fixture
def built(settings, tmp_path, monkeypatch):
    settings.ANALYTICS_PATH = tmp_path / "analytics.duckdb"
    settings.INDICATOR_LEVELS = ("municipality", "area")
    settings.INDICATOR_PERIOD_TYPES = ("month",)
    monkeypatch.setattr(demo_build, "build_evaluation", lambda **kwargs: None)
    out = io.StringIO()
    demo_build.build_demo(customers=250, stdout=out, password=PASSWORD)
    build_analytics(stdout=out)
    return timezone.localdate()


def _last_complete_month(today: dt.date) -> dt.date:
    return cal.add_months(dt.date(today.year, today.month, 1), -1)


def test_caseload_and_acceptance_rate_have_values_in_the_latest_complete_month(built, client):
    month = _last_complete_month(built)
    with storage.open_reader() as store:
        rows = store.con.execute(
            "SELECT indicator, numerator, denominator, value FROM indicator_values "
            "WHERE group_type = 'area' AND group_code = '23' AND period_type = 'month' "
            "AND dimension = '' AND period_start = ? AND indicator IN ('O13', 'O14', 'O14R')",
            [month],
        ).fetchall()
    got = {r[0]: r[1:] for r in rows}
    workers, customers, caseload = got["O13"]
    assert workers == 8  # the demo's eight responsible workers all have customers
    assert caseload == pytest.approx(customers / 8, rel=0.5)
    assert got["O14"][0] > 0  # referrals were sent in that month
    accepted, decided, rate = got["O14R"]
    assert decided > 0 and rate is not None
    assert 0 < rate <= 100 and rate == pytest.approx(100 * accepted / decided)
    # The referrals are dated in the past, each step after the previous one, none after now.
    now = timezone.now()
    order = ("referral.sent", "referral.accepted", "referral.started", "referral.completed")
    for ref in Referral.objects.exclude(sent_at=None):
        events = JourneyEvent.objects.filter(
            kind__startswith="referral.", payload__referral_id=str(ref.pk)
        ).order_by("id")
        at = [e.occurred_at for e in events if e.kind in order]
        assert at == sorted(at) and at[-1] <= now
    assert Referral.objects.filter(sent_at__lt=now - dt.timedelta(days=31)).exists()
    # ... and the overview of the dashboard shows both for that month.
    assert client.login(username="johto", password=PASSWORD)
    html = client.get("/indicators/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for code in ("O13", "O14R"):
        row = re.search(rf'indicator={code}">.*?</tr>', html).group(0)
        assert "visually-hidden" not in row, row  # "no value"
        assert re.search(r"<td>\d+([.,]\d)?</td>", row), row
