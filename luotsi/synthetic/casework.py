"""Case-work events of a block: registration, responsibility, the Nordic service model's meetings,
assessments, plans and tasks, job-search reports, contacts, experiments and exits.

Meeting rhythm (``luotsi/kernel/service_model_rules.csv``, chosen by the registration date):
initial interview within 5 working days (registrations up to 31.12.2025) or 10 (from 1.1.2026),
kept on time with probability ``initial_interview_on_time``; a new initial interview only if 6+
months passed since the previous period ended (otherwise the first meeting is a job-seeker
interview); supplementary interviews every 2 weeks in the first 3 months and two extra ones in
every 6th month (registrations 2.5.2022-31.12.2025), by need from 2026; job-seeker interviews
every 3 months. Meetings fall on Finnish working days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from luotsi.kernel import codes

from . import timebase as tb
from .block import EDUCATION_CODES, LANGUAGE_CODES, Block
from .frame import Codes, Opt

DIMENSIONS = tuple(sorted(codes.AssessmentDimension.values()))
CHANNELS = codes.ContactChannel.values()  # in_person, phone, video, message
MEETING_TYPES = codes.MeetingType.values()
CANCEL = codes.MeetingCancelReason.values()
TASK_KINDS = codes.PlanTaskKind.values()
TASK_STATUS = codes.PlanTaskStatus.values()
STATUS = codes.LabourMarketStatus.values()
REG_REASONS = codes.RegistrationReason.values()
SUPPLEMENTARY_FROM = tb.day(dt.date(2022, 5, 2))
RULES_2026 = tb.day(dt.date(2026, 1, 1))
MEETING_CHANNELS = {True: (0.45, 0.35, 0.2, 0.0), False: (0.35, 0.45, 0.2, 0.0)}  # urban/rural
CHANGED_FIELDS = ('["phone"]', '["email"]', '["address","postal_code"]', '["email","phone"]')
MAX_JOB_SEARCH_INTERVIEWS = 48
MAX_REPORTS = 120
NULL_STRING = pa.scalar(None, pa.string())


def _scores_json(scores: np.ndarray) -> pa.Array:
    """``{dimension: score}`` JSON (sorted keys, compact) for rows of 9 scores 1-5."""
    parts = [f'"{d}":0' for d in DIMENSIONS]
    template = ("{" + ",".join(parts) + "}").encode()
    width = len(template)
    digit_at = []
    pos = 1
    for part in parts:
        pos += len(part)
        digit_at.append(pos - 1)
        pos += 1
    n = len(scores)
    buf = np.tile(np.frombuffer(template, dtype=np.uint8), n).reshape(n, width)
    buf[:, digit_at] = (scores.astype(np.uint8) + ord("0"))[:, : len(DIMENSIONS)]
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * width).tobytes())
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(buf.tobytes()))


def _meeting(b: Block, idx, held_day, meeting_type, *, booked_day=None, cancel=None):
    """Schedule (and hold or cancel) meetings; returns the mask of meetings actually held."""
    n = len(idx)
    if n == 0:
        return np.zeros(0, bool)
    ids = b.new_ids("meeting", n)
    channel = b.choice(n, np.array([MEETING_CHANNELS[bool(u)] for u in b.urban[idx]]))
    at = b.rng.integers(8 * 4, 15 * 4, n) * 900  # quarter hours 8:00-15:00 local
    if booked_day is None:
        booked_day = np.maximum(b.start[idx], held_day - b.rng.integers(3, 15, n))
    booked_day = np.minimum(booked_day, held_day)
    booked_secs = np.where(booked_day == held_day, at - 3600, b.office(n))
    booked_secs = np.maximum(booked_secs, 8 * 3600)
    mt = Codes(np.full(n, MEETING_TYPES.index(meeting_type)), MEETING_TYPES)
    kept = b.emit(
        "meeting.scheduled",
        idx,
        booked_day,
        booked_secs,
        {
            "meeting_id": ids,
            "meeting_type": mt,
            "channel": Codes(channel, CHANNELS),
            "scheduled_for": b.timestamp(held_day, at),
        },
    )
    held = kept & (held_day <= b.limit[idx])
    if cancel is not None:
        cancelled = held & cancel
        held &= ~cancel
        reason = b.choice(n, (0.45, 0.15, 0.4))
        sel = np.flatnonzero(cancelled)
        b.emit(
            "meeting.cancelled",
            idx[sel],
            held_day[sel],
            at[sel] + 600,
            {
                "meeting_id": ids[sel],
                "meeting_type": Codes(mt.index[sel], MEETING_TYPES),
                "cancel_reason": Codes(reason[sel], CANCEL),
            },
        )
    sel = np.flatnonzero(held)
    b.emit(
        "meeting.held",
        idx[sel],
        held_day[sel],
        at[sel] + 2700,
        {
            "meeting_id": ids[sel],
            "meeting_type": Codes(mt.index[sel], MEETING_TYPES),
            "channel": Codes(channel[sel], CHANNELS),
            "held_on": held_day[sel],
        },
    )
    return held


def registration(b: Block) -> np.ndarray:
    """customer.registered, responsibility.assigned, experiment.assigned; returns local seconds
    of the registration."""
    n = b.n
    idx = np.arange(n)
    secs = b.rng.integers(6 * 60, 8 * 60, n) * 60  # online, before office hours
    moved_in = (b.number == 0) & (b.rng.random(n) < 0.05)
    reason = np.where(b.number > 0, 1, np.where(moved_in, 2, 0))
    area_codes = tuple(sorted({a.code for a in b.areas}))
    area_idx = np.searchsorted(np.array(area_codes), np.array([a.code for a in b.areas]))
    status = np.where(b.laid_off, STATUS.index("laid_off"), STATUS.index("unemployed"))
    b.emit(
        "customer.registered",
        idx,
        b.start,
        secs,
        {
            "enrolment_id": b.enrolment_id,
            "registered_on": b.start,
            "reason": Codes(reason, REG_REASONS),
            "area_code": Codes(area_idx, area_codes),
            "birth_year": tb.year_month(b.birth_day)[0],
            "sex": Codes(np.where(b.male, 0, 1), ("male", "female")),
            "language_group": Codes(b.language, LANGUAGE_CODES),
            "education_level": Codes(b.education, EDUCATION_CODES),
            "status": Codes(status, STATUS),
            "foreign_national": b.foreign,
        },
        actor=None,
    )
    b.emit(
        "responsibility.assigned",
        idx,
        b.start,
        secs + 3600 + b.rng.integers(0, 6 * 60, n) * 60,
        {"worker_id": b.worker, "team_id": b.team, "reason": "initial"},
    )
    for e, exp in enumerate(b.config.experiments):
        sel = np.flatnonzero(b.arm[:, e] >= 0)
        b.emit(
            "experiment.assigned",
            sel,
            b.start[sel],
            secs[sel] + 60,
            {
                "experiment_id": exp.experiment_id,
                "arm": Codes(b.arm[sel, e].astype(np.int64), ("control", "treatment")),
                "stratum": Codes(b.muni[sel], b.municipality_codes),
                "assigned_on": b.start[sel],
            },
            actor=None,
        )
    return secs


def first_meeting(b: Block) -> np.ndarray:
    """The initial interview (or, within 6 months of a previous period, a job-seeker interview);
    returns the day it was held (-1 if not held)."""
    p = b.p
    n = b.n
    deadline = np.where(b.start >= RULES_2026, 10, 5)
    on_time = b.rng.random(n) < p.initial_interview_on_time
    offset = np.where(
        on_time,
        1 + np.floor(b.rng.random(n) * deadline).astype(np.int64),
        deadline + b.rng.geometric(0.2, n),
    )
    held_day = tb.add_working_days(b.start, offset)
    new = (b.previous_end < 0) | (b.start >= tb.add_months(np.maximum(b.previous_end, 0), 6))
    no_show = b.rng.random(n) < p.no_show
    # a missed earlier booking (cancelled as a no-show) before the one that is held
    missed_day = tb.add_working_days(b.start, np.floor(b.rng.random(n) * offset).astype(np.int64))
    sel = np.flatnonzero(no_show & (missed_day < held_day))
    for kind in ("initial_interview", "job_search_interview"):
        s = sel[new[sel] == (kind == "initial_interview")]
        _meeting(b, s, missed_day[s], kind, booked_day=b.start[s], cancel=np.ones(len(s), bool))
    held = np.zeros(n, bool)
    for kind in ("initial_interview", "job_search_interview"):
        s = np.flatnonzero(new == (kind == "initial_interview"))
        held[s] = _meeting(b, s, held_day[s], kind, booked_day=b.start[s])
    return np.where(held, held_day, -1)


def supplementary(b: Block, first: np.ndarray) -> None:
    p = b.p
    has = first >= 0
    # every 2 weeks in the first 3 months (registrations 2.5.2022-31.12.2025)
    rule = has & (b.start >= SUPPLEMENTARY_FROM) & (b.start < RULES_2026)
    window_end = tb.add_months(b.start, 3)
    k = np.arange(1, 7)
    due = first[:, None] + 14 * k[None, :]
    ok = rule[:, None] & (due <= window_end[:, None])
    # two extra discussions in months 6-7, 12-13, ... (intensified periods)
    extra_k = np.arange(1, 9)
    six = tb.add_months(np.repeat(b.start, len(extra_k)), np.tile(6 * extra_k, b.n)).reshape(
        b.n, -1
    )
    extra_due = np.concatenate([six + 7, six + 21], axis=1)
    extra_ok = rule[:, None] & (extra_due <= b.limit[:, None])
    # from 2026 by service need: 1-2 meetings in the first 3 months for some
    need = has & (b.start >= RULES_2026) & (b.rng.random(b.n) < 0.3)
    need_due = first[:, None] + np.array([21, 49])[None, :]
    need_ok = need[:, None] & (np.arange(2)[None, :] < b.rng.integers(1, 3, b.n)[:, None])
    rows, cols = np.nonzero(np.concatenate([ok, extra_ok, need_ok], axis=1))
    dues = np.concatenate([due, extra_due, need_due], axis=1)[rows, cols]
    held_day = tb.next_working_day(dues - b.rng.integers(0, 4, len(rows)))
    missed = b.rng.random(len(rows)) > p.supplementary_held
    _meeting(b, rows, held_day, "supplementary_interview", cancel=missed)


def job_search_interviews(b: Block, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Job-seeker interviews every 3 months; returns (period index, day) of those held."""
    p = b.p
    out_idx, out_day = [], []
    idx = np.flatnonzero(first >= 0)
    last = first[idx]
    for _ in range(MAX_JOB_SEARCH_INTERVIEWS):
        if not idx.size:
            break
        due = tb.add_months(last, 3)
        on_time = b.rng.random(len(idx)) < p.job_search_interview_on_time
        day = np.where(
            on_time,
            tb.next_working_day(due - b.rng.integers(0, 11, len(idx))),
            tb.add_working_days(due, b.rng.integers(1, 21, len(idx))),
        )
        alive = day <= b.limit[idx]
        idx, day = idx[alive], day[alive]
        held = _meeting(b, idx, day, "job_search_interview")
        out_idx.append(idx[held])
        out_day.append(day[held])
        last = day
    if not out_idx:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_idx), np.concatenate(out_day)


