"""Ecosystem events of a block: handovers (with bouncing back) and referrals to services.

Handovers: requested to another worker of the area with a deadline of 10 working days, then
accepted (a new responsible worker), declined, expired (nobody took it: a gap in handling) or
cancelled; some accepted ones are sent straight back (A -> B -> A, "pallottelu").

Referrals: while a period is open, a referral is drafted at ``referrals_per_month`` (times the
experiment arm's ``take_up_ratio``; higher for persons with complex needs), one at a time:
consent (external providers) -> drafted -> sent -> accepted | rejected | revoked -> started ->
progress reported -> completed | interrupted. While a service runs, the customer's status is
``in_service`` (not counted as unemployed).
"""

from __future__ import annotations

import numpy as np

from luotsi.kernel import codes

from . import timebase as tb
from .block import Block, select
from .frame import Codes, Opt
from .tables import OFFERINGS

OUTCOMES = codes.ReferralOutcome.values()  # employed, education, next_service, no_change, unknown
STATUS = codes.LabourMarketStatus.values()
HANDOVER_REASONS = ("caseload", "expertise", "customer_request", "language")
DECLINE_REASONS = ("no_capacity", "wrong_expertise")
REJECT_REASONS = ("no_capacity", "not_eligible", "customer_not_reached")
INTERRUPT_REASONS = ("health", "customer_stopped", "moved", "period_ended")
REVOKE_REASONS = ("not_needed", "customer_declined")
SHARED_FIELDS = ('["contact","plan","service_need"]', '["contact","plan"]')
TASK_KINDS = codes.PlanTaskKind.values()
TASK_STATUS = codes.PlanTaskStatus.values()
MAX_REFERRALS = 60
MAX_HANDOVERS = 30


def _other_worker(b: Block, idx: np.ndarray, current: np.ndarray) -> np.ndarray:
    """A random worker of the period's area other than ``current`` (itself if the only one)."""
    out = np.empty(len(idx), np.int64)
    u = b.rng.random(len(idx))
    for i, (k, cur) in enumerate(zip(idx, current, strict=True)):
        workers = b.areas[k].workers
        j = int(u[i] * (len(workers) - 1))
        pos = int(np.searchsorted(workers, cur))
        out[i] = workers[j + (j >= pos)] if len(workers) > 1 else cur
    return out


def handovers(b: Block) -> None:
    p = b.p
    years = np.maximum(b.limit - b.start, 0) / 365.25
    count = np.minimum(
        b.rng.poisson(p.handovers_per_year * years * np.where(b.needs, 3.0, 1.0)), MAX_HANDOVERS
    )
    rows = np.repeat(np.arange(b.n), count)
    day = (
        b.start[rows]
        + 7
        + (b.rng.random(len(rows)) * (b.limit[rows] - b.start[rows])).astype(np.int64)
    )
    day = tb.next_working_day(day)
    order = np.lexsort((day, rows))
    rows, day = rows[order], day[order]
    ordinal = np.arange(len(rows)) - np.searchsorted(rows, rows)
    current = b.worker.copy()
    for j in range(int(ordinal.max()) + 1 if len(rows) else 0):
        sel = ordinal == j
        idx, d = rows[sel], day[sel]
        _one_handover(b, idx, d, current, bounce=True)


