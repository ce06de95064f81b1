"""Exports of indicator tables: CSV, Excel (openpyxl) and Parquet, with metadata.

``export(table, format, path_or_buffer, language)`` writes the engine's rows (normally after
``suppress``) with the indicator's name in the chosen language and its unit next to each row, and
metadata: per indicator its definition version, source, formula (numerator and denominator) and
the published definition it follows, all in the export's language, and a suppression note. Where the metadata goes:

* CSV (UTF-8 with a byte-order mark so that spreadsheets detect it, comma-separated, header row):
  the rows; with a file path the metadata is also written next to it as ``<name>.metadata.json``;
* Excel: a ``data`` sheet and a ``metadata`` sheet;
* Parquet: the schema metadata key ``luotsi`` (JSON).

Statistics Finland's licence (CC BY 4.0) requires the credit "Source: Statistics Finland" on
anything derived from its data; it is added to the metadata when any row has source ``statfin``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from .indicators.definitions import definitions
from .suppression import DEFAULT_THRESHOLD

FORMATS = ("csv", "xlsx", "parquet")

NOTES = {
    "suppression": {
        "fi": "Pienet solut (1-{max}) ja niiden avulla pääteltävissä olevat solut on salattu "
        "(tila 'suppressed'). 'lower_bound' = arvo on alaraja, koska osa jäsenkunnista on "
        "salattu lähdetilastossa.",
        "sv": "Små celler (1-{max}) och celler som kan härledas ur dem är skyddade (status "
        "'suppressed'). 'lower_bound' = värdet är en nedre gräns eftersom några "
        "medlemskommuner är skyddade i källstatistiken.",
        "en": "Small cells (1-{max}) and cells from which they could be derived are suppressed "
        "(status 'suppressed'). 'lower_bound' = the value is a lower bound because some "
        "member municipalities are suppressed in the source statistics.",
    },
    "unsuppressed": {
        "fi": "EI SALATTU: vain alueen sisäiseen käyttöön.",
        "sv": "INTE SKYDDAD: endast för internt bruk inom området.",
        "en": "NOT SUPPRESSED: for use inside the area only.",
    },
    "statfin": {
        "fi": "Lähde: Tilastokeskus (CC BY 4.0)",
        "sv": "Källa: Statistikcentralen (CC BY 4.0)",
        "en": "Source: Statistics Finland (CC BY 4.0)",
    },
}


class ExportError(ValueError):
    pass


def _lang(language: str) -> str:
    if language not in ("fi", "sv", "en"):
        raise ExportError(f"unknown language {language!r}; use 'fi', 'sv' or 'en'")
    return language


def metadata(table: pa.Table, language: str, *, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """The metadata of an export: indicators with version, source, definition; notes."""
    lang = _lang(language)
    present = sorted(
        {
            (c, v)
            for c, v in zip(
                table.column("indicator").to_pylist(),
                table.column("definition_version").to_pylist(),
                strict=True,
            )
        }
    )
    by_key = {(d.code, d.definition_version): d for d in definitions()}
    indicators = []
    for code, version in present:
        d = by_key.get((code, version))
        if d is None:
            continue
        indicators.append(
            {
                "code": code,
                "definition_version": version,
                "name": d.name(lang),
                "description": d.description(lang),
                "formula": d.formula(lang),
                "numerator": d.numerator_text(lang),
                "denominator": d.denominator_text(lang),
                "unit": d.unit,
                "period_semantics": d.period_semantics,
                "source": d.source,
                "follows": d.follows_text(lang),
                "valid_from": d.valid_from.isoformat(),
                "valid_to": d.valid_to.isoformat() if d.valid_to else None,
            }
        )
    statuses = set(table.column("status").to_pylist()) if "status" in table.column_names else set()
    suppressed = "suppressed" in statuses
    notes = [NOTES["suppression" if suppressed else "unsuppressed"][lang].format(max=threshold - 1)]
    sources = set(table.column("source").to_pylist()) if "source" in table.column_names else set()
    if "statfin" in sources:
        notes.append(NOTES["statfin"][lang])
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "language": lang,
        "rows": table.num_rows,
        "suppressed": suppressed,
        "indicators": indicators,
        "notes": notes,
    }


def _with_names(table: pa.Table, language: str) -> pa.Table:
    names = {d.code: d.name(language) for d in definitions()}
    col = pa.array([names.get(c, c) for c in table.column("indicator").to_pylist()], pa.string())
    return table.add_column(1, "indicator_name", col)


def _cell(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return "" if v is None else v


def export(
    table: pa.Table,
    format: str,
    path_or_buffer: str | Path | IO[Any],
    language: str = "fi",
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict:
    """Write ``table`` as CSV, Excel or Parquet with metadata; returns the metadata."""
    if format not in FORMATS:
        raise ExportError(f"format={format!r} is not one of {FORMATS}")
    lang = _lang(language)
    meta = metadata(table, lang, threshold=threshold)
    data = _with_names(table, lang)
    if format == "csv":
        _write_csv(data, path_or_buffer)
        if isinstance(path_or_buffer, (str, Path)):
            side = Path(path_or_buffer).with_suffix(".metadata.json")
            side.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    elif format == "xlsx":
        _write_xlsx(data, meta, path_or_buffer)
    else:
        schema = data.schema.with_metadata(
            {**(data.schema.metadata or {}), b"luotsi": json.dumps(meta).encode()}
        )
        pq.write_table(data.cast(schema), path_or_buffer)
    return meta


def _write_csv(data: pa.Table, target: str | Path | IO[Any]) -> None:
    rows = data.to_pylist()
    header: Sequence[str] = data.column_names
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8-sig", newline="") as fh:
            _csv_rows(fh, header, rows)
    elif isinstance(target, io.TextIOBase):
        _csv_rows(target, header, rows)
    else:
        buf = io.StringIO()
        _csv_rows(buf, header, rows)
        target.write(("\ufeff" + buf.getvalue()).encode("utf-8"))


def _csv_rows(fh: IO[str], header: Sequence[str], rows: list[dict]) -> None:
    w = csv.writer(fh)
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(r[c]) for c in header])


def _write_xlsx(data: pa.Table, meta: dict, target: str | Path | IO[Any]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(data.column_names))
    for r in data.to_pylist():
        ws.append(
            [
                r[c] if not isinstance(r[c], dt.datetime) else r[c].replace(tzinfo=None)
                for c in data.column_names
            ]
        )
    ws.freeze_panes = "A2"
    ms = wb.create_sheet("metadata")
    ms.append(["generated_at", meta["generated_at"]])
    ms.append(["language", meta["language"]])
    for note in meta["notes"]:
        ms.append(["note", note])
    ms.append([])
    cols = [
        "code",
        "definition_version",
        "name",
        "unit",
        "source",
        "follows",
        "valid_from",
        "valid_to",
        "description",
        "formula",
    ]
    ms.append(cols)
    for ind in meta["indicators"]:
        ms.append([ind[c] for c in cols])
    wb.save(target)
