"""The Nordic service model's deadlines as time-valid data, computed on Finnish working days.

The rules (``service_model_rules.csv``) say what must happen and by when, each with its legal
reference and validity period. The rule set in force is chosen by the **registration date** of the
job-search period (the same convention as indicator O3). :func:`deadlines` turns a period's history
(registration, meetings held, plan) into the deadlines a worker's queues show and indicators count.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import calendar as cal

RULES_FILE = Path(__file__).with_name("service_model_rules.csv")
INTERVIEW_TYPES = frozenset(
    {"initial_interview", "supplementary_interview", "job_search_interview"}
)


@dataclass(frozen=True)
class Rule:
    rule: str
    valid_from: dt.date
    valid_to: dt.date | None
    amount: int
    unit: str
    meeting_type: str
    legal_reference: str
    source: str
    description: str

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@cache
def rules() -> tuple[Rule, ...]:
    out = []
    with RULES_FILE.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append(
                Rule(
                    rule=row["rule"],
                    valid_from=dt.date.fromisoformat(row["valid_from"]),
                    valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                    amount=int(row["amount"]),
                    unit=row["unit"],
                    meeting_type=row["meeting_type"],
                    legal_reference=row["legal_reference"],
                    source=row["source"],
                    description=row["description"],
                )
            )
    return tuple(out)


def rule_on(name: str, day: dt.date) -> Rule | None:
    """The version of rule ``name`` in force on ``day`` (None if the rule does not apply)."""
    for r in rules():
        if r.rule == name and r.valid_on(day):
            return r
    return None


def initial_interview_due(registered_on: dt.date) -> dt.date | None:
    r = rule_on("initial_interview", registered_on)
    return cal.add_working_days(registered_on, r.amount) if r else None


@dataclass(frozen=True)
class Deadline:
    rule: str
    due_on: dt.date
    met_on: dt.date | None
    legal_reference: str
    description: str

    def status(self, today: dt.date) -> str:
        """``met`` (on time), ``late`` (met after the deadline), ``overdue``, ``due`` (within 7 days)
        or ``upcoming``."""
        if self.met_on is not None:
            return "met" if self.met_on <= self.due_on else "late"
        if today > self.due_on:
            return "overdue"
        return "due" if (self.due_on - today).days <= 7 else "upcoming"


@dataclass(frozen=True)
class Meeting:
    meeting_type: str
    held_on: dt.date


def deadlines(
    *,
    registered_on: dt.date,
    today: dt.date,
    meetings: Sequence[Meeting] = (),
    plan_agreed_on: dt.date | None = None,
    ended_on: dt.date | None = None,
) -> list[Deadline]:
    """Deadlines of one job-search period up to ``today`` (or its end), with whether each was met.

    * initial interview: the first ``initial_interview`` held, due D working days after
      registration (D by the rule valid on the registration date);
    * plan made: an agreed plan on or before the initial interview's deadline;
    * supplementary interviews (2022-05-02 to 2025-12-31 registrations): every 2 weeks during the
      first 3 months, counted from the previous interview;
    * intensified period (same registrations): after 6 months of job search a 1-month period with
      2 extra (supplementary) discussions, repeated every 6 months;
    * job-search interview: every 3 calendar months after the previous interview.

    A deadline counted in weeks or months that falls on a Saturday, Sunday or public holiday moves
    to the next working day (Act 150/1930 on the calculation of statutory time limits, § 5).
    """
    horizon = min(today, ended_on) if ended_on else today
    held = sorted(
        (m for m in meetings if m.meeting_type in INTERVIEW_TYPES), key=lambda m: m.held_on
    )
    out: list[Deadline] = []
    first_rule = rule_on("initial_interview", registered_on)
    if first_rule is None:
        return out
    due = cal.add_working_days(registered_on, first_rule.amount)
    initial = next((m.held_on for m in held if m.meeting_type == "initial_interview"), None)
    out.append(
        Deadline(
            "initial_interview", due, initial, first_rule.legal_reference, first_rule.description
        )
    )
    plan_rule = rule_on("plan_made", registered_on)
    if plan_rule:
        out.append(
            Deadline(
                "plan_made", due, plan_agreed_on, plan_rule.legal_reference, plan_rule.description
            )
        )
    if initial is None:
        return out
    supp = rule_on("supplementary_interviews", registered_on)
    if supp:
        window_end = cal.add_months(registered_on, 3)
        last = initial
        while True:
            next_due = cal.next_working_day(last + dt.timedelta(weeks=supp.amount))
            if next_due > window_end or next_due > horizon + dt.timedelta(days=14):
                break
            met = next((m.held_on for m in held if last < m.held_on <= window_end), None)
            out.append(
                Deadline(
                    "supplementary_interviews",
                    next_due,
                    met,
                    supp.legal_reference,
                    supp.description,
                )
            )
            if met is None:
                break
            last = met
    out.extend(_intensified(registered_on, horizon, held))
    jsi = rule_on("job_search_interview", registered_on)
    if jsi:
        last = initial
        while True:
            next_due = cal.next_working_day(cal.add_months(last, jsi.amount))
            if next_due > horizon + dt.timedelta(days=31):
                break
            met = next((m.held_on for m in held if last < m.held_on), None)
            out.append(
                Deadline(
                    "job_search_interview", next_due, met, jsi.legal_reference, jsi.description
                )
            )
            if met is None:
                break
            last = met
    return out


def _intensified(
    registered_on: dt.date, horizon: dt.date, held: Sequence[Meeting]
) -> list[Deadline]:
    """Two extra discussions in the month that starts after every 6 months of job search.

    Each period gives two deadlines due at the end of its month (on a working day); the first and
    the second supplementary interview held on or after the period's first day meet them.
    """
    rule = rule_on("intensified_period", registered_on)
    if rule is None:
        return []
    supplementary = [m.held_on for m in held if m.meeting_type == "supplementary_interview"]
    out: list[Deadline] = []
    k = 1
    while (starts := cal.add_months(registered_on, rule.amount * k)) <= horizon:
        due = cal.next_working_day(cal.add_months(starts, 1))
        ends = cal.add_months(registered_on, rule.amount * (k + 1))
        in_period = [d for d in supplementary if starts <= d < ends]
        for i in range(2):
            met = in_period[i] if i < len(in_period) else None
            out.append(
                Deadline("intensified_period", due, met, rule.legal_reference, rule.description)
            )
        k += 1
    return out


def needs_new_initial_interview(previous_ended_on: dt.date | None, registered_on: dt.date) -> bool:
    """Re-registration: a new initial interview only if 6+ months passed since the last period ended."""
    if previous_ended_on is None:
        return True
    r = rule_on("new_initial_interview", registered_on)
    return r is None or registered_on >= cal.add_months(previous_ended_on, r.amount)
