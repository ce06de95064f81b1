"""The report's event-study plots and its robustness section, built from a run's stored results.

Plots are drawn by :func:`luotsi.stats.plots.event_study_svg` from the stored event-time rows
(turned back into :class:`~luotsi.stats.results.Estimate` objects); every plot has its data
table next to it. The robustness section puts each chosen estimator's overall estimate, interval,
kind of inference and notes (in the report's language, :mod:`luotsi.evaluation.notes`) side by
side, with the Goodman-Bacon decomposition of the TWFE coefficient (the naive comparison, and why
it misleads), the wild bootstrap and the synthetic control's donors and placebo test when they
were chosen.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from luotsi.reference.models import Municipality
from luotsi.stats.plots import event_study_rows, event_study_svg
from luotsi.stats.results import Estimate

from . import options as opts
from .choices import Estimator
from .notes import translate_all

DECIMAL_COMMA = ("fi", "sv")


def _label(value: str) -> str:
    try:
        return str(Estimator(value).label)
    except ValueError:
        return value


def num(value: float | None, digits: int = 2) -> str:
    """A number for the report: a real minus sign, a decimal comma in Finnish and Swedish."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:.{digits}f}".replace("-", "−")
    return text.replace(".", ",") if (get_language() or "")[:2] in DECIMAL_COMMA else text


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def estimates(rows: list[dict]) -> list[Estimate]:
    """Stored event-time rows back as Estimates (None -> NaN) for the plot."""
    return [
        Estimate(
            r["label"],
            _nan(r["estimate"]),
            _nan(r.get("se")),
            _nan(r.get("ci_low")),
            _nan(r.get("ci_high")),
            {"event_time": int(r["event_time"])},
            r.get("band_low"),
            r.get("band_high"),
        )
        for r in rows
        if "event_time" in r and r.get("estimate") is not None
    ]


def event_plot(entry: dict, *, y_label: str, cutoff: int, id_prefix: str) -> dict[str, Any]:
    """The SVG and its table rows for one estimator's event study (empty when it has none)."""
    points = estimates(entry.get("dynamic") or [])
    if not points:
        return {"svg": mark_safe(""), "rows": [], "id": id_prefix}
    reference = (entry.get("meta") or {}).get("reference_period")
    name = _label(entry["key"])
    svg = event_study_svg(
        points,
        title=_("Event study (%(estimator)s): effect by months since the start of treatment")
        % {"estimator": name},
        desc=_(
            "Estimates with 95%% confidence intervals for each event time; event times before "
            "%(cutoff)s are pre-treatment checks and should be near zero. The same numbers are "
            "in the table below."
        )
        % {"cutoff": cutoff},
        x_label=_("Months since treatment start"),
        y_label=y_label,
        reference_label=_("reference") if reference is not None else "",
        reference_period=reference,
        id_prefix=id_prefix,
    )
    rows = [
        {
            "event_time": r["event_time"],
            "estimate": num(r["estimate"], 3),
            "ci": (
                f"{num(r['ci_low'], 3)} … {num(r['ci_high'], 3)}"
                if r["ci_low"] is not None and math.isfinite(r["ci_low"])
                else "–"
            ),
            "reference": r["reference"],
        }
        for r in event_study_rows(points, reference_period=reference)
    ]
    return {"svg": SafeString(svg), "rows": rows, "id": id_prefix, "name": name}


