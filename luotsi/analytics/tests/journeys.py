"""A tiny builder of flat journey events for hand-made test journeys.

Each method appends one event in the flat form of ``luotsi.kernel.journey`` (ids are plain small
integers standing in for pseudonyms). ``occurred_at`` is 10:00 UTC (12:00 or 13:00 in Finland) on
the event's day unless a time is given, so its Finnish date is the same day.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa

from luotsi.analytics.store import event_schema
from luotsi.kernel import journey

D = dt.date.fromisoformat


def at(day: str | dt.date, hour: int = 10) -> dt.datetime:
    d = D(day) if isinstance(day, str) else day
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=dt.UTC)


class Journeys:
    def __init__(self, first_id: int = 1):
        self.rows: list[dict[str, Any]] = []
        self.next_id = first_id

    def add(
        self,
        kind: str,
        day: str | dt.date,
        *,
        person: int | None,
        muni: str | None = None,
        org: int | None = None,
        when: dt.datetime | None = None,
        **payload: Any,
    ) -> int:
        journey.kind(kind)  # unknown kinds fail loudly
        row = dict.fromkeys(journey.FLAT_COLUMNS)
        ts = when or at(day)
        row.update(
            event_id=self.next_id,
            kind=kind,
            schema_version=1,
            occurred_at=ts,
            recorded_at=ts,
            actor_id=1,
            person_id=person,
            organisation_id=org,
            municipality_code=muni,
        )
        for k, v in payload.items():
            if k not in journey.FLAT_COLUMNS:
                raise KeyError(f"{k} is not a flat column")
            if journey.FLAT_COLUMNS[k] == "date32" and isinstance(v, str):
                v = D(v)
            if journey.FLAT_COLUMNS[k] == "string" and isinstance(v, dict):
                v = json.dumps(v)
            row[k] = v
        self.rows.append(row)
        self.next_id += 1
        return row["event_id"]

    # --- case work ---------------------------------------------------------------------------

    def register(
        self,
        person: int,
        enrolment: int,
        on: str,
        muni: str,
        *,
        status: str = "unemployed",
        area: str | None = None,
    ) -> int:
        return self.add(
            "customer.registered",
            on,
            person=person,
            muni=muni,
            enrolment_id=enrolment,
            registered_on=on,
            reason="new",
            area_code=area,
            birth_year=1990,
            sex="female",
            language_group="fi",
            education_level="tertiary",
            status=status,
        )

    def exit(self, person: int, enrolment: int, on: str, reason: str, muni: str | None = None):
        return self.add(
            "customer.exited",
            on,
            person=person,
            muni=muni,
            enrolment_id=enrolment,
            ended_on=on,
            exit_reason=reason,
        )

    def status(
        self, person: int, enrolment: int, on: str, status: str, previous: str = "unemployed"
    ):
        return self.add(
            "customer.status_changed",
            on,
            person=person,
            enrolment_id=enrolment,
            effective_on=on,
            status=status,
            previous_status=previous,
        )

    def move(self, person: int, on: str, to: str, frm: str):
        return self.add(
            "customer.moved",
            on,
            person=person,
            muni=to,
            effective_on=on,
            from_municipality=frm,
            to_municipality=to,
        )

    def assign(
        self,
        person: int,
        worker: int,
        on: str,
        *,
        org: int | None = None,
        when: dt.datetime | None = None,
    ):
        return self.add(
            "responsibility.assigned",
            on,
            person=person,
            org=org,
            when=when,
            worker_id=worker,
            reason="initial",
        )

    def unassign(self, person: int, worker: int, enrolment: int, on: str):
        return self.add(
            "responsibility.ended", on, person=person, worker_id=worker, enrolment_id=enrolment
        )

    def meeting(
        self,
        person: int,
        meeting: int,
        on: str,
        muni: str,
        *,
        type_: str = "initial_interview",
        channel: str = "in_person",
    ):
        return self.add(
            "meeting.held",
            on,
            person=person,
            muni=muni,
            meeting_id=meeting,
            meeting_type=type_,
            channel=channel,
            held_on=on,
        )

    def plan(
        self,
        person: int,
        plan: int,
        version: int,
        on: str,
        *,
        agreed: bool = True,
        valid_until: str | None = None,
    ):
        return self.add(
            "plan.saved",
            on,
            person=person,
            plan_id=plan,
            plan_version=version,
            agreed=agreed,
            agreed_on=on if agreed else None,
            valid_until=valid_until,
            task_count=1,
        )

    def assess(
        self, person: int, assessment: int, seq: int, on: str, muni: str, scores: dict[str, int]
    ):
        return self.add(
            "assessment.recorded",
            on,
            person=person,
            muni=muni,
            assessment_id=assessment,
            sequence=seq,
            assessed_on=on,
            worker_scores=scores,
        )

    # --- ecosystem ---------------------------------------------------------------------------

    def referral(
        self,
        person: int,
        referral: int,
        stage: str,
        on: str,
        muni: str,
        *,
        offering: int = 1,
        provider: int = 100,
        outcome: str | None = None,
        reason: str | None = None,
    ):
        extra: dict[str, Any] = {}
        if outcome:
            extra["outcome"] = outcome
        if stage in ("rejected", "interrupted"):
            extra["reason"] = reason or "x"
        return self.add(
            f"referral.{stage}",
            on,
            person=person,
            muni=muni,
            referral_id=referral,
            offering_id=offering,
            provider_id=provider,
            **extra,
        )

    def handover(
        self,
        person: int,
        handover: int,
        stage: str,
        on: str,
        muni: str,
        *,
        frm: int,
        to: int,
        deadline: str | None = None,
    ):
        extra: dict[str, Any] = {}
        if stage == "requested":
            extra["deadline_on"] = deadline or on
        return self.add(
            f"handover.{stage}",
            on,
            person=person,
            muni=muni,
            handover_id=handover,
            from_organisation_id=frm,
            to_organisation_id=to,
            **extra,
        )

    # --- output ------------------------------------------------------------------------------

    def table(self) -> pa.Table:
        return pa.Table.from_pylist(self.rows, schema=event_schema())


class ListSource:
    """An in-memory ``EventSource`` over rows; ``fail_after`` raises on the n-th fetch."""

    def __init__(self, table: pa.Table, fail_after: int | None = None):
        self.table = table
        self.calls = 0
        self.fail_after = fail_after

    def fetch(self, after_event_id: int, limit: int) -> pa.RecordBatch:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise ConnectionError("the journey database went away")
        import pyarrow.compute as pc

        t = self.table.filter(pc.greater(self.table["event_id"], after_event_id))
        t = t.sort_by("event_id").slice(0, limit)
        return (
            t.combine_chunks().to_batches()[0]
            if t.num_rows
            else pa.RecordBatch.from_pylist([], schema=self.table.schema)
        )
