"""The demo evaluation: the municipal employment pilots of 2021-2024 on synthetic data with a
known effect, with one finished run (HTML and, when Chromium is installed, PDF report).

The synthetic generator (``luotsi.synthetic``) simulates the job seekers of some pilot
municipalities (members of the municipal pilots in the reference data, with their start month)
and of comparable municipalities outside every municipal pilot, from 2020 to 2022. While the
pilot runs, the generator multiplies the hazard of exit to open-market employment in the pilot
municipalities by :data:`HAZARD_RATIO`. The events go into a private in-memory analytics store;
``luotsi.analytics.panels`` turns them into a municipality x month panel of exits to employment
per 100 unemployed customers, which is written as the evaluation's panel file. The known truth
(the hazard ratio and what it means in percentage points) is written into the evaluation's
question, so the report can be checked against it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

from luotsi.analytics.panels import month_index
from luotsi.analytics.simulate import synthetic_store
from luotsi.analytics.store import Store
from luotsi.core.models import User
from luotsi.evaluation import services
from luotsi.evaluation.choices import RunStatus
from luotsi.evaluation.models import Evaluation, EvaluationRun
from luotsi.evaluation.panel_store import EXIT_RATE, build_frame
from luotsi.reference import exports
from luotsi.reference import selectors as reference
from luotsi.reference.models import PilotKind
from luotsi.synthetic import PilotEffect, SyntheticConfig

#: Pilot municipalities simulated as treated (when the reference data has them in a municipal
#: pilot): Mikkeli, Hämeenlinna, Savonlinna, Lahti, Jyväskylä, Seinäjoki, Kokkola.
TREATED = ("491", "109", "740", "398", "179", "743", "272")
#: Comparison municipalities of similar size outside the municipal pilots.
DONORS = ("286", "285", "609", "405", "905", "684", "734", "106", "638", "297", "167")
HAZARD_RATIO = 1.3
STARTS_ON, ENDS_ON = dt.date(2020, 1, 1), dt.date(2022, 12, 31)
PILOT_START = dt.date(2021, 3, 1)
TITLE = "Kuntakokeilut 2021–2024: työllistyminen (synteettinen demoaineisto)"
DEFAULT_SCALE = 0.04


def _treated_starts() -> dict[str, dt.date]:
    """TREATED municipalities that belong to a municipal pilot, with their membership start."""
    starts: dict[str, dt.date] = {}
    pilots = reference.pilots_overlapping(PILOT_START, dt.date(2024, 12, 31))
    for pilot in pilots.filter(kind=PilotKind.MUNICIPAL):
        for m in reference.members_of_pilot(pilot.code):
            code = m.municipality.code
            if code in TREATED:
                starts[code] = min(starts.get(code, m.valid_from), m.valid_from)
    if len(starts) < 2:
        raise ValueError("demo evaluation: the reference data has too few municipal pilot members")
    return starts


def _donors() -> list[str]:
    members = set()
    for pilot in reference.pilots_overlapping(PILOT_START, dt.date(2024, 12, 31)):
        members |= {m.municipality.code for m in reference.members_of_pilot(pilot.code)}
    return [c for c in DONORS if c not in members]


def simulate_panel(*, scale: float, seed: int, workers: int = 2) -> tuple[pd.DataFrame, dict]:
    """The municipality x month panel (columns unit, time, first_treated, outcome) and the truth
    (``hazard_ratio``, ``effect_pp``: the implied rise in the exit rate, percentage points)."""
    starts = _treated_starts()
    donors = _donors()
    codes = tuple(sorted({*starts, *donors}))
    first_start = min(starts.values())
    config = SyntheticConfig(
        municipalities=codes,
        starts_on=STARTS_ON,
        ends_on=ENDS_ON,
        scale=scale,
        seed=seed,
        pilots=(
            PilotEffect(
                tuple(sorted(starts)), first_start, dt.date(2024, 12, 31), HAZARD_RATIO, "kokeilu"
            ),
        ),
    )
    rows = [r for r in exports.municipality_rows() if r["code"] in codes]
    with synthetic_store(
        config, workers=workers, threads=workers, municipalities=rows, source="demo-evaluation"
    ) as store:
        raw, _notes = build_frame(
            store,
            source="events",
            outcome=EXIT_RATE,
            start=STARTS_ON.isoformat()[:7],
            end=ENDS_ON.isoformat()[:7],
            group_type="pilot",
            group_codes=[],
            cluster_level="municipality",
        )
        open_market = _open_market_rate(store, starts)
    raw["first_treated"] = raw["unit"].map({c: month_index(d) for c, d in starts.items()})
    raw["first_treated"] = raw["first_treated"].fillna(0)
    truth = {
        "hazard_ratio": HAZARD_RATIO,
        "effect_pp": (1 - 1 / HAZARD_RATIO) * open_market,
        "treated": {c: d.isoformat()[:7] for c, d in sorted(starts.items())},
    }
    frame = raw[["unit", "time", "first_treated", "outcome"]].rename(columns={"outcome": EXIT_RATE})
    frame["time"] = frame["time"].astype(int)
    frame["first_treated"] = frame["first_treated"].astype(int)
    return frame, truth


def _open_market_rate(store: Store, starts: dict[str, dt.date]) -> float:
    """Exits to open-market employment per 100 unemployed customers in the treated
    municipality-months (the part of the exit rate that the pilot multiplies)."""
    t1 = month_index(ENDS_ON)
    cells = []
    for code, start in starts.items():
        t0 = month_index(start)
        exits = store.con.execute(
            "SELECT count(*) FROM spells WHERE exit_group = 'employment' AND municipality_at_end "
            "= ? AND end_on IS NOT NULL AND year(end_on) * 12 + month(end_on) - 1 BETWEEN ? AND ?",
            [code, t0, t1],
        ).fetchone()[0]
        stock = store.con.execute(
            "WITH months AS (SELECT last_day(make_date(CAST(t // 12 AS INTEGER), "
            "CAST(t % 12 + 1 AS INTEGER), 1)) AS d FROM range(?, ?) r(t)) "
            "SELECT count(*) FROM months m JOIN status_intervals si ON si.unemployed "
            "AND si.municipality_code = ? AND si.start_on <= m.d "
            "AND (si.end_on IS NULL OR si.end_on > m.d)",
            [t0, t1 + 1, code],
        ).fetchone()[0]
        if stock:
            cells.append(100.0 * exits / stock)
    return sum(cells) / len(cells) if cells else 0.0


def build_evaluation(
    *, scale: float = DEFAULT_SCALE, seed: int = 2021, stdout=None, workers: int = 2
) -> EvaluationRun:
    """Create the demo evaluation (once) and its finished run; the existing run when present."""
    existing = EvaluationRun.objects.filter(
        evaluation__title=TITLE, status=RunStatus.SUCCEEDED
    ).first()
    if existing is not None:
        return existing
    if stdout is not None:
        stdout.write("Simulating the municipal pilots for the demo evaluation...")
    evaluator = User.objects.get(username="arvioija")
    frame, truth = simulate_panel(scale=scale, seed=seed, workers=workers)
    path = Path(settings.MEDIA_ROOT) / "evaluation" / "demo-kuntakokeilut.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    synth_unit = next(c for c in TREATED if c in set(frame["unit"]) and c in truth["treated"])
    question = _(
        "Did the municipal employment pilots (from %(start)s) raise the monthly rate of exits "
        "to employment (exits to employment per 100 unemployed customers)? Known truth of this "
        "synthetic data: in the pilot municipalities the hazard of exit to open-market "
        "employment was multiplied by %(ratio)s from the start of the pilot, which is about "
        "%(effect)s percentage points in this rate. A good estimator recovers it within its "
        "confidence interval."
    ) % {
        "start": min(truth["treated"].values()),
        "ratio": f"{HAZARD_RATIO:.1f}".replace(".", ","),
        "effect": f"{truth['effect_pp']:+.1f}".replace(".", ","),
    }
    evaluation = Evaluation.objects.filter(title=TITLE).first() or services.create_evaluation(
        actor=evaluator,
        title=TITLE,
        question=question,
        outcome=EXIT_RATE,
        outcome_scale="pp",
        unit_level="municipality",
        panel_source="file",
        panel_file=str(path),
        treatment_source="explicit",
        treated_units=[{"unit": c, "start": s} for c, s in truth["treated"].items()],
        comparison="never",
        anticipation=0,
        estimators=["cs_dr", "sunab", "imputation", "twfe", "wild", "synth"],
        bootstrap_draws=199,
        cluster_level="unit",
        seed=seed,
        synth_unit=synth_unit,
    )
    run = services.create_run(actor=evaluator, evaluation=evaluation)
    run = services.execute_run(run.pk)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(f"demo evaluation run failed: {run.error}")
    return run