def _one_handover(b: Block, idx, day, current, *, bounce: bool) -> None:
    p = b.p
    n = len(idx)
    if n == 0:
        return
    giver = current[idx]
    taker = _other_worker(b, idx, giver)
    hid = b.new_ids("handover", n)
    deadline = tb.add_working_days(day, 10)
    org = b.org[idx]
    common = {
        "handover_id": hid,
        "from_worker_id": giver,
        "to_worker_id": taker,
        "from_organisation_id": org,
        "to_organisation_id": org,
    }
    secs = b.office(n, 8, 14)
    kept = b.emit(
        "handover.requested",
        idx,
        day,
        secs,
        {
            **common,
            "deadline_on": deadline,
            "reason": Codes(b.choice(n, (0.4, 0.3, 0.2, 0.1)), HANDOVER_REASONS),
        },
        actor=giver,
    )
    outcome = b.choice(
        n,
        (
            p.handover_accepted,
            p.handover_declined,
            p.handover_expired,
            max(0.0, 1 - p.handover_accepted - p.handover_declined - p.handover_expired),
        ),
    )
    answer = tb.add_working_days(day, b.rng.integers(1, 9, n))
    answer_secs = b.office(n, 8, 15)
    for code, kind in ((0, "accepted"), (1, "declined"), (3, "cancelled")):
        s = np.flatnonzero(kept & (outcome == code))
        payload = {k: v[s] for k, v in common.items()}
        if kind == "declined":
            payload["reason"] = Codes(b.choice(len(s), (0.6, 0.4)), DECLINE_REASONS)
        actor = giver[s] if kind == "cancelled" else taker[s]
        done = b.emit(f"handover.{kind}", idx[s], answer[s], answer_secs[s], payload, actor=actor)
        if kind == "accepted":
            s = s[done]
            at = b.timestamp(answer[s], answer_secs[s] + 60)
            b.emit(
                "responsibility.assigned",
                idx[s],
                answer[s],
                answer_secs[s] + 60,
                {
                    "worker_id": taker[s],
                    "previous_worker_id": giver[s],
                    "team_id": np.array(
                        [
                            b.areas[k].worker_teams[np.searchsorted(b.areas[k].workers, w)]
                            for k, w in zip(idx[s], taker[s], strict=True)
                        ],
                        dtype=np.int64,
                    ),
                    "reason": "handover",
                },
                actor=taker[s],
            )
            b.add_worker_change(idx[s], at, taker[s])
            current[idx[s]] = taker[s]
            if bounce:
                back = s[b.rng.random(len(s)) < p.bounce_back]
                back_day = tb.add_working_days(answer[back], b.rng.integers(3, 20, len(back)))
                _one_handover(b, idx[back], back_day, current, bounce=False)
    s = np.flatnonzero(kept & (outcome == 2))
    b.emit(
        "handover.expired",
        idx[s],
        deadline[s] + 1,
        np.full(len(s), 6 * 3600),
        {k: v[s] for k, v in common.items()},
        actor=None,
    )


def referrals(b: Block, first: np.ndarray) -> None:
    """Referral chains of every period with a first meeting (one referral at a time)."""
    p = b.p
    rate = p.referrals_per_month * b.takeup * np.where(b.needs, 2.5, 1.0)
    idx = np.flatnonzero(first >= 0)
    t = first[idx] + (b.rng.exponential(1, len(idx)) / rate[idx] * 30.44).astype(np.int64)
    status = np.where(b.laid_off, STATUS.index("laid_off"), STATUS.index("unemployed"))
    for _ in range(MAX_REFERRALS):
        alive = t <= b.limit[idx]
        idx, t = idx[alive], t[alive]
        if not idx.size:
            break
        free = _one_referral(b, idx, tb.next_working_day(t), status)
        wait = (b.rng.exponential(1, len(idx)) / rate[idx] * 30.44).astype(np.int64)
        t = free + 1 + wait


