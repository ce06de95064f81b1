"""Reading reference files: every problem is reported with the file, line and column.

Parsing and validation happen completely before anything is written (see ``services``), so a
bad file writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


class ReferenceFileError(ValueError):
    """A reference file is malformed; names the file, line (1 = header) and column."""

    def __init__(
        self, source: str, message: str, *, line: int | None = None, column: str | None = None
    ):
        self.source = source
        self.line = line
        self.column = column
        self.message = message
        where = source
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    name: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        p = Path(path)
        try:
            raw = p.read_bytes()
        except FileNotFoundError as exc:
            raise ReferenceFileError(str(p), "file not found") from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReferenceFileError(str(p), f"not UTF-8 text (byte {exc.start})") from exc
        return cls(p.name, text)


@dataclass(frozen=True)
class Row:
    source: str
    line: int
    values: dict[str, str]

    def error(self, column: str | None, message: str) -> ReferenceFileError:
        return ReferenceFileError(self.source, message, line=self.line, column=column)

    def get(self, column: str, *, required: bool = True) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            raise self.error(column, "value is missing")
        return value

    def code(self, column: str, width: int) -> str:
        value = self.get(column)
        if not value.isdigit() or len(value) > width:
            raise self.error(column, f"{value!r} is not a code of at most {width} digits")
        return value.zfill(width)

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        value = self.get(column, required=required)
        if not value:
            return None
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise self.error(column, f"{value!r} is not a date (use YYYY-MM-DD or D.M.YYYY)")

    def integer(self, column: str, *, choices: Sequence[int] | None = None) -> int:
        value = self.get(column)
        try:
            number = int(value)
        except ValueError as exc:
            raise self.error(column, f"{value!r} is not a whole number") from exc
        if choices is not None and number not in choices:
            raise self.error(column, f"{number} is not one of {', '.join(map(str, choices))}")
        return number


def sniff_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def csv_rows(source: SourceFile, required: Sequence[str]) -> Iterator[Row]:
    """Rows of a CSV file (comma or semicolon), checking that the ``required`` columns exist."""
    text = source.text
    if not text.strip():
        raise ReferenceFileError(source.name, "the file is empty")
    first = text.splitlines()[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(first))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        raise ReferenceFileError(
            source.name,
            f"missing column(s) {', '.join(missing)}; the header is {', '.join(header)}",
            line=1,
        )
    for index, values in enumerate(reader, start=2):
        if None in values:  # more fields than the header
            raise ReferenceFileError(
                source.name,
                f"{len(header) + len(values[None])} fields, header has {len(header)}",
                line=index,
            )
        if not any((v or "").strip() for v in values.values()):
            continue
        if any(v is None for v in values.values()):
            short = [k for k, v in values.items() if v is None]
            raise ReferenceFileError(
                source.name, "too few fields on the line", line=index, column=short[0]
            )
        yield Row(source.name, index, values)


def json_document(source: SourceFile):
    try:
        return json.loads(source.text)
    except json.JSONDecodeError as exc:
        raise ReferenceFileError(source.name, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
