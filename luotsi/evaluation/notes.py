"""Estimator and panel notes in the report's language.

``luotsi.stats`` and ``luotsi.analytics`` never import Django, so their results carry notes as
English strings (``EffectTable.notes``, ``PanelTable.notes``) with the numbers written in. This
catalogue recognises each known note by a pattern, takes its numbers as parameters and gives the
gettext message in the active language; periods that are month indexes are shown as ``YYYY-MM``
when the panel is monthly. A note that no pattern knows is shown as written, marked as English
(``lang="en"``). The messages avoid plural forms ("... : 3") so one msgid serves every count.

When a note's wording changes in ``luotsi.stats``, ``tests/test_notes.py`` fails on the notes the
estimators really write, so the catalogue is kept in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import PersonCovariate
from .estimators import TWFE_EVENT_NOT_IDENTIFIED
from .panel_file import month_label

NUMBER = r"-?\d+(?:\.\d+)?"


@dataclass(frozen=True, slots=True)
class Note:
    """A note for the report: its text and ``lang`` ("" = the report's language, "en" when the
    original English note is shown because the catalogue does not know it)."""

    text: str
    lang: str = ""


def _count(value: str, monthly: bool) -> str:
    return str(int(float(value)))


def _period(value: str, monthly: bool) -> str:
    x = float(value)
    return month_label(x) if monthly and x >= 12 * 1900 else f"{x:g}"


def _periods(value: str, monthly: bool) -> str:
    return ", ".join(_period(v, monthly) for v in re.findall(NUMBER, value))


def _text(value: str, monthly: bool) -> str:
    return value


def _covariate(value: str, monthly: bool) -> str:
    try:
        return str(PersonCovariate(value).label)
    except ValueError:
        return value


Format = Callable[[str, bool], str]

#: (pattern of the English note, message, formatter of each named group)
CATALOGUE: tuple[tuple[re.Pattern[str], Any, dict[str, Format]], ...] = tuple(
    (re.compile(f"^{pattern}$"), message, formats)
    for pattern, message, formats in (
        # luotsi.stats.did_cs (Callaway-Sant'Anna)
        (
            r"dropped cohorts treated in the first period: \[(?P<cohorts>[^\]]*)\]",
            _("Cohorts treated already in the first period were left out: %(cohorts)s."),
            {"cohorts": _periods},
        ),
        (
            rf"no never-treated units: cohort (?P<cohort>{NUMBER}) serves as comparison group",
            _(
                "There are no never-treated units: the last-treated cohort (%(cohort)s) is the "
                "comparison group."
            ),
            {"cohort": _period},
        ),
        (
            rf"cohort (?P<cohort>{NUMBER}) has no pre-treatment period; skipped",
            _("Cohort %(cohort)s has no pre-treatment period and was left out."),
            {"cohort": _period},
        ),
        (
            rf"no treated or control units for cell (?P<cell>{NUMBER})",
            _("A group-time cell had no treated or no comparison units (cell %(cell)s)."),
            {"cell": _count},
        ),
        # luotsi.evaluation.estimators
        (
            re.escape(TWFE_EVENT_NOT_IDENTIFIED),
            _(
                "The TWFE event study is not identified: its event-time effects are absorbed by "
                "the unit and period effects (for example when there are no never-treated units "
                "and the cohorts start a multiple of some number of periods apart). Only the "
                "static TWFE coefficient is shown; see the heterogeneity-robust estimators for "
                "the dynamics."
            ),
            {},
        ),
        # luotsi.stats.staggered / sunab / imputation / twfe / panel
        (
            rf"(?P<n>{NUMBER}) units first treated after the last period count as never treated",
            _("Units first treated after the last period, counted as never treated: %(n)s."),
            {"n": _count},
        ),
        (
            rf"dropped (?P<n>{NUMBER}) units treated from the first period",
            _("Units treated already in the first period, left out: %(n)s."),
            {"n": _count},
        ),
        (
            rf"dropped (?P<n>{NUMBER}) units not observed in all (?P<t>{NUMBER}) periods "
            r"\(balanced panel\)",
            _(
                "Units not observed in all %(t)s periods, left out (the estimator needs a "
                "balanced panel): %(n)s."
            ),
            {"n": _count, "t": _count},
        ),
        (
            rf"cohort (?P<cohort>{NUMBER}) is the comparison group; periods from "
            rf"(?P<from>{NUMBER}) dropped",
            _(
                "The last-treated cohort (%(cohort)s) is the comparison group; the periods from "
                "%(from)s on were left out."
            ),
            {"cohort": _period, "from": _period},
        ),
        (
            r"comparison group: the last-treated cohort \(Sun-Abraham's not-yet-treated\)",
            _(
                "Comparison group: the last-treated cohort (the not-yet-treated comparison of "
                "Sun and Abraham)."
            ),
            {},
        ),
        (
            rf"(?P<n>{NUMBER}) treated observations in periods without untreated units not "
            r"imputed",
            _(
                "Treated observations in periods without untreated units, which cannot be "
                "imputed: %(n)s."
            ),
            {"n": _count},
        ),
        (
            rf"(?P<n>{NUMBER}) cohort x event-time groups have a single cluster: their treated "
            r"residuals are 0 in the variance, which understates it",
            _(
                "Cohort and event-time groups with a single cluster, whose treated residuals are "
                "zero in the variance so that it is understated: %(n)s."
            ),
            {"n": _count},
        ),
        (
            r"pre-trend rows e<0 come from BJS Test 1 \(leads regression on untreated cells\)",
            _(
                "The pre-treatment rows (event time below 0) come from the leads regression on "
                "the untreated observations (Borusyak, Jaravel and Spiess, test 1)."
            ),
            {},
        ),
        (
            rf"no never-treated units: event time (?P<e>{NUMBER}) also left out "
            r"\(normalised to 0\)",
            _(
                "There are no never-treated units: event time %(e)s is also normalised to zero "
                "and not estimated."
            ),
            {"e": _count},
        ),
        # luotsi.analytics.panels / person_panels and the evaluation's store panels
        (
            rf"(?P<n>{NUMBER}) unit-month values are missing or suppressed",
            _("Unit-month values missing or suppressed in the statistics: %(n)s."),
            {"n": _count},
        ),
        (
            rf"(?P<n>{NUMBER}) municipalities with a missing month were left out",
            _("Municipalities with a missing month, left out: %(n)s."),
            {"n": _count},
        ),
        (
            rf"(?P<n>{NUMBER}) cells of municipalities outside ref_municipality were left out",
            _(
                "Municipality-month cells of municipalities missing from the reference data, "
                "left out: %(n)s."
            ),
            {"n": _count},
        ),
        (
            r"municipality (?P<code>\w+): its merged parts started in different months; the "
            r"earliest is used",
            _(
                "Municipality %(code)s: its merged parts started treatment in different months; "
                "the earliest is used."
            ),
            {"code": _text},
        ),
        (
            rf"(?P<n>{NUMBER}) persons have no municipality at registration",
            _("Persons without a municipality at registration: %(n)s."),
            {"n": _count},
        ),
        (
            rf"(?P<n>{NUMBER}) persons without a municipality at registration were left out",
            _("Persons without a municipality at registration, left out: %(n)s."),
            {"n": _count},
        ),
        (
            r"covariate (?P<name>\w+): level (?P<level>\w+) left out \(not present and absent "
            r"in every cohort and the comparison group\)",
            _(
                "Covariate %(name)s: the level %(level)s was left out, because not every cohort "
                "and the comparison group have persons both with and without it."
            ),
            {"name": _covariate},
        ),
        (
            r"covariate (?P<name>\w+): no level varies within every cohort; the covariate is "
            r"not used",
            _(
                "Covariate %(name)s: no level varies within every cohort and the comparison "
                "group, so the covariate was not used."
            ),
            {"name": _covariate},
        ),
        (
            r"treatment is assigned by municipality but the standard errors are not clustered: "
            r"they are too small; choose the municipality or cluster level",
            _(
                "Treatment is assigned by municipality but the standard errors are not "
                "clustered, so they are too small: choose the municipality or cluster level."
            ),
            {},
        ),
    )
)


def translate(note: str, *, monthly: bool = True) -> Note:
    """``note`` in the active language, or the original (``lang="en"``) when unknown."""
    text = str(note).strip()
    for pattern, message, formats in CATALOGUE:
        match = pattern.match(text)
        if match is None:
            continue
        params = {
            name: formats.get(name, _text)(value, monthly)
            for name, value in match.groupdict().items()
        }
        return Note(str(message) % params if params else str(message))
    return Note(text, "en")


def translate_all(notes: Iterable[str] | None, *, monthly: bool = True) -> list[Note]:
    """Every note translated, duplicates (after translation) shown once."""
    out: list[Note] = []
    for note in notes or ():
        item = translate(note, monthly=monthly)
        if item not in out:
            out.append(item)
    return out
