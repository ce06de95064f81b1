"""Estimator and panel notes in the report's language: the notes that ``luotsi.stats`` really
writes are all in the catalogue, numbers and months are carried over, unknown notes stay in
English (marked), and a Finnish report shows the Finnish note."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.notes import Note, translate, translate_all
from luotsi.evaluation.report import render_report
from luotsi.stats.did_cs import callaway_santanna
from luotsi.stats.imputation import imputation
from luotsi.stats.sunab import sun_abraham
from luotsi.stats.twfe import twfe

from .simulate import simulate_panel, write_panel

T0 = 2020 * 12  # 2020-01 as a month index


def _panel(cohorts: list[float], months: int = 8, seed: int = 1) -> pd.DataFrame:
    """Two units per cohort (0 = never treated), monthly from 2020-01, random outcomes."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, g in enumerate(c for c in cohorts for _ in range(2)):
        for t in range(months):
            rows.append((f"u{i}", T0 + t, g, rng.normal() + (g > 0 and T0 + t >= g)))
    return pd.DataFrame(rows, columns=["unit", "time", "cohort", "outcome"])


def _notes() -> list[str]:
    """Notes written by the estimators on designs that trigger them."""
    args = {"unit": "unit", "time": "time", "cohort": "cohort", "outcome": "outcome"}
    first = _panel([0, T0, T0 + 4])  # a cohort treated from the first period
    late = _panel([0, T0 + 3, T0 + 30])  # a cohort starting after the panel
    no_never = _panel([T0 + 3, T0 + 5])
    unbalanced = first.drop(index=3)
    out = [
        *callaway_santanna(first, **args, bootstrap=0).att_gt.notes,
        *callaway_santanna(no_never, **args, control="notyet", bootstrap=0).att_gt.notes,
        *sun_abraham(first, **args).table.notes,
        *sun_abraham(no_never, **args, control="last").table.notes,
        *imputation(late, **args).table.notes,
        *twfe(no_never, **args, kind="event", window=(-2, 2)).table.notes,
        *callaway_santanna(unbalanced, **args, bootstrap=0).att_gt.notes,
    ]
    assert len(out) >= 6
    return out


def test_every_note_the_estimators_write_is_in_the_catalogue():
    notes = _notes()
    with translation.override("en"):
        shown = [translate(n) for n in notes]
    unknown = [n for n, s in zip(notes, shown, strict=True) if s.lang]
    assert unknown == []
    text = " ".join(s.text for s in shown)
    assert "Cohorts treated already in the first period were left out: 2020-01." in text
    assert "The last-treated cohort (2020-06) is the comparison group" in text
    assert "counted as never treated: 2." in text
    assert "not observed in all 8 periods" in text


def test_numbers_months_and_fallback():
    with translation.override("en"):
        assert translate("cohort 24243 has no pre-treatment period; skipped").text == (
            "Cohort 2020-04 has no pre-treatment period and was left out."
        )
        assert translate("cohort 5 has no pre-treatment period; skipped", monthly=False).text == (
            "Cohort 5 has no pre-treatment period and was left out."
        )
        assert translate("dropped cohorts treated in the first period: [3.0, 4.0]").text == (
            "Cohorts treated already in the first period were left out: 3, 4."
        )
        unknown = "a note written by a newer estimator (7 cells)"
        assert translate(unknown) == Note(unknown, "en")
        twice = ["12 municipalities with a missing month were left out"] * 2
        assert translate_all(twice) == [Note("Municipalities with a missing month, left out: 12.")]


FIRST_PERIOD = "Cohorts treated already in the first period were left out: %(cohorts)s."
FINNISH = "Jo ensimmäisellä jaksolla käsitellyt kohortit jätettiin pois: %(cohorts)s."


@pytest.fixture
def finnish_note():
    """The note's Finnish text in the fi catalogue for one test (as handed to the lead)."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation("fi")._catalog._catalogs[0]
    old = catalog.get(FIRST_PERIOD)
    catalog[FIRST_PERIOD] = FINNISH
    yield
    if old is None:
        catalog.pop(FIRST_PERIOD, None)
    else:
        catalog[FIRST_PERIOD] = old


@pytest.mark.django_db
def test_a_finnish_report_shows_the_translated_note(
    evaluator, make_evaluation, tmp_path, finnish_note
):
    frame = simulate_panel(seed=3)
    frame.loc[frame["unit"].isin(["900", "903"]), "first_treated"] = "2020-01"
    path = write_panel(frame, tmp_path / "first.csv")
    evaluation = make_evaluation(panel_file=str(path), estimators=["cs_dr"], bootstrap_draws=0)
    run = services.start_run(actor=evaluator, evaluation=evaluation)
    assert run.status == RunStatus.SUCCEEDED, run.error
    raw = "dropped cohorts treated in the first period: [24240.0]"
    assert raw in run.results["estimators"][0]["notes"]
    html = render_report(run, "fi")
    assert "<li>Jo ensimmäisellä jaksolla käsitellyt kohortit jätettiin pois: 2020-01.</li>" in html
    assert raw not in html
    assert "Cohorts treated already" in render_report(run, "en")
    run.results["estimators"][0]["notes"].append("a note no catalogue knows")  # not saved
    assert '<li lang="en">a note no catalogue knows</li>' in render_report(run, "fi")