def _one_referral(b: Block, idx, day, status) -> np.ndarray:
    """Emit one referral's lifecycle for each period; returns the day the customer is free."""
    p = b.p
    n = len(idx)
    rng = b.rng
    area_offer = rng.integers(0, len(OFFERINGS), n)
    offering = np.array([b.areas[k].offering_ids[o] for k, o in zip(idx, area_offer, strict=True)])
    provider = np.array(
        [b.areas[k].offering_providers[o] for k, o in zip(idx, area_offer, strict=True)]
    )
    external = np.array(
        [b.areas[k].offering_external[o] for k, o in zip(idx, area_offer, strict=True)], bool
    )
    rid = b.new_ids("referral", n)
    common = {"referral_id": rid, "offering_id": offering, "provider_id": provider}
    secs = b.office(n, 8, 12)
    consent = external & (rng.random(n) < p.consent_share)
    s = np.flatnonzero(consent)
    consent_id = np.zeros(n, np.int64)
    consent_id[s] = b.new_ids("consent", len(s))
    b.emit(
        "consent.given",
        idx[s],
        day[s],
        secs[s] - 300,
        {
            "consent_id": consent_id[s],
            "recipient_id": provider[s],
            "purpose": "referral",
            "consent_version": 1,
            "shared_fields": Codes(b.choice(len(s), (0.7, 0.3)), SHARED_FIELDS),
            "valid_until": tb.add_months(day[s], 12),
        },
    )
    with_task = rng.random(n) < 0.7
    task = Opt(b.new_ids("task", n), with_task)
    t = np.flatnonzero(with_task)
    task_common = {
        "plan_id": b.plan_id[idx[t]],
        "task_id": task.values[t],
        "task_kind": Codes(np.full(len(t), TASK_KINDS.index("service")), TASK_KINDS),
        "due_on": tb.add_months(day[t], 1),
    }
    b.emit(
        "plan_task.changed",
        idx[t],
        day[t],
        secs[t] - 120,
        {**task_common, "task_status": Codes(np.zeros(len(t), np.int64), TASK_STATUS)},
    )
    b.emit("referral.drafted", idx, day, secs, {**common, "task_id": task})
    sent = rng.random(n) < p.referral_sent
    sent_day = tb.add_working_days(day, rng.integers(0, 3, n) + 1)
    sent_day = np.where(rng.random(n) < 0.5, day, sent_day)
    sent_secs = np.where(sent_day == day, secs + 1800, b.office(n, 8, 15))
    free = day.copy()
    # not sent: revoked by the sender
    s = np.flatnonzero(~sent)
    rev_day = tb.add_working_days(day[s], rng.integers(1, 10, len(s)))
    b.emit(
        "referral.revoked",
        idx[s],
        rev_day,
        b.office(len(s)),
        {
            **{k: v[s] for k, v in common.items()},
            "reason": Codes(b.choice(len(s), (0.6, 0.4)), REVOKE_REASONS),
        },
    )
    free[s] = rev_day
    s = np.flatnonzero(sent)
    payload = {k: v[s] for k, v in common.items()}
    b.emit(
        "referral.sent", idx[s], sent_day[s], sent_secs[s], {**payload, "task_id": task_at(task, s)}
    )
    reject_p = np.where(b.needs[idx], min(1.0, p.referral_rejected * 2.5), p.referral_rejected)
    u = rng.random(n)
    accepted = sent & (u < p.referral_accepted * np.where(b.needs[idx], 0.8, 1.0))
    rejected = sent & ~accepted & (u < p.referral_accepted + reject_p)
    revoked = sent & ~accepted & ~rejected
    answer = tb.add_working_days(sent_day, rng.integers(1, 11, n))
    answer_secs = b.office(n)
    s = np.flatnonzero(rejected)
    b.emit(
        "referral.rejected",
        idx[s],
        answer[s],
        answer_secs[s],
        {
            **{k: v[s] for k, v in common.items()},
            "reason": Codes(b.choice(len(s), (0.4, 0.35, 0.25)), REJECT_REASONS),
        },
        actor=None,  # a worker of the provider (not modelled)
    )
    s = np.flatnonzero(revoked)
    b.emit(
        "referral.revoked",
        idx[s],
        answer[s],
        answer_secs[s],
        {**{k: v[s] for k, v in common.items()}, "reason": "not_needed"},
    )
    free = np.where(rejected | revoked, answer, free)
    s = np.flatnonzero(accepted)
    b.emit(
        "referral.accepted",
        idx[s],
        answer[s],
        answer_secs[s],
        {k: v[s] for k, v in common.items()},
        actor=None,  # a worker of the provider (not modelled)
    )
    started = accepted & (rng.random(n) < p.referral_started)
    start_day = tb.next_working_day(answer + rng.integers(5, 31, n))
    s = np.flatnonzero(accepted & ~started)
    b.emit(
        "referral.revoked",
        idx[s],
        start_day[s],
        b.office(len(s)),
        {**{k: v[s] for k, v in common.items()}, "reason": "customer_declined"},
    )
    free = np.where(accepted & ~started, start_day, free)
    s = np.flatnonzero(started)
    kept = b.emit(
        "referral.started",
        idx[s],
        start_day[s],
        np.full(len(s), 9 * 3600),
        {k: v[s] for k, v in common.items()},
        actor=None,  # a worker of the provider (not modelled)
    )
    s_in = s[kept]
    b.emit(
        "customer.status_changed",
        idx[s_in],
        start_day[s_in],
        np.full(len(s_in), 9 * 3600 + 60),
        {
            "enrolment_id": b.enrolment_id[idx[s_in]],
            "effective_on": start_day[s_in],
            "status": Codes(np.full(len(s_in), STATUS.index("in_service")), STATUS),
            "previous_status": Codes(status[idx[s_in]], STATUS),
        },
    )
    status[idx[s_in]] = STATUS.index("unemployed")
    length = 10 + rng.exponential(max(p.service_mean_days - 10, 1), n).astype(np.int64)
    planned_end = tb.next_working_day(start_day + length)
    limit = b.limit[idx]
    cut = planned_end >= limit
    end_day = np.where(cut, limit, planned_end)
    free = np.where(started, end_day, free)
    # progress report half-way for services longer than a month; some commented by the customer
    s = np.flatnonzero(started & (length > 30))
    mid = tb.next_working_day(start_day[s] + length[s] // 2)
    kept = b.emit(
        "referral.progress_reported",
        idx[s],
        mid,
        b.office(len(s)),
        {k: v[s] for k, v in common.items()},
        actor=None,  # a worker of the provider (not modelled)
    )
    s2 = s[kept & (rng.random(len(s)) < 0.15)]
    mid2 = tb.next_working_day(start_day[s2] + length[s2] // 2)
    b.emit(
        "referral.report_commented",
        idx[s2],
        mid2,
        np.full(len(s2), 17 * 3600),
        {**{k: v[s2] for k, v in common.items()}, "disputes": rng.random(len(s2)) < 0.2},
        actor=None,
    )
    # the end of the service: completed or interrupted (the period's exit decides when cut)
    exit_reason = np.where(b.reason[idx] >= 0, b.reason[idx], 6)
    cut_outcome = np.select(
        [exit_reason == 0, exit_reason == 2], [0, 1], default=3
    )  # employed, education, no change
    completed = np.where(
        cut & b.exited[idx], np.isin(exit_reason, (0, 2)), rng.random(n) < p.referral_completed
    )
    outcome = np.where(cut & b.exited[idx], cut_outcome, b.choice(n, (0.15, 0.1, 0.35, 0.3, 0.1)))
    end_secs = np.full(n, 15 * 3600)
    open_at_end = cut & ~b.exited[idx]  # still running when the window closes
    s = np.flatnonzero(started & completed & ~open_at_end)
    b.emit(
        "referral.completed",
        idx[s],
        end_day[s],
        end_secs[s],
        {**{k: v[s] for k, v in common.items()}, "outcome": Codes(outcome[s], OUTCOMES)},
        actor=None,  # a worker of the provider (not modelled)
    )
    s = np.flatnonzero(started & ~completed & ~open_at_end)
    reason = np.where(cut[s], 3, b.choice(len(s), (0.4, 0.45, 0.15)))
    b.emit(
        "referral.interrupted",
        idx[s],
        end_day[s],
        end_secs[s],
        {
            **{k: v[s] for k, v in common.items()},
            "reason": Codes(reason, INTERRUPT_REASONS),
            "outcome": Codes(outcome[s], OUTCOMES),
        },
        actor=None,  # a worker of the provider (not modelled)
    )
    # back to unemployed when the service ends before the period does
    s = np.flatnonzero(started & ~cut)
    b.emit(
        "customer.status_changed",
        idx[s],
        end_day[s],
        np.full(len(s), 15 * 3600 + 60),
        {
            "enrolment_id": b.enrolment_id[idx[s]],
            "effective_on": end_day[s],
            "status": Codes(np.full(len(s), STATUS.index("unemployed")), STATUS),
            "previous_status": Codes(np.full(len(s), STATUS.index("in_service")), STATUS),
        },
    )
    # the service task: done when the service was completed, else cancelled
    done = started & completed & ~open_at_end
    final = np.where(done, TASK_STATUS.index("done"), TASK_STATUS.index("cancelled"))
    closed = ~open_at_end & (free < b.limit[idx])
    k = t[closed[t]]
    sub = np.isin(t, k)
    b.emit(
        "plan_task.changed",
        idx[k],
        free[k],
        np.full(len(k), 16 * 3600 - 60),
        {
            **{name: select(v, sub, len(t)) for name, v in task_common.items()},
            "task_status": Codes(final[k], TASK_STATUS),
            "previous_task_status": Codes(np.zeros(len(k), np.int64), TASK_STATUS),
        },
    )
    # a few consents are revoked after the service
    s = np.flatnonzero(consent & (rng.random(n) < 0.03))
    b.emit(
        "consent.revoked",
        idx[s],
        free[s] + 1,
        b.office(len(s)),
        {"consent_id": consent_id[s], "recipient_id": provider[s]},
        actor=None,
    )
    return free


def task_at(task: Opt, rows: np.ndarray) -> Opt:
    return Opt(np.asarray(task.values)[rows], np.asarray(task.valid)[rows])
