"""Columnar assembly of journey events into Arrow record batches with exactly ``FLAT_COLUMNS``.

Event producers call :meth:`EventFrame.add` once per kind with whole arrays (one element per
event); :meth:`EventFrame.batch` sorts the events of each person by time, numbers them and
builds the Arrow columns (payload columns that a kind does not have are null).

Identifiers are structured positive int64s, unique across a run:
``tag << 57 | scope << 36 | local`` where ``tag`` says what is identified (event, person,
period, meeting, ...), ``scope`` is the unit of work (or the employment area for workers and
organisations) and ``local`` a counter within it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from luotsi.kernel.journey import FLAT_COLUMNS, KINDS

TAGS = {
    "event": 0,
    "person": 1,
    "enrolment": 2,
    "meeting": 3,
    "assessment": 4,
    "plan": 5,
    "task": 6,
    "contact": 7,
    "referral": 8,
    "handover": 9,
    "consent": 10,
    "worker": 11,
    "organisation": 12,
    "offering": 13,
    "team": 14,
    "experiment": 15,
}
LOCAL_BITS = 36
SCOPE_BITS = 21


def make_id(tag: str, scope: int | np.ndarray, local: int | np.ndarray):
    """Structured id (see module docstring)."""
    scope = np.asarray(scope, dtype=np.int64)
    local = np.asarray(local, dtype=np.int64)
    if np.any(local >= 1 << LOCAL_BITS) or np.any(scope >= 1 << SCOPE_BITS):
        raise OverflowError("too many ids in one unit of work")
    out = (np.int64(TAGS[tag]) << 57) | (scope << LOCAL_BITS) | local
    return out if out.ndim else int(out)


def arrow_type(name: str) -> pa.DataType:
    t = FLAT_COLUMNS[name]
    if t == "timestamp[us, UTC]":
        return pa.timestamp("us", tz="UTC")
    return pa.type_for_alias(t)


SCHEMA = pa.schema([pa.field(c, arrow_type(c)) for c in FLAT_COLUMNS])
KIND_NAMES = tuple(KINDS)
KIND_INDEX = {k: i for i, k in enumerate(KIND_NAMES)}
_KIND_DICT = pa.array(KIND_NAMES, pa.string())
_VERSIONS = np.array([KINDS[k].version for k in KIND_NAMES], dtype=np.int16)


@dataclass(frozen=True)
class Codes:
    """A string column given as indices into ``categories`` (-1 = null)."""

    index: np.ndarray
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Opt:
    """A numeric column with missing values (``valid`` False = null)."""

    values: np.ndarray
    valid: np.ndarray


_NUMPY = {
    "int64": np.int64,
    "int16": np.int16,
    "float64": np.float64,
    "bool": np.bool_,
    "date32": np.int32,
    "timestamp[us, UTC]": np.int64,
}


def _column(name: str, blocks: list[tuple[int, dict]], n: int, order: np.ndarray) -> pa.Array:
    """One flat column over all blocks (nulls where a block lacks the field), rows in ``order``."""
    t = SCHEMA.field(name).type
    given = [(off, size, v[name]) for off, size, v in blocks if v.get(name) is not None]
    if not given:
        return pa.nulls(n, t)
    if any(isinstance(v, pa.Array) for _o, _s, v in given):  # prebuilt strings (JSON)
        pieces, at = [], 0
        for off, size, v in given:
            if off > at:
                pieces.append(pa.nulls(off - at, t))
            pieces.append(v if isinstance(v, pa.Array) else _strings(v, size))
            at = off + size
        if at < n:
            pieces.append(pa.nulls(n - at, t))
        return pa.concat_arrays(pieces).take(pa.array(order))
    if pa.types.is_string(t):
        categories: dict[str, int] = {}
        lookups: dict[int, np.ndarray] = {}  # by id() of a category tuple (alive meanwhile)
        index = np.full(n, -1, dtype=np.int32)
        for off, size, v in given:
            if isinstance(v, str):
                v = Codes(np.zeros(1, np.int32), (v,))
            lookup = lookups.get(id(v.categories))
            if lookup is None:
                lookup = np.array([categories.setdefault(c, len(categories)) for c in v.categories])
                lookups[id(v.categories)] = lookup
            idx = np.asarray(v.index)
            index[off : off + size] = np.where(idx < 0, -1, lookup[np.maximum(idx, 0)])
        index = index[order]
        mask = index < 0
        return pa.DictionaryArray.from_arrays(
            pa.array(np.maximum(index, 0), pa.int32(), mask=mask if mask.any() else None),
            pa.array(list(categories), pa.string()),
        ).cast(pa.string())
    dtype = _NUMPY[FLAT_COLUMNS[name]]
    values = np.zeros(n, dtype=dtype)
    valid = np.zeros(n, dtype=bool)
    for off, size, v in given:
        if isinstance(v, Opt):
            values[off : off + size] = v.values
            valid[off : off + size] = v.valid
        else:
            values[off : off + size] = v
            valid[off : off + size] = True
    values, valid = values[order], valid[order]
    mask = None if valid.all() else ~valid
    if pa.types.is_timestamp(t):
        return pa.array(values, pa.int64(), mask=mask).cast(t)
    if pa.types.is_date32(t):
        return pa.array(values, pa.int32(), mask=mask).cast(t)
    return pa.array(values, t, mask=mask)


def _strings(v, size: int) -> pa.Array:
    if isinstance(v, str):
        v = Codes(np.zeros(size, np.int32), (v,))
    idx = np.broadcast_to(np.asarray(v.index, dtype=np.int32), (size,))
    return pa.DictionaryArray.from_arrays(
        pa.array(np.maximum(idx, 0), mask=idx < 0), pa.array(v.categories, pa.string())
    ).cast(pa.string())


class EventFrame:
    """Collects events of one block of persons (``person`` = local person index)."""

    def __init__(self) -> None:
        self._blocks: list[tuple[int, dict]] = []
        self._person: list[np.ndarray] = []
        self._time: list[np.ndarray] = []
        self._kind: list[np.ndarray] = []
        self.rows = 0

    def add(
        self,
        kind: str,
        *,
        person: np.ndarray,
        occurred_at: np.ndarray,
        envelope: dict,
        payload: dict,
    ) -> None:
        """Add ``len(person)`` events of ``kind``; ``envelope`` holds actor_id, person_id,
        organisation_id, municipality_code; ``payload`` the kind's fields (arrays or scalars)."""
        n = len(person)
        if n == 0:
            return
        fields = {f.name for f in KINDS[kind].fields}
        unknown = set(payload) - fields
        if unknown:
            raise KeyError(f"{kind}: not payload fields: {sorted(unknown)}")
        self._person.append(np.asarray(person, dtype=np.int64))
        self._time.append(np.asarray(occurred_at, dtype=np.int64))
        self._kind.append(np.full(n, KIND_INDEX[kind], dtype=np.int16))
        self._blocks.append((n, {**envelope, **payload}))
        self.rows += n

    def batch(self, event_ids_from: int, scope: int, recorded_lag: np.ndarray) -> pa.RecordBatch:
        """The events sorted by (person, time, insertion order), numbered from
        ``event_ids_from`` within ``scope``. ``recorded_lag`` gives µs between occurrence and
        recording per (sorted) row."""
        n = self.rows
        if n == 0:
            return pa.RecordBatch.from_pylist([], schema=SCHEMA)
        person = np.concatenate(self._person)
        time = np.concatenate(self._time)
        kind = np.concatenate(self._kind)
        order = np.lexsort((np.arange(n), time, person))
        blocks, off = [], 0
        for size, values in self._blocks:
            blocks.append((off, size, values))
            off += size
        columns = {
            name: _column(name, blocks, n, order)
            for name in FLAT_COLUMNS
            if name not in ("event_id", "kind", "schema_version", "occurred_at", "recorded_at")
        }
        occurred = time[order]
        ids = make_id("event", scope, event_ids_from + np.arange(n))
        kinds = kind[order]
        env = {
            "event_id": pa.array(ids, pa.int64()),
            "kind": pa.DictionaryArray.from_arrays(
                pa.array(kinds.astype(np.int32)), _KIND_DICT
            ).cast(pa.string()),
            "schema_version": pa.array(_VERSIONS[kinds], pa.int16()),
            "occurred_at": pa.array(occurred, pa.int64()).cast(SCHEMA.field("occurred_at").type),
            "recorded_at": pa.array(occurred + recorded_lag, pa.int64()).cast(
                SCHEMA.field("recorded_at").type
            ),
        }
        arrays = [env[c] if c in env else columns[c] for c in FLAT_COLUMNS]
        return pa.RecordBatch.from_arrays(arrays, schema=SCHEMA)