def assessments_and_plans(b: Block, first: np.ndarray, jsi_idx, jsi_day) -> None:
    """Assessment and plan (with tasks) at the first meeting; at job-seeker interviews a new
    plan version (mostly) and every ``assessment_interval_months`` a repeated assessment."""
    p = b.p
    n = b.n
    base = np.clip(
        np.round(
            b.rng.normal(3.2, 0.9, (n, len(DIMENSIONS)))
            - 0.8 * b.needs[:, None]
            - 0.3 * (b.education == 0)[:, None]
        ),
        1,
        5,
    )
    lang_dim = DIMENSIONS.index("language")
    base[:, lang_dim] = np.where(b.language == 3, np.clip(base[:, lang_dim] - 1, 1, 5), 5)
    has = first >= 0
    # occasions: first meeting (all) and job-seeker interviews (plan: 70%, assessment: every 2nd)
    f_idx = np.flatnonzero(has)
    order = np.lexsort((jsi_day, jsi_idx))
    jsi_idx, jsi_day = jsi_idx[order], jsi_day[order]
    ordinal = np.arange(len(jsi_idx)) - np.searchsorted(jsi_idx, jsi_idx)  # 0, 1, ... per period
    every = max(1, p.assessment_interval_months // 3)
    a_sel = (ordinal + 1) % every == 0
    a_idx = np.concatenate([f_idx, jsi_idx[a_sel]])
    a_day = np.concatenate([first[f_idx], jsi_day[a_sel]])
    a_round = np.concatenate([np.zeros(len(f_idx), np.int64), (ordinal[a_sel] + 1) // every])
    gain = b.rng.random((len(a_idx), len(DIMENSIONS))) < p.assessment_improvement
    # distance travelled: each later assessment may gain a point per dimension (at most 3)
    scores = np.clip(base[a_idx] + gain * np.minimum(a_round, 3)[:, None], 1, 5).astype(np.int64)
    own = np.clip(scores + b.rng.integers(-1, 2, scores.shape), 1, 5)
    has_own = b.rng.random(len(a_idx)) < 0.7
    # sequence: 1, 2, ... per person in time order
    person = b.person[a_idx]
    o = np.lexsort((a_day, person))
    seq = np.empty(len(a_idx), np.int64)
    sp = person[o]
    seq[o] = np.arange(len(o)) - np.searchsorted(sp, sp) + 1
    secs = 15 * 3600 + b.rng.integers(0, 50, len(a_idx)) * 60
    customer = _scores_json(own)
    b.emit(
        "assessment.recorded",
        a_idx,
        a_day,
        secs,
        {
            "assessment_id": b.new_ids("assessment", len(a_idx)),
            "sequence": seq,
            "assessed_on": a_day,
            "worker_scores": _scores_json(scores),
            "customer_scores": pc.if_else(pa.array(has_own), customer, NULL_STRING),
        },
    )
    # plans: version 1 at the first meeting, new versions at 70% of job-seeker interviews
    plan_id = b.plan_id
    new_version = b.rng.random(len(jsi_idx)) < 0.7
    p_idx = np.concatenate([f_idx, jsi_idx[new_version]])
    p_day = np.concatenate([first[f_idx], jsi_day[new_version]])
    o = np.lexsort((p_day, p_idx))
    p_idx, p_day = p_idx[o], p_day[o]
    version = np.arange(len(p_idx)) - np.searchsorted(p_idx, p_idx) + 1
    m = len(p_idx)
    agreed = b.rng.random(m) < p.plan_agreed
    apps = np.where(
        b.laid_off[p_idx],
        b.rng.integers(0, 3, m),
        np.array([0, 2, 3, 4, 4, 4, 4, 4])[b.rng.integers(0, 8, m)],
    )
    n_tasks = 1 + (b.rng.random(m) < 0.5) + (b.rng.random(m) < 0.3)
    secs = 15 * 3600 + 50 * 60 + b.rng.integers(0, 9, m) * 60
    b.emit(
        "plan.saved",
        p_idx,
        p_day,
        secs,
        {
            "plan_id": plan_id[p_idx],
            "plan_version": version,
            "agreed": agreed,
            "agreed_on": Opt(p_day, agreed),
            "valid_until": Opt(tb.add_months(p_day, 6), agreed),
            "review_due_on": tb.add_months(p_day, 3),
            "task_count": n_tasks,
            "applications_required": apps,
        },
    )
    _tasks(b, p_idx, p_day, plan_id, n_tasks, apps)
    job_search_reports(b, p_idx[version == 1], p_day[version == 1], apps[version == 1])


def _tasks(b: Block, p_idx, p_day, plan_id, n_tasks, apps) -> None:
    """Tasks added with a plan version (planned), later done, in progress or cancelled."""
    rows = np.repeat(np.arange(len(p_idx)), n_tasks)
    ordinal = np.arange(len(rows)) - np.searchsorted(rows, rows)
    idx, day = p_idx[rows], p_day[rows]
    first_kind = np.where(apps[rows] > 0, 0, 1)  # job search if applications are required
    other = b.choice(len(rows), (0.0, 0.45, 0.35, 0.2))
    kind = np.where(ordinal == 0, first_kind, other)
    task_id = b.new_ids("task", len(rows))
    due = tb.add_months(day, b.rng.integers(1, 4, len(rows)))
    secs = 15 * 3600 + 59 * 60 + np.zeros(len(rows), np.int64)
    b.emit(
        "plan_task.changed",
        idx,
        day,
        secs,
        {
            "plan_id": plan_id[idx],
            "task_id": task_id,
            "task_kind": Codes(kind, TASK_KINDS),
            "task_status": Codes(np.zeros(len(rows), np.int64), TASK_STATUS),
            "due_on": due,
        },
    )
    later = day + np.maximum(1, (b.rng.random(len(rows)) * (due - day + 20)).astype(np.int64))
    status = b.choice(len(rows), (0.0, 0.2, 0.65, 0.15))
    b.emit(
        "plan_task.changed",
        idx,
        tb.next_working_day(later),
        b.office(len(rows)),
        {
            "plan_id": plan_id[idx],
            "task_id": task_id,
            "task_kind": Codes(kind, TASK_KINDS),
            "task_status": Codes(status, TASK_STATUS),
            "previous_task_status": Codes(np.zeros(len(rows), np.int64), TASK_STATUS),
            "due_on": due,
        },
    )


def job_search_reports(b: Block, idx, plan_day, apps) -> None:
    """Monthly job-search follow-up periods from the first plan (when applications are required)."""
    sel = apps > 0
    idx, plan_day, apps = idx[sel], plan_day[sel], apps[sel]
    count = np.clip(np.floor((b.limit[idx] - plan_day) / 30.44).astype(np.int64), 0, MAX_REPORTS)
    rows = np.repeat(np.arange(len(idx)), count)
    k = np.arange(len(rows)) - np.searchsorted(rows, rows)
    start = tb.add_months(plan_day[rows], k)
    end = tb.add_months(plan_day[rows], k + 1) - 1
    report = end + b.rng.integers(1, 8, len(rows))
    required = apps[rows]
    done = b.rng.poisson(required * 1.05)
    b.emit(
        "job_search.reported",
        idx[rows],
        report,
        b.rng.integers(7 * 60, 22 * 60, len(rows)) * 60,
        {
            "period_start": start,
            "period_end": end,
            "applications": done,
            "applications_required": required,
        },
        actor=None,
    )


def contacts(b: Block) -> None:
    p = b.p
    months = np.maximum(b.limit - b.start, 0) / 30.44
    count = b.rng.poisson(p.contacts_per_month * months * np.where(b.needs, 2.0, 1.0))
    rows = np.repeat(np.arange(b.n), count)
    day = (
        b.start[rows]
        + 1
        + (b.rng.random(len(rows)) * (b.limit[rows] - b.start[rows])).astype(np.int64)
    )
    day = tb.next_working_day(day)
    b.emit(
        "contact.recorded",
        rows,
        day,
        b.office(len(rows)),
        {
            "contact_id": b.new_ids("contact", len(rows)),
            "channel": Codes(b.choice(len(rows), (0.1, 0.3, 0.1, 0.5)), CHANNELS),
        },
    )
    years = np.maximum(b.limit - b.start, 0) / 365.25
    count = b.rng.poisson(p.details_updated_per_year * years)
    rows = np.repeat(np.arange(b.n), count)
    day = (
        b.start[rows]
        + 1
        + (b.rng.random(len(rows)) * (b.limit[rows] - b.start[rows])).astype(np.int64)
    )
    b.emit(
        "customer.details_updated",
        rows,
        day,
        b.rng.integers(7 * 60, 22 * 60, len(rows)) * 60,
        {"changed_fields": Codes(b.choice(len(rows), (4, 3, 2, 1)), CHANGED_FIELDS)},
        actor=None,
    )


def exits(b: Block) -> None:
    idx = np.flatnonzero(b.exited & (b.end <= b.window_end))
    day = b.end[idx]
    secs = 16 * 3600 + b.rng.integers(0, 60, len(idx)) * 60
    b.emit(
        "customer.exited",
        idx,
        day,
        secs,
        {
            "enrolment_id": b.enrolment_id[idx],
            "ended_on": day,
            "exit_reason": Codes(b.reason[idx], codes.ExitReason.values()),
        },
    )
    at = b.timestamp(day, secs + 60)
    b.emit(
        "responsibility.ended",
        idx,
        day,
        secs + 60,
        {"worker_id": b.worker_at(idx, at), "enrolment_id": b.enrolment_id[idx]},
    )
