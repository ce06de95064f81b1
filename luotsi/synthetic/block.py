"""The working context of one block of persons: their periods as arrays and an ``emit`` helper.

Event producers (:mod:`.casework`, :mod:`.ecosystem`) receive a :class:`Block`, draw what
happens for every period at once and call :meth:`Block.emit` with arrays. ``emit`` drops events
after the period's end (or after the window), turns local days and times into UTC timestamps,
fills the envelope (person, organisation, municipality, acting worker) and hands the columns to
the :class:`~luotsi.synthetic.frame.EventFrame`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import timebase as tb
from .config import SyntheticConfig
from .frame import Codes, EventFrame, Opt, make_id
from .population import OPEN, Population
from .tables import Area

LANGUAGE_CODES = ("fi", "sv", "se", "other")
SEX_CODES = ("male", "female")
EDUCATION_CODES = ("basic", "upper_secondary", "tertiary", "unknown")


def select(value, mask: np.ndarray, n: int):
    """Rows ``mask`` of a payload value given for ``n`` events (scalars pass through)."""
    if isinstance(value, Codes):
        idx = np.asarray(value.index)
        return Codes(idx[mask] if idx.ndim and len(idx) == n else idx, value.categories)
    if isinstance(value, Opt):
        return Opt(select(value.values, mask, n), select(value.valid, mask, n))
    if isinstance(value, pa.Array):
        return value.filter(pa.array(mask))
    if isinstance(value, np.ndarray) and value.ndim and len(value) == n:
        return value[mask]
    return value


class Block:
    """Periods (in the window) of a block of persons of one unit."""

    def __init__(
        self,
        config: SyntheticConfig,
        unit_index: int,
        pop: Population,
        periods: np.ndarray,
        municipality_codes: tuple[str, ...],
        area_of: list[Area],
        urban: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        self.config = config
        self.p = config.parameters
        self.unit = unit_index
        self.rng = rng
        self.frame = EventFrame()
        self.window_start = tb.day(config.starts_on)
        self.window_end = tb.day(config.ends_on)
        n = len(periods)
        self.n = n
        self.period_key = periods  # index in the unit's period list (stable)
        person = pop.person[periods]
        self.person = person
        self.person_id = make_id("person", unit_index, person)
        self.enrolment_id = make_id("enrolment", unit_index, periods)
        self.plan_id = make_id("plan", unit_index, periods)  # one plan per period
        muni = pop.municipality[person]
        self.muni = muni
        self.municipality_codes = municipality_codes
        self.areas = [area_of[m] for m in muni]
        self.area_key = np.array([int(a.code) for a in self.areas], dtype=np.int64)
        self.org = np.array([a.organisation_id for a in self.areas], dtype=np.int64)
        self.urban = urban[muni]
        self.start = pop.start[periods]
        self.end = pop.end[periods]
        self.exited = self.end != OPEN
        self.reason = pop.reason[periods]
        self.number = pop.number[periods]
        self.previous_end = pop.previous_end[periods]
        self.laid_off = pop.laid_off[periods]
        self.arm = pop.arm[periods]
        self.takeup = pop.takeup[periods]
        self.limit = np.minimum(self.end, self.window_end)
        self.birth_day = pop.birth_day[person]
        self.male = pop.male[person]
        self.age_group = pop.age_group[person]
        self.education = pop.education[person]
        self.foreign = pop.foreign[person]
        self.language = pop.language[person]
        self.needs = pop.needs[person]
        # responsible worker: drawn per period among the area's workers
        sizes = np.array([len(a.workers) for a in self.areas], dtype=np.int64)
        pick = np.floor(rng.random(n) * sizes).astype(np.int64)
        self.worker = np.array(
            [a.workers[i] for a, i in zip(self.areas, pick, strict=True)], dtype=np.int64
        )
        self.team = np.array(
            [a.worker_teams[i] for a, i in zip(self.areas, pick, strict=True)], dtype=np.int64
        )
        # changes of responsible worker (period, time µs, worker), filled by handovers
        self._changes: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._change_index: tuple[np.ndarray, np.ndarray] | None = None
        self._counters: dict[str, int] = {}
        self.block_offset = 0  # set by the generator: each block of a unit has its own id range

    # --- ids ------------------------------------------------------------------------------------

    def new_ids(self, tag: str, count: int) -> np.ndarray:
        """``count`` fresh ids of ``tag`` within this unit (block counters continue per unit)."""
        start = self._counters.get(tag, 0)
        self._counters[tag] = start + count
        return make_id(tag, self.unit, self.block_offset + start + np.arange(count))

    # --- responsible worker over time -----------------------------------------------------------

    def add_worker_change(self, idx: np.ndarray, at_us: np.ndarray, worker: np.ndarray) -> None:
        self._changes.append((idx, at_us, worker))
        self._change_index = None

    def worker_at(self, idx: np.ndarray, at_us: np.ndarray) -> np.ndarray:
        """The responsible worker of periods ``idx`` at times ``at_us`` (after handovers)."""
        base = self.worker[idx]
        if not self._changes:
            return base
        if self._change_index is None:
            p = np.concatenate([c[0] for c in self._changes])
            t = np.concatenate([c[1] for c in self._changes])
            w = np.concatenate([c[2] for c in self._changes])
            order = np.lexsort((t, p))
            key = (p[order] << 32) | (t[order] // 1_000_000)
            self._change_index = (key, w[order], p[order])
        key, w, p = self._change_index
        if not len(key):
            return base
        q = (idx << 32) | (at_us // 1_000_000)
        pos = np.searchsorted(key, q, side="right") - 1
        ok = (pos >= 0) & (p[np.maximum(pos, 0)] == idx)
        return np.where(ok, w[np.maximum(pos, 0)], base)

    # --- emitting -------------------------------------------------------------------------------

    def timestamp(self, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        return tb.utc_microseconds(day, seconds)

    def emit(
        self,
        kind: str,
        idx: np.ndarray,
        day: np.ndarray,
        seconds: np.ndarray,
        payload: dict,
        *,
        actor: str | np.ndarray | None = "worker",
        clip: bool = True,
    ) -> np.ndarray:
        """Emit events of ``kind`` for periods ``idx`` on local ``day`` at local ``seconds``.

        Events after the period's end (``clip``) or after the window are dropped; returns the
        mask of kept rows.
        """
        idx = np.asarray(idx, dtype=np.int64)
        n = len(idx)
        day = np.broadcast_to(np.asarray(day, dtype=np.int64), (n,))
        seconds = np.broadcast_to(np.asarray(seconds, dtype=np.int64), (n,))
        keep = day <= (self.limit[idx] if clip else self.window_end)
        if not keep.any():
            return keep
        ix = idx[keep]
        ts = self.timestamp(day[keep], seconds[keep])
        if isinstance(actor, str):
            actor_ids = self.worker_at(ix, ts)
        elif actor is None:
            actor_ids = None
        else:
            actor_ids = np.broadcast_to(np.asarray(actor), (n,))[keep]
        envelope = {
            "actor_id": actor_ids,
            "person_id": self.person_id[ix],
            "organisation_id": self.org[ix],
            "municipality_code": Codes(self.muni[ix], self.municipality_codes),
        }
        self.frame.add(
            kind,
            person=self.person[ix],
            occurred_at=ts,
            envelope=envelope,
            payload={k: select(v, keep, n) for k, v in payload.items()},
        )
        return keep

    def office(self, n: int, start_hour: int = 8, end_hour: int = 16) -> np.ndarray:
        return tb.office_seconds(self.rng, n, start_hour, end_hour)

    def choice(self, n: int, weights, size: int | None = None) -> np.ndarray:
        """Indices drawn with ``weights`` (one row of weights, or one row per draw)."""
        w = np.asarray(weights, dtype=float)
        cum = np.cumsum(w, axis=-1)
        cum = cum / cum[..., -1:]
        u = self.rng.random(n)
        if w.ndim == 1:
            return np.searchsorted(cum, u, side="right").clip(0, w.shape[-1] - 1)
        return np.minimum((u[:, None] > cum).sum(axis=1), w.shape[-1] - 1)
