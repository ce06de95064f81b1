"""The evaluation report (fi/sv/en): context built from a run's stored results, HTML and PDF.

The report is rendered from the immutable ``EvaluationRun.results``, so it can be shown in any
language on request and always says the same numbers. The PDF is printed from the same HTML by
the installed headless Chromium (no network); without Chromium the PDF is simply not made.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import option_fields
from .choices import (
    ClusterLevel,
    ComparisonGroup,
    Estimator,
    MoveRule,
    OutcomeScale,
    PanelSource,
    PersonCovariate,
    TreatmentSource,
    UnitLevel,
)
from .models import EvaluationRun
from .notes import translate_all
from .panel_file import month_label
from .robustness import event_plot, num, robustness_context

log = logging.getLogger(__name__)
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _period(value, monthly: bool) -> str:
    if value is None:
        return ""
    return month_label(value) if monthly else f"{float(value):g}"


_num = num


def _row(r: dict, monthly: bool) -> dict[str, Any]:
    label = r["label"]
    if "event_time" in r:
        label = str(r["event_time"])
    elif "group" in r and "time" not in r:
        label = _period(r["group"], monthly)
    elif r.get("overall"):
        label = _("Overall")
    return {
        "label": label,
        "estimate": _num(r["estimate"], 3),
        "se": _num(r["se"], 3),
        "ci": (
            f"{_num(r['ci_low'], 3)} … {_num(r['ci_high'], 3)}"
            if r.get("ci_low") is not None
            else "–"
        ),
        "band": (
            f"{_num(r['band_low'], 3)} … {_num(r['band_high'], 3)}"
            if r.get("band_low") is not None
            else ""
        ),
        "p": _num(r.get("p_value"), 3),
        "overall": bool(r.get("overall")),
    }


def _lags(event_times: list) -> str:
    text = f"{min(event_times)} … {max(event_times)}" if event_times else ""
    return text.replace("-", "−")


def _overall(rows: list[dict]) -> dict | None:
    return next((r for r in rows if r.get("overall")), None)


def summary_sentence(outcome: str, scale: str, overall: dict | None) -> str:
    """The plain-language summary of the main estimate."""
    if overall is None or overall.get("estimate") is None or overall.get("ci_low") is None:
        return _("The data did not allow an overall estimate.")
    unit = {
        OutcomeScale.PERCENTAGE_POINTS: _("percentage points"),
        OutcomeScale.PERSONS: _("persons"),
    }.get(scale, _("units"))
    params = {
        "outcome": outcome,
        "size": _num(abs(overall["estimate"])),
        "unit": unit,
        "low": _num(overall["ci_low"]),
        "high": _num(overall["ci_high"]),
    }
    if overall["ci_low"] > 0:
        text = _(
            "The reform increased %(outcome)s by %(size)s %(unit)s "
            "(95%% confidence interval %(low)s to %(high)s)."
        )
    elif overall["ci_high"] < 0:
        text = _(
            "The reform decreased %(outcome)s by %(size)s %(unit)s "
            "(95%% confidence interval %(low)s to %(high)s)."
        )
    else:
        params["estimate"] = _num(overall["estimate"])
        text = _(
            "The reform did not detectably change %(outcome)s (estimate %(estimate)s "
            "%(unit)s, 95%% confidence interval %(low)s to %(high)s)."
        )
    return text % params


def report_context(run: EvaluationRun) -> dict[str, Any]:
    design, res = run.design, run.results or {}
    monthly = bool(res.get("monthly"))
    estimators = res.get("estimators", [])
    primary = estimators[0] if estimators else None
    data = res.get("data", {})
    dynamic = primary["dynamic"] if primary else []
    cutoff = -int(design.get("anticipation", 0))
    plot = (
        event_plot(primary, y_label=design.get("outcome", ""), cutoff=cutoff, id_prefix="es")
        if primary
        else {"svg": "", "rows": []}
    )
    main_overall = _overall(primary["simple"]) if primary else None
    pre = res.get("pretrends") or {}
    return {
        "run": run,
        "design": design,
        "treatment_source": _label(TreatmentSource, design.get("treatment_source")),
        "unit_level": _label(UnitLevel, design.get("unit_level")),
        "comparison": _label(ComparisonGroup, design.get("comparison")),
        "cluster_level": _label(ClusterLevel, design.get("cluster_level")),
        "estimator_names": [_label(Estimator, e) for e in design.get("estimators", [])],
        "estimator_options": option_fields.describe(
            design.get("estimator_options"), design.get("estimators", [])
        ),
        "move_rule": (
            _label(MoveRule, design.get("move_rule") or MoveRule.REGISTRATION)
            if design.get("unit_level") == UnitLevel.PERSON
            and design.get("panel_source") == PanelSource.STORE_EVENTS
            else ""
        ),
        "covariates": [_label(PersonCovariate, c) for c in design.get("covariates") or []],
        "treated": res.get("treated", []),
        "treated_municipalities": res.get("treated_municipalities", 0),
        "data": data,
        "first_period": _period(data.get("first_period"), monthly),
        "last_period": _period(data.get("last_period"), monthly),
        "cohorts": [
            {"label": _period(c["cohort"], monthly), "units": c["units"]}
            for c in data.get("cohorts", [])
        ],
        "pretrends": {
            "statistic": _num(pre.get("statistic")),
            "df": pre.get("df", 0),
            "df2": pre.get("df2"),
            "lags": _lags(pre.get("event_times") or []),
            "p_value": _num(pre.get("p_value"), 3),
            "rejects": pre.get("p_value") is not None and pre["p_value"] < 0.05,
            "available": pre.get("statistic") is not None,
        },
        "plot": plot["svg"],
        "dynamic_rows": [_row(r, monthly) for r in dynamic],
        "group_rows": [_row(r, monthly) for r in primary["group"]] if primary else [],
        "main": _row(main_overall, monthly) if main_overall else None,
        "has_bands": any(r.get("band_low") is not None for r in dynamic),
        **robustness_context(res, design, lambda r: _row(r, monthly)),
        "primary_name": _label(Estimator, primary["key"]) if primary else "",
        "panel_notes": translate_all(res.get("panel_notes"), monthly=monthly),
        "panel_source": _label(PanelSource, res.get("panel_source", PanelSource.FILE)),
        "notes": translate_all(primary["notes"], monthly=monthly) if primary else [],
        "se_kind": (primary or {}).get("meta", {}).get("se_kind", ""),
        "summary": summary_sentence(
            design.get("outcome", ""),
            design.get("outcome_scale", ""),
            main_overall,
        ),
        "software": res.get("software", {}),
        "fingerprint": run.fingerprint,
    }


def render_report(run: EvaluationRun, language: str) -> str:
    """The standalone report page (inline CSS, no external resources) in ``language``."""
    with translation.override(language):
        return render_to_string("evaluation/report.html", report_context(run))


def pdf_path(run: EvaluationRun, language: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "evaluation" / f"run-{run.pk}-v{run.version}-{language}.pdf"


def _chromium() -> str | None:
    explicit = getattr(settings, "EVALUATION_CHROMIUM", None)
    if explicit is not None:
        return explicit or None
    return next((p for p in map(shutil.which, CHROMIUM) if p), None)


def write_pdf(run: EvaluationRun, language: str, html: str | None = None) -> str | None:
    """Print the report to PDF with headless Chromium; the path, or None without Chromium."""
    binary = _chromium()
    if binary is None:
        return None
    target = pdf_path(run, language)
    target.parent.mkdir(parents=True, exist_ok=True)
    html = html if html is not None else render_report(run, language)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        cmd = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if done.returncode or not target.exists():
        raise RuntimeError(f"PDF printing failed: {done.stderr.decode(errors='replace')[-500:]}")
    return str(target)
