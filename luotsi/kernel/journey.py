"""The journey log's contract: every kind of domain event, its payload and its flat form.

One typed, immutable event is written per state change (``luotsi.journey.services.record_event``
on the Django side; ``luotsi.synthetic`` writes the same events). This module is the single
definition of what each kind means and carries, used by:

* the writer, which validates and normalises a payload before storing it (``validate_payload``);
* the analytics store and the generator, which exchange events in a **flat** columnar form:
  the envelope columns plus one nullable column per payload field (``FLAT_COLUMNS``), with every
  personal identifier replaced by a keyed pseudonym (``pseudonym``).

Adding a kind or changing a payload is described in ``docs/journey-log.md``. In short: add an
``EventKind`` to ``KINDS``; to change an existing kind, bump its ``version`` and add an upgrader
so that readers see old events in the new shape. Never change the meaning of a stored field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from luotsi.kernel import codes


class PayloadError(ValueError):
    """A payload does not match its event kind; ``errors`` maps field names to messages."""

    def __init__(self, kind: str, errors: Mapping[str, str]):
        self.kind = kind
        self.errors = dict(errors)
        detail = "; ".join(f"{k}: {v}" for k, v in sorted(self.errors.items()))
        super().__init__(f"invalid payload for event kind {kind!r}: {detail}")


class UnknownEventKind(KeyError):
    def __str__(self) -> str:  # KeyError quotes its argument; say what is wrong instead
        return f"unknown journey event kind {self.args[0]!r}; see luotsi.kernel.journey.KINDS"


# Field types. ``ref`` is the id (UUID) of an operational record, ``worker`` a user id; both are
# personal or linkable, so the flat (analytics) form replaces them with keyed pseudonyms.
FIELD_TYPES = (
    "str",
    "code",
    "int",
    "float",
    "bool",
    "date",
    "datetime",
    "ref",
    "worker",
    "org",
    "json",
)

#: Column type of each field type in the flat form (Arrow / DuckDB names).
FLAT_TYPE = {
    "str": "string",
    "code": "string",
    "int": "int64",
    "float": "float64",
    "bool": "bool",
    "date": "date32",
    "datetime": "timestamp[us, UTC]",
    "ref": "int64",
    "worker": "int64",
    "org": "int64",
    "json": "string",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = True
    codes: type[Enum] | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if (self.type == "code") != (self.codes is not None):
            raise ValueError(f"field {self.name}: type 'code' and a code list go together")


@dataclass(frozen=True)
class EventKind:
    """One kind of domain event. ``name`` is ``<entity>.<past-tense verb>``."""

    name: str
    version: int
    summary: str
    fields: tuple[Field, ...]
    needs_customer: bool = True
    indicators: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def F(
    name: str, type_: str, *, required: bool = True, codes_: type[Enum] | None = None, doc: str = ""
):
    return Field(name, type_, required, codes_, doc)


def C(name: str, code_list: type[Enum], *, required: bool = True, doc: str = "") -> Field:
    return Field(name, "code", required, code_list, doc)


_ENROLMENT = F("enrolment_id", "ref", doc="the job-search period (enrolment) this event belongs to")
_REFERRAL = (
    F("referral_id", "ref"),
    F("offering_id", "org", doc="service offering in the catalogue"),
    F("provider_id", "org", doc="organisation that provides the service"),
)
_HANDOVER = (
    F("handover_id", "ref"),
    F("from_worker_id", "worker", required=False),
    F("to_worker_id", "worker", required=False),
    F("from_organisation_id", "org", required=False),
    F("to_organisation_id", "org", required=False),
)

_KIND_LIST: tuple[EventKind, ...] = (
    # --- customers and case work -------------------------------------------------------------
    EventKind(
        "customer.registered",
        1,
        "A job-search period (enrolment) started in an employment area.",
        (
            _ENROLMENT,
            F("registered_on", "date"),
            C("reason", codes.RegistrationReason),
            F("area_code", "str", doc="employment area code valid on registered_on"),
            F("birth_year", "int"),
            C("sex", codes.Sex),
            C("language_group", codes.LanguageGroup),
            C("education_level", codes.EducationLevel),
            C("status", codes.LabourMarketStatus, doc="labour-market status at registration"),
            F("foreign_national", "bool", required=False),
        ),
        indicators=("O1", "O2", "O3", "O4", "O12"),
    ),
    EventKind(
        "customer.status_changed",
        1,
        "The customer's labour-market status changed within an open period.",
        (
            _ENROLMENT,
            F("effective_on", "date"),
            C("status", codes.LabourMarketStatus),
            C("previous_status", codes.LabourMarketStatus),
        ),
        indicators=("O1", "O12", "B3"),
    ),
    EventKind(
        "customer.moved",
        1,
        "The customer's municipality of residence changed (the envelope carries the new one).",
        (
            F("effective_on", "date"),
            F("from_municipality", "str"),
            F("to_municipality", "str"),
        ),
    ),
    EventKind(
        "customer.details_updated",
        1,
        "Contact or personal details changed; only the names of the changed fields are logged.",
        (F("changed_fields", "json", doc="list of field names"),),
    ),
    EventKind(
        "customer.exited",
        1,
        "A job-search period ended, with the reason (the outcome for indicators and evaluation).",
        (_ENROLMENT, F("ended_on", "date"), C("exit_reason", codes.ExitReason)),
        indicators=("O9", "O10", "O11"),
    ),
    EventKind(
        "responsibility.assigned",
        1,
        "A responsible worker was assigned (first assignment, reassignment or handover).",
        (
            F("worker_id", "worker"),
            F("previous_worker_id", "worker", required=False),
            F("team_id", "org", required=False),
            F("reason", "str", doc="initial | rebalance | handover | absence | other"),
        ),
        indicators=("O13", "O15"),
    ),
    EventKind(
        "responsibility.ended",
        1,
        "Nobody is responsible any more because the period ended (never while a period is open).",
        (F("worker_id", "worker"), _ENROLMENT),
        indicators=("O15",),
    ),
    EventKind(
        "assessment.recorded",
        1,
        "A life-situation assessment was recorded; scores 1-5 per dimension.",
        (
            F("assessment_id", "ref"),
            F("sequence", "int", doc="1 for the first assessment of the customer, then 2, 3..."),
            F("assessed_on", "date"),
            F("worker_scores", "json", doc="{dimension: score}"),
            F(
                "customer_scores",
                "json",
                required=False,
                doc="{dimension: score}, customer's own view",
            ),
        ),
    ),
    EventKind(
        "plan.saved",
        1,
        "A version of the employment plan was saved (agreed or draft).",
        (
            F("plan_id", "ref"),
            F("plan_version", "int"),
            F("agreed", "bool"),
            F("agreed_on", "date", required=False),
            F("valid_until", "date", required=False),
            F("review_due_on", "date", required=False),
            F("task_count", "int"),
            F(
                "applications_required",
                "int",
                required=False,
                doc="job-search obligation per month",
            ),
        ),
        indicators=("O5",),
    ),
    EventKind(
        "plan_task.changed",
        1,
        "A task of the plan was added or its status changed.",
        (
            F("plan_id", "ref"),
            F("task_id", "ref"),
            C("task_kind", codes.PlanTaskKind),
            C("task_status", codes.PlanTaskStatus),
            C("previous_task_status", codes.PlanTaskStatus, required=False),
            F("due_on", "date", required=False),
        ),
    ),
    EventKind(
        "meeting.scheduled",
        1,
        "A meeting was booked.",
        (
            F("meeting_id", "ref"),
            C("meeting_type", codes.MeetingType),
            C("channel", codes.ContactChannel),
            F("scheduled_for", "datetime"),
        ),
    ),
    EventKind(
        "meeting.held",
        1,
        "A meeting took place (initial interview, supplementary or recurring job-seeker interview).",
        (
            F("meeting_id", "ref"),
            C("meeting_type", codes.MeetingType),
            C("channel", codes.ContactChannel),
            F("held_on", "date"),
        ),
        indicators=("O3", "O4", "O6", "O7", "O8"),
    ),
    EventKind(
        "meeting.cancelled",
        1,
        "A booked meeting was cancelled or missed.",
        (
            F("meeting_id", "ref"),
            C("meeting_type", codes.MeetingType),
            C("cancel_reason", codes.MeetingCancelReason),
        ),
    ),
    EventKind(
        "contact.recorded",
        1,
        "A contact or note was recorded (the text stays in the case file, never in the log).",
        (F("contact_id", "ref"), C("channel", codes.ContactChannel)),
        indicators=("O8",),
    ),
    EventKind(
        "job_search.reported",
        1,
        "Applications made in a follow-up period of the job-search obligation.",
        (
            F("period_start", "date"),
            F("period_end", "date"),
            F("applications", "int"),
            F("applications_required", "int"),
        ),
    ),
    # --- ecosystem: consent, referrals, handovers ----------------------------------------------
    EventKind(
        "consent.given",
        1,
        "The customer consented to share the listed data with an organisation for a purpose.",
        (
            F("consent_id", "ref"),
            F("recipient_id", "org"),
            F("purpose", "str"),
            F("consent_version", "int"),
            F("shared_fields", "json", doc="list of field names"),
            F("valid_until", "date", required=False),
        ),
    ),
    EventKind(
        "consent.revoked",
        1,
        "A consent was revoked; access ends, the record stays.",
        (F("consent_id", "ref"), F("recipient_id", "org")),
    ),
    *(
        EventKind(
            f"referral.{verb}",
            1,
            summary,
            (*_REFERRAL, *extra),
            indicators=("O14",),
        )
        for verb, summary, extra in (
            (
                "drafted",
                "A referral to a service was drafted.",
                (F("task_id", "ref", required=False),),
            ),
            (
                "sent",
                "A referral was sent to the provider.",
                (F("task_id", "ref", required=False),),
            ),
            ("accepted", "The provider accepted the referral.", ()),
            ("rejected", "The provider rejected the referral.", (F("reason", "str"),)),
            ("started", "The customer started in the service.", ()),
            ("progress_reported", "The provider reported progress.", ()),
            (
                "completed",
                "The service was completed.",
                (C("outcome", codes.ReferralOutcome),),
            ),
            (
                "interrupted",
                "The service was interrupted.",
                (F("reason", "str"), C("outcome", codes.ReferralOutcome, required=False)),
            ),
            ("revoked", "The sender revoked the referral.", (F("reason", "str", required=False),)),
            (
                "report_commented",
                "The customer commented on a progress report (disputes = disagrees with it).",
                (F("disputes", "bool"),),
            ),
        )
    ),
    *(
        EventKind(f"handover.{verb}", 1, summary, (*_HANDOVER, *extra), indicators=("O16", "O17"))
        for verb, summary, extra in (
            (
                "requested",
                "Responsibility was offered to another worker, team or organisation.",
                (F("deadline_on", "date"), F("reason", "str", required=False)),
            ),
            ("accepted", "The receiver accepted responsibility.", ()),
            (
                "declined",
                "The receiver declined; the sender stays responsible.",
                (F("reason", "str"),),
            ),
            ("expired", "The deadline passed unaccepted; back in the sender's queue.", ()),
            ("cancelled", "The sender withdrew the handover.", ()),
        )
    ),
    # --- experiments ----------------------------------------------------------------------------
    EventKind(
        "experiment.assigned",
        1,
        "The customer was randomised into an arm of an experiment.",
        (
            F("experiment_id", "org"),
            F("arm", "str"),
            F("stratum", "str", required=False),
            F("assigned_on", "date"),
        ),
    ),
)

KINDS: dict[str, EventKind] = {k.name: k for k in _KIND_LIST}
if len(KINDS) != len(_KIND_LIST):  # pragma: no cover - guarded by a test as well
    raise RuntimeError("duplicate journey event kind")


def kind(name: str) -> EventKind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownEventKind(name) from None


# --- validation ---------------------------------------------------------------------------------


def _normalise(f: Field, value: Any) -> Any:
    """Return the JSON form of one payload value, or raise ValueError with a message."""
    t = f.type
    if t in ("str",):
        if not isinstance(value, str) or not value:
            raise ValueError("expected a non-empty string")
        return value
    if t == "code":
        allowed = {m.value for m in f.codes}  # type: ignore[union-attr]
        v = value.value if isinstance(value, Enum) else value
        if v not in allowed:
            raise ValueError(f"{v!r} is not one of {sorted(allowed)}")
        return v
    if t in ("int", "worker", "org"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("expected an integer")
        return value
    if t == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("expected a number")
        return float(value)
    if t == "bool":
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if t == "date":
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise ValueError("expected a date")
        return (value if isinstance(value, dt.date) else dt.date.fromisoformat(value)).isoformat()
    if t == "datetime":
        v = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        if v.tzinfo is None:
            raise ValueError("expected an aware datetime (with a time zone)")
        return v.astimezone(dt.UTC).isoformat()
    if t == "ref":
        return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
    if t == "json":
        json.dumps(value)  # raises TypeError for what cannot be stored
        return value
    raise AssertionError(t)  # pragma: no cover


def validate_payload(name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``payload`` against kind ``name``; return its JSON-ready, normalised form.

    Raises ``UnknownEventKind`` or ``PayloadError`` (naming every wrong field); never returns a
    partly valid payload.
    """
    k = kind(name)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    known = {f.name for f in k.fields}
    for extra in sorted(set(payload) - known):
        errors[extra] = "not a field of this kind"
    for f in k.fields:
        value = payload.get(f.name)
        if value is None:
            if f.required:
                errors[f.name] = "required"
            continue
        try:
            out[f.name] = _normalise(f, value)
        except (ValueError, TypeError) as exc:
            errors[f.name] = str(exc)
    if errors:
        raise PayloadError(name, errors)
    return out


