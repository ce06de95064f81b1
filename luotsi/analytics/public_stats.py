"""Public statistics (Statistics Finland table 12r5) as ``public_series`` rows of the store.

Three ways in, one row shape out (the ``public_series`` contract in ``var/prompts/store.md`` /
``docs/analytics-store.md``):

* :func:`import_12r5_csv` reads the month file shipped in ``luotsi/data`` (one row per area,
  one column per measure, ``...`` = suppressed);
* :func:`import_12r5_export` reads a PxWeb ``json`` export of 12r5 (the shipped file's origin);
* :func:`import_from_api` asks the PxWeb API for any months (see
  :mod:`luotsi.integrations.statfin`).

:func:`load_public_series` upserts the rows (a re-import of the same key replaces the value).

Area figures (employment areas, pilots) are sums over member municipalities. Suppressed cells
hide a count between 1 and 4, so a sum is an interval: :func:`area_total`. Rates are recomputed
from sums (:func:`rate_from_sums`), never averaged over municipalities (indicator B2).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from luotsi.integrations.statfin.catalogue import (
    REGION_KINDS,
    fetch_12r5,
    month_start,
    region_of,
)
from luotsi.integrations.statfin.jsonstat import NOT_AVAILABLE, SUPPRESSED, parse_pxweb_json

SOURCE = "statfin"
TABLE_CODE = "12r5"
TABLE_URL = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/12r5.px"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SHIPPED_CSV = DATA_DIR / "statfin_tyonv_12r5_2026M06.csv"
#: When the shipped month was polled from the API (OskarWestmeijer/maps static/data/manifest.json).
SHIPPED_RETRIEVED_AT = dt.datetime(2026, 8, 11, 18, 4, 33)
#: Smallest and largest count a suppressed ('...') cell of 12r5 can hide.
SUPPRESSED_MIN, SUPPRESSED_MAX = 1, 4
#: Measures that are ratios, not counts: they cannot be summed over areas.
RATE_MEASURES = frozenset({"TYOTOSUUS"})


class PublicStatsError(ValueError):
    """A public-statistics file or row is malformed; the message names the file and the row."""


def _value(raw: str) -> tuple[float | None, str]:
    text = raw.strip()
    if text in (SUPPRESSED, NOT_AVAILABLE):
        return None, text
    return float(text), ""


def make_row(
    area: str,
    month: str,
    measure: str,
    value: float | None,
    status: str,
    *,
    retrieved_at: dt.datetime,
    url: str,
    source: str = SOURCE,
    table_code: str = TABLE_CODE,
) -> dict[str, Any]:
    """One ``public_series`` row from a 12r5 cell (area code like ``KU091``, month ``2026M06``)."""
    kind, code = region_of(area)
    return {
        "source": source,
        "table_code": table_code,
        "measure": measure,
        "region_kind": kind,
        "region_code": code,
        "period": month_start(month),
        "value": value,
        "status": status,
        "retrieved_at": retrieved_at,
        "url": url,
    }


def import_12r5_csv(
    path: str | Path = SHIPPED_CSV,
    *,
    retrieved_at: dt.datetime | None = None,
    url: str = TABLE_URL,
) -> list[dict[str, Any]]:
    """Rows of a 12r5 month file (columns ``Alue``, ``timeperiod_m``, then one per measure).

    Every level is kept (SSS, KU, SK, MK, EL, including the "unknown" rows such as ``KUJOU``).
    ``retrieved_at`` defaults to the polling time of the shipped file, or the file's modification
    time for other files.
    """
    path = Path(path)
    if not path.is_file():
        raise PublicStatsError(f"{path} does not exist")
    if retrieved_at is None:
        retrieved_at = (
            SHIPPED_RETRIEVED_AT
            if path.name == SHIPPED_CSV.name
            else dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        )
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header or header[:2] != ["Alue", "timeperiod_m"] or len(header) < 3:
            raise PublicStatsError(
                f"{path}: expected the columns Alue, timeperiod_m and measures, got {header}"
            )
        measures = header[2:]
        rows = []
        for line_no, line in enumerate(reader, start=2):
            if len(line) != len(header):
                raise PublicStatsError(
                    f"{path} line {line_no}: {len(line)} fields, expected {len(header)}"
                )
            area, month = line[0], line[1]
            for measure, raw in zip(measures, line[2:], strict=True):
                try:
                    value, status = _value(raw)
                    rows.append(
                        make_row(
                            area, month, measure, value, status, retrieved_at=retrieved_at, url=url
                        )
                    )
                except ValueError as exc:
                    raise PublicStatsError(f"{path} line {line_no}, {measure}: {exc}") from None
    return rows


def import_12r5_export(
    path: str | Path, *, retrieved_at: dt.datetime | None = None, url: str = TABLE_URL
) -> list[dict[str, Any]]:
    """Rows of a PxWeb ``json`` export of 12r5 (``{"columns": ..., "data": ...}``)."""
    path = Path(path)
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PublicStatsError(f"{path}: cannot read a PxWeb json export ({exc})") from None
    ds = parse_pxweb_json(obj)
    when = retrieved_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    area_dim, time_dim = ds.ids[0], ds.time_dimension or ds.ids[1]
    return [
        make_row(
            r[area_dim],
            r[time_dim].rstrip("*"),
            r["contentscode"],
            r["value"],
            r["status"],
            retrieved_at=when,
            url=url,
        )
        for r in ds.records()
    ]


def import_from_api(
    client: Any,
    months: Sequence[str],
    *,
    measures: Iterable[str] | None = None,
    region_kinds: Iterable[str] = REGION_KINDS,
    retrieved_at: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Rows of 12r5 for ``months`` (``["2026M05", "2026M06"]``) from a ``PxWebClient``.

    The table and its variables are found from metadata (the codes changed on 8.6.2026). Raises
    ``NetworkUnavailable`` when offline, before anything is returned.
    """
    layout, cells = fetch_12r5(client, months, measures=measures, region_kinds=region_kinds)
    when = retrieved_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    url = client.url(layout.path)
    return [
        make_row(
            c["area"], c["month"], c["measure"], c["value"], c["status"], retrieved_at=when, url=url
        )
        for c in cells
    ]


