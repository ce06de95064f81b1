"""Find Statistics Finland tables and their variables from metadata, never from hard-coded names.

On 8.6.2026 Statistics Finland shortened the PxWeb table files (``statfin_tyonv_pxt_12r5.px``
became ``12r5.px``), switched queries to variable *codes* (some now stamped, like
``alue_23_20260101``) and prefixed some content codes. This module therefore:

* finds a table in its folder by its short id, accepting both the old and the new file names;
* recognises the area, time and content variables by what they hold (the ``time`` flag, the
  ``SSS``/``KU...`` area codes, the text "Tiedot"/"Uppgifter"/"Information"), in any language;
* matches content codes to our canonical measure codes (``TYOTTOMATLOPUSSA``) ignoring a prefix.

Region codes of 12r5: ``SSS`` whole country, ``KU091`` municipality 091, ``SK011`` sub-region,
``MK01`` region, ``ELY01`` ELY centre; ``...JOU``/``...JO`` are "unknown" rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from luotsi.integrations.statfin.client import (
    NotFound,
    PxWebClient,
    StatFinError,
    TableMetadata,
    Variable,
)

DATABASE = "StatFin"
#: Table 12r5: employment service statistics, monthly, by region (folder ``tyonv``).
TABLE_12R5 = ("tyonv", "12r5")
REGION_KINDS = ("SSS", "KU", "SK", "MK", "EL")
#: Prefixes of the area codes in 12r5 and the region kind each stands for (longest first).
_AREA_PREFIXES = (("ELY", "EL"), ("KU", "KU"), ("SK", "SK"), ("MK", "MK"))
_CONTENT_TEXTS = {"tiedot", "uppgifter", "information", "contents"}
_MONTH = re.compile(r"^(\d{4})M(\d{2})\*?$")


class CatalogueError(StatFinError):
    """A table or variable could not be recognised from the metadata."""


@dataclass(frozen=True, slots=True)
class TableLayout:
    """Where a table is and which of its variables hold area, month and measure."""

    path: str  # e.g. "StatFin/tyonv/12r5.px"
    title: str
    area: Variable
    time: Variable
    contents: Variable
    measures: dict[str, str]  # canonical measure code -> the table's content code

    def content_code(self, measure: str) -> str:
        try:
            return self.measures[measure]
        except KeyError:
            raise CatalogueError(
                f"measure {measure!r} is not in table {self.path}; it has {sorted(self.measures)}"
            ) from None


def _short_id(entry_id: str) -> str:
    """``statfin_tyonv_pxt_12r5.px`` and ``12r5.px`` both give ``12r5``."""
    stem = entry_id.rsplit("/", 1)[-1].removesuffix(".px")
    return stem.rsplit("_", 1)[-1].lower()


def find_table(client: PxWebClient, folder: str, table_id: str, *, database: str = DATABASE) -> str:
    """The path of table ``table_id`` (short id such as ``12r5``) in ``database/folder``."""
    folder_path = f"{database}/{folder}"
    try:
        entries = client.list_folder(folder_path)
    except NotFound as exc:
        raise CatalogueError(
            f"folder {folder_path!r} does not exist at {client.base_url}; list the database "
            f"with client.list_folder({database!r})"
        ) from exc
    wanted = table_id.lower().removesuffix(".px")
    for entry in entries:
        if entry.is_table and _short_id(entry.id) == wanted:
            return f"{folder_path}/{entry.id}"
    tables = sorted(_short_id(e.id) for e in entries if e.is_table)
    raise CatalogueError(f"table {table_id!r} is not in {folder_path}; the folder has {tables}")


def region_of(area_code: str) -> tuple[str, str]:
    """Split a 12r5 area code into (region_kind, region_code): ``KU091`` -> (``KU``, ``091``)."""
    if area_code == "SSS":
        return "SSS", "SSS"
    for prefix, kind in _AREA_PREFIXES:
        if area_code.startswith(prefix) and len(area_code) > len(prefix):
            return kind, area_code[len(prefix) :]
    raise CatalogueError(f"unrecognised area code {area_code!r} (expected SSS, KU, SK, MK or ELY)")


def area_code_of(region_kind: str, region_code: str) -> str:
    """The inverse of :func:`region_of`."""
    if region_kind == "SSS":
        return "SSS"
    prefix = {"EL": "ELY"}.get(region_kind, region_kind)
    if region_kind not in REGION_KINDS:
        raise CatalogueError(f"unknown region kind {region_kind!r}; expected one of {REGION_KINDS}")
    return f"{prefix}{region_code}"


def month_start(period: str) -> dt.date:
    """``2026M06`` (or ``2026M06*``, preliminary) -> 2026-06-01."""
    m = _MONTH.match(period.strip())
    if not m:
        raise CatalogueError(f"{period!r} is not a PxWeb month (YYYYMmm)")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def month_code(day: dt.date) -> str:
    return f"{day.year:04d}M{day.month:02d}"


def month_range(spec: str) -> list[str]:
    """``2026M01:2026M06`` -> the six month codes; a single month gives itself."""
    first, _, last = spec.partition(":")
    start, end = month_start(first), month_start(last or first)
    if end < start:
        raise CatalogueError(f"month range {spec!r} ends before it starts")
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}M{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _is_area(var: Variable) -> bool:
    return "SSS" in var.values and any(v.startswith("KU") for v in var.values)


def _is_contents(var: Variable) -> bool:
    return var.code.lower() in {"contentscode", "tiedot"} or var.text.lower() in _CONTENT_TEXTS


def canonical_measure(content_code: str) -> str:
    """A content code without a table prefix: ``tyonv-TYOTTOMATLOPUSSA`` -> ``TYOTTOMATLOPUSSA``."""
    return re.split(r"[-.]", content_code)[-1]


def layout_from_metadata(path: str, meta: TableMetadata) -> TableLayout:
    """Recognise the area, time and content variables of a regional monthly table."""
    times = [v for v in meta.variables if v.time] or [
        v for v in meta.variables if v.values and all(_MONTH.match(x) for x in v.values)
    ]
    areas = [v for v in meta.variables if _is_area(v)]
    contents = [v for v in meta.variables if _is_contents(v) and v not in times + areas]
    for what, found in (("time", times), ("area", areas), ("content", contents)):
        if len(found) != 1:
            codes = [v.code for v in meta.variables]
            raise CatalogueError(
                f"{path}: expected one {what} variable, found {len(found)} among {codes}"
            )
    measures: dict[str, str] = {}
    for code in contents[0].values:
        canonical = canonical_measure(code)
        if canonical in measures:
            raise CatalogueError(f"{path}: two content codes map to {canonical!r}")
        measures[canonical] = code
    return TableLayout(path, meta.title, areas[0], times[0], contents[0], measures)


def discover_12r5(client: PxWebClient) -> TableLayout:
    """Find table 12r5 and read its layout from the metadata (one folder list + one GET)."""
    folder, table = TABLE_12R5
    path = find_table(client, folder, table)
    return layout_from_metadata(path, client.table_metadata(path))


def fetch_12r5(
    client: PxWebClient,
    months: Sequence[str],
    *,
    measures: Iterable[str] | None = None,
    region_kinds: Iterable[str] = REGION_KINDS,
    layout: TableLayout | None = None,
) -> tuple[TableLayout, list[dict[str, Any]]]:
    """Cells of 12r5 for ``months`` as tidy rows with canonical codes.

    Each row: ``area`` (e.g. ``KU091``), ``month`` (``2026M06``), ``measure`` (canonical),
    ``value`` (float or None), ``status``. Months not (yet) in the table raise an error naming
    the newest month available.
    """
    layout = layout or discover_12r5(client)
    available = {m.rstrip("*"): m for m in layout.time.values}
    missing = [m for m in months if m not in available]
    if missing:
        newest = max(available) if available else "none"
        raise CatalogueError(
            f"months {missing} are not in {layout.path}; the newest month there is {newest}"
        )
    wanted_kinds = set(region_kinds)
    areas = [a for a in layout.area.values if _kind_or_none(a) in wanted_kinds]
    wanted = list(measures) if measures is not None else sorted(layout.measures)
    selections = {
        layout.area.code: areas,
        layout.time.code: [available[m] for m in months],
        layout.contents.code: [layout.content_code(m) for m in wanted],
    }
    rows = client.query_records(layout.path, selections, keep_whole=[layout.contents.code])
    by_content = {v: k for k, v in layout.measures.items()}
    out = []
    for row in rows:
        out.append(
            {
                "area": row[layout.area.code],
                "month": row[layout.time.code].rstrip("*"),
                "measure": by_content[row[layout.contents.code]],
                "value": row["value"],
                "status": row["status"],
            }
        )
    return layout, out


def _kind_or_none(area_code: str) -> str | None:
    try:
        return region_of(area_code)[0]
    except CatalogueError:
        return None