# --- flat (analytics) form ------------------------------------------------------------------------

#: Envelope columns of the flat form, in order.
ENVELOPE_COLUMNS: dict[str, str] = {
    "event_id": "int64",
    "kind": "string",
    "schema_version": "int16",
    "occurred_at": "timestamp[us, UTC]",
    "recorded_at": "timestamp[us, UTC]",
    "actor_id": "int64",
    "person_id": "int64",
    "organisation_id": "int64",
    "municipality_code": "string",
}


def _payload_columns() -> dict[str, str]:
    cols: dict[str, str] = {}
    for k in _KIND_LIST:
        for f in k.fields:
            t = FLAT_TYPE[f.type]
            if cols.setdefault(f.name, t) != t:
                raise RuntimeError(f"payload field {f.name!r} has two column types")
            if f.name in ENVELOPE_COLUMNS:
                raise RuntimeError(f"payload field {f.name!r} shadows an envelope column")
    return dict(sorted(cols.items()))


#: Every column of the flat form: envelope, then payload fields (all nullable), name -> type.
FLAT_COLUMNS: dict[str, str] = {**ENVELOPE_COLUMNS, **_payload_columns()}

#: Payload fields whose flat value is a pseudonym (``ref`` and ``worker`` types).
PSEUDONYMISED_FIELDS = frozenset(
    f.name for k in _KIND_LIST for f in k.fields if f.type in ("ref", "worker")
)