def load_public_series(store: Any, rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert rows into the store's ``public_series`` (a ``luotsi.analytics.store.Store``)."""
    return store.load_public_series(rows)


# --- area figures from municipal cells -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaTotal:
    """A sum over areas with suppressed cells: the true total lies in [lower, upper]."""

    known: float  # sum of the published values
    suppressed: int  # number of '...' cells (each hides 1-4)
    missing: int  # cells with no value and no suppression marker (or absent areas)

    @property
    def lower(self) -> float:
        return self.known + SUPPRESSED_MIN * self.suppressed

    @property
    def upper(self) -> float:
        return self.known + SUPPRESSED_MAX * self.suppressed

    def contains(self, total: float) -> bool:
        return self.missing == 0 and self.lower <= total <= self.upper


def _cells(
    rows: Iterable[Mapping[str, Any]], measure: str, region_kind: str, period: dt.date | None
) -> dict[str, Mapping[str, Any]]:
    out = {}
    for r in rows:
        if (
            r["measure"] == measure
            and r["region_kind"] == region_kind
            and (period is None or r["period"] == period)
        ):
            out[r["region_code"]] = r
    return out


def area_total(
    rows: Iterable[Mapping[str, Any]],
    measure: str,
    region_codes: Iterable[str] | None = None,
    *,
    region_kind: str = "KU",
    period: dt.date | None = None,
) -> AreaTotal:
    """Sum of a count measure over ``region_codes`` (all areas of the kind when None)."""
    if measure in RATE_MEASURES:
        raise PublicStatsError(f"{measure} is a rate; sum its numerator and denominator instead")
    cells = _cells(rows, measure, region_kind, period)
    codes = list(cells) if region_codes is None else list(region_codes)
    known, suppressed, missing = 0.0, 0, 0
    for code in codes:
        r = cells.get(code)
        if r is None or (r["value"] is None and r["status"] != SUPPRESSED):
            missing += 1
        elif r["value"] is None:
            suppressed += 1
        else:
            known += r["value"]
    return AreaTotal(known, suppressed, missing)


@dataclass(frozen=True, slots=True)
class AreaRate:
    """A rate (percent) recomputed from sums, with the interval the suppressed cells allow."""

    value: float
    lower: float
    upper: float
    exact: bool


def rate_from_sums(
    rows: Iterable[Mapping[str, Any]],
    numerator: str,
    denominator: str,
    region_codes: Iterable[str],
    *,
    region_kind: str = "KU",
    period: dt.date | None = None,
    factor: float = 100.0,
) -> AreaRate:
    """``factor * sum(numerator) / sum(denominator)`` over the areas (e.g. B2 = 100 x B1 / TYOVOIMATK).

    ``value`` uses the midpoint of each suppressed cell (2.5); ``lower``/``upper`` bound it.
    """
    rows = list(rows)
    codes = list(region_codes)
    num = area_total(rows, numerator, codes, region_kind=region_kind, period=period)
    den = area_total(rows, denominator, codes, region_kind=region_kind, period=period)
    if num.missing or den.missing:
        raise PublicStatsError(
            f"{numerator}/{denominator}: {num.missing + den.missing} cells have no value"
        )
    mid = (SUPPRESSED_MIN + SUPPRESSED_MAX) / 2
    if den.lower <= 0:
        raise PublicStatsError(f"{denominator} sums to zero over the areas")
    value = factor * (num.known + mid * num.suppressed) / (den.known + mid * den.suppressed)
    return AreaRate(
        value,
        factor * num.lower / den.upper,
        factor * num.upper / den.lower,
        num.suppressed == 0 and den.suppressed == 0,
    )