def _inference(entry: dict, design: dict) -> str:
    family, meta = entry.get("family", "cs"), entry.get("meta") or {}
    if family == "synth":
        return _("No standard error: permutation p-value from placebo runs on the donors.")
    if family == "bootstrap":
        wild = entry.get("wild") or {}
        return _(
            "Wild cluster bootstrap (%(draws)s draws, %(clusters)s clusters): interval and "
            "p-value by the bootstrap; standard error cluster-robust."
        ) % {"draws": wild.get("draws", "–"), "clusters": wild.get("n_clusters", "–")}
    if entry["key"] == "imputation":
        if opts.value(design.get("estimator_options"), "imputation", "leave_out"):
            return _(
                "Conservative clustered standard errors (Borusyak-Jaravel-Spiess), treated "
                "effects averaged leaving out each cluster's own."
            )
        return _(
            "Conservative clustered standard errors (Borusyak-Jaravel-Spiess), treated effects "
            "averaged including each cluster's own (can be too small with few clusters)."
        )
    if family == "regression":
        return _("Cluster-robust standard errors (CR1), %(clusters)s clusters.") % {
            "clusters": meta.get("n_clusters", "–")
        }
    if meta.get("se_kind") == "bootstrap":
        return _("Multiplier bootstrap (%(draws)s draws), clustered.") % {
            "draws": design.get("bootstrap_draws")
        }
    return _("Analytic standard errors from influence functions, clustered.")


BACON_TYPES = {
    "treated vs never treated": lambda: _("Treated vs never treated"),
    "earlier vs later treated": lambda: _("Earlier vs later treated (not yet treated as control)"),
    "later vs earlier treated": lambda: _(
        "Later vs earlier treated (already treated as control: the problematic comparison)"
    ),
    "later vs always treated": lambda: _("Later vs always treated"),
}


def _bacon(bacon: dict | None) -> dict[str, Any] | None:
    if not bacon:
        return None
    types = bacon.get("by_type") or []
    bad = sum(t["weight"] for t in types if t["type"] in ("later vs earlier treated",))
    return {
        "twfe": num(bacon.get("twfe_estimate"), 3),
        "recomposed": num(bacon.get("recomposed"), 3),
        "rows": [
            {
                "type": BACON_TYPES.get(t["type"], lambda t=t: t["type"])(),
                "weight": num(100 * t["weight"], 1),
                "estimate": num(t.get("estimate"), 3),
            }
            for t in types
        ],
        "problem_share": num(100 * bad, 1),
        "total": num(100.0, 1),
        "has_problem": bad > 0,
    }


def _named(code: str) -> str:
    """``491 Mikkeli`` for a municipality code of the reference data, else the code."""
    name = Municipality.objects.filter(code=code).values_list("name_fi", flat=True).first()
    return f"{code} {name}" if name else code


def _synth(synth: dict | None) -> dict[str, Any] | None:
    if not synth:
        return None
    return {
        "unit": _named(synth["treated_unit"]),
        "donors": synth["donors"],
        "weights": [
            {"unit": _named(w["unit"]), "weight": num(100 * w["weight"], 1)}
            for w in synth["donor_weights"]
        ],
        "pre_rmspe": num(synth.get("pre_rmspe"), 3),
        "post_rmspe": num(synth.get("post_rmspe"), 3),
        "ratio": num(synth.get("rmspe_ratio"), 2),
        "p_value": num(synth.get("p_value"), 3),
    }


def robustness_context(results: dict, design: dict, row) -> dict[str, Any]:
    """``robustness`` rows (every chosen estimator), ``bacon``, ``synth``, ``robustness_plots``.

    ``row`` formats a stored estimate row (``report._row``)."""
    cutoff = -int(design.get("anticipation", 0))
    y_label = design.get("outcome", "")
    monthly = bool(results.get("monthly"))
    table, plots, bacon, synth = [], [], None, None
    for i, entry in enumerate(results.get("estimators", [])):
        overall = next((r for r in entry.get("simple", []) if r.get("overall")), None)
        table.append(
            {
                "key": entry["key"],
                "name": _label(entry["key"]),
                **(row(overall) if overall else {"estimate": "–", "se": "–", "ci": "–", "p": "–"}),
                "inference": _inference(entry, design),
                "notes": translate_all(entry.get("notes"), monthly=monthly),
            }
        )
        if i > 0:
            plot = event_plot(entry, y_label=y_label, cutoff=cutoff, id_prefix=f"es-{entry['key']}")
            if plot["rows"]:
                plots.append(plot)
        bacon = bacon or _bacon(entry.get("bacon"))
        synth = synth or _synth(entry.get("synth"))
    return {"robustness": table, "robustness_plots": plots, "bacon": bacon, "synth": synth}