def pseudonym(key: bytes, value: object) -> int:
    """Keyed, stable pseudonym of an identifier: a positive 63-bit integer (HMAC-SHA256)."""
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def flatten(
    *,
    key: bytes,
    event_id: int,
    kind_name: str,
    schema_version: int,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    actor_id: int | None,
    customer_id: object | None,
    organisation_id: int | None,
    municipality_code: str | None,
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    """One stored event as a flat, pseudonymised row (keys = ``FLAT_COLUMNS``)."""
    k = kind(kind_name)
    row: dict[str, Any] = dict.fromkeys(FLAT_COLUMNS)
    row.update(
        event_id=event_id,
        kind=kind_name,
        schema_version=schema_version,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor_id=None if actor_id is None else pseudonym(key, f"user:{actor_id}"),
        person_id=None if customer_id is None else pseudonym(key, f"customer:{customer_id}"),
        organisation_id=organisation_id,
        municipality_code=municipality_code,
    )
    for f in k.fields:
        v = payload.get(f.name)
        if v is None:
            continue
        if f.type == "ref":
            v = pseudonym(key, f"{f.name}:{v}")
        elif f.type == "worker":
            v = pseudonym(key, f"user:{v}")
        elif f.type == "date":
            v = dt.date.fromisoformat(v) if isinstance(v, str) else v
        elif f.type == "datetime":
            v = dt.datetime.fromisoformat(v) if isinstance(v, str) else v
        elif f.type == "json":
            v = json.dumps(v, sort_keys=True, separators=(",", ":"))
        row[f.name] = v
    return row


def kinds_for_indicator(code: str) -> Iterable[str]:
    return (k.name for k in _KIND_LIST if code in k.indicators)
