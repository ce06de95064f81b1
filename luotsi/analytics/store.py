"""The analytics store: one DuckDB file with the journey events, reference data and public series.

The table contract is documented in ``docs/analytics-store.md``. In short:

* ``events`` holds exactly the columns of ``luotsi.kernel.journey.FLAT_COLUMNS`` (pseudonymised);
* ``ref_municipality``, ``ref_group``, ``ref_membership``, ``ref_worker`` hold reference data with
  time-valid memberships (``valid_to`` is the last valid day, inclusive; NULL = open);
* ``ref_municipality_change`` holds municipality mergers (code, last valid day, successor), loaded
  from ``luotsi/data/municipality_changes.csv`` when the store is created;
* ``public_series`` holds imported public statistics (upserted by key);
* ``calendar`` holds the Finnish working-day calendar (from ``luotsi.kernel.calendar``) so that
  working-day arithmetic can be done in SQL: ``wd_index(b) - wd_index(a)`` is the number of working
  days in the half-open interval (a, b];
* derived tables (``spells``, ``status_intervals``, ...; see ``luotsi.analytics.derived``) are
  rebuilt after each refresh in the same transaction;
* ``meta_schema`` records applied migrations, ``meta_refresh`` every refresh.

Nothing here imports Django: the Django side hands rows (dicts) and Arrow batches to this class.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from luotsi.kernel import calendar as fincal
from luotsi.kernel import journey

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

#: DuckDB type of each flat (Arrow) column type of the journey contract.
DUCKDB_TYPE = {
    "int64": "BIGINT",
    "int16": "SMALLINT",
    "string": "VARCHAR",
    "float64": "DOUBLE",
    "bool": "BOOLEAN",
    "date32": "DATE",
    "timestamp[us, UTC]": "TIMESTAMPTZ",
}

ARROW_TYPE = {
    "int64": pa.int64(),
    "int16": pa.int16(),
    "string": pa.string(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "timestamp[us, UTC]": pa.timestamp("us", tz="UTC"),
}

#: Envelope columns an event row must carry; payload columns may be missing (then NULL).
REQUIRED_EVENT_COLUMNS = ("event_id", "kind", "occurred_at")

#: First and last day of the calendar table; extended on demand (``Store.ensure_calendar``).
CALENDAR_FIRST = dt.date(2000, 1, 1)
CALENDAR_LAST = dt.date(2045, 12, 31)


def event_schema() -> pa.Schema:
    """The Arrow schema of the ``events`` table (exactly ``FLAT_COLUMNS``)."""
    return pa.schema([(n, ARROW_TYPE[t]) for n, t in journey.FLAT_COLUMNS.items()])


def _events_ddl() -> str:
    cols = ",\n  ".join(f"{n} {DUCKDB_TYPE[t]}" for n, t in journey.FLAT_COLUMNS.items())
    return f"CREATE TABLE events (\n  {cols}\n)"


# Each migration: (version, description, statements). Never edit an applied migration; add one.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "events, reference data, public series, calendar, refresh bookkeeping",
        (
            _events_ddl(),
            """CREATE TABLE ref_municipality (code VARCHAR PRIMARY KEY, name_fi VARCHAR,
                name_sv VARCHAR, region_code VARCHAR, language_ratio INTEGER,
                valid_from DATE, valid_to DATE)""",
            """CREATE TABLE ref_group (group_type VARCHAR NOT NULL, group_code VARCHAR NOT NULL,
                name_fi VARCHAR, name_sv VARCHAR, name_en VARCHAR, kind VARCHAR,
                starts_on DATE, ends_on DATE, PRIMARY KEY (group_type, group_code))""",
            """CREATE TABLE ref_membership (group_type VARCHAR NOT NULL,
                group_code VARCHAR NOT NULL, municipality_code VARCHAR NOT NULL,
                valid_from DATE NOT NULL, valid_to DATE, status VARCHAR, source VARCHAR)""",
            """CREATE TABLE ref_worker (worker_id BIGINT PRIMARY KEY, team_id BIGINT,
                organisation_id BIGINT, area_code VARCHAR, fte DOUBLE)""",
            """CREATE TABLE ref_municipality_change (code VARCHAR PRIMARY KEY,
                valid_to DATE NOT NULL, merged_into VARCHAR NOT NULL, source VARCHAR)""",
            """CREATE TABLE public_series (source VARCHAR NOT NULL, table_code VARCHAR NOT NULL,
                measure VARCHAR NOT NULL, region_kind VARCHAR NOT NULL,
                region_code VARCHAR NOT NULL, period DATE NOT NULL, value DOUBLE,
                status VARCHAR NOT NULL DEFAULT '', retrieved_at TIMESTAMP, url VARCHAR,
                PRIMARY KEY (source, table_code, measure, region_kind, region_code, period))""",
            """CREATE TABLE calendar (day DATE PRIMARY KEY, is_working_day BOOLEAN NOT NULL,
                wd_index INTEGER NOT NULL)""",
            """CREATE TABLE meta_refresh (refresh_id INTEGER PRIMARY KEY, source VARCHAR,
                started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, status VARCHAR,
                after_event_id BIGINT, high_water_mark BIGINT, fetched BIGINT,
                inserted BIGINT, duplicates BIGINT, message VARCHAR)""",
            """CREATE TABLE indicator_values (indicator VARCHAR, definition_version INTEGER,
                group_type VARCHAR, group_code VARCHAR, period_type VARCHAR,
                period_start DATE, period_end DATE, dimension VARCHAR,
                dimension_value VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE,
                value_low DOUBLE, value_high DOUBLE, status VARCHAR, unit VARCHAR,
                source VARCHAR, computed_at TIMESTAMPTZ)""",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]

_REF_COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "ref_municipality": {
        "code": pa.string(),
        "name_fi": pa.string(),
        "name_sv": pa.string(),
        "region_code": pa.string(),
        "language_ratio": pa.int32(),
        "valid_from": pa.date32(),
        "valid_to": pa.date32(),
    },
    "ref_group": {
        "group_type": pa.string(),
        "group_code": pa.string(),
        "name_fi": pa.string(),
        "name_sv": pa.string(),
        "name_en": pa.string(),
        "kind": pa.string(),
        "starts_on": pa.date32(),
        "ends_on": pa.date32(),
    },
    "ref_membership": {
        "group_type": pa.string(),
        "group_code": pa.string(),
        "municipality_code": pa.string(),
        "valid_from": pa.date32(),
        "valid_to": pa.date32(),
        "status": pa.string(),
        "source": pa.string(),
    },
    "ref_worker": {
        "worker_id": pa.int64(),
        "team_id": pa.int64(),
        "organisation_id": pa.int64(),
        "area_code": pa.string(),
        "fte": pa.float64(),
    },
    "ref_municipality_change": {
        "code": pa.string(),
        "valid_to": pa.date32(),
        "merged_into": pa.string(),
        "source": pa.string(),
    },
    "public_series": {
        "source": pa.string(),
        "table_code": pa.string(),
        "measure": pa.string(),
        "region_kind": pa.string(),
        "region_code": pa.string(),
        "period": pa.date32(),
        "value": pa.float64(),
        "status": pa.string(),
        "retrieved_at": pa.timestamp("us"),
        "url": pa.string(),
    },
}

_REQUIRED_REF = {
    "ref_municipality": ("code",),
    "ref_group": ("group_type", "group_code"),
    "ref_membership": ("group_type", "group_code", "municipality_code", "valid_from"),
    "ref_worker": ("worker_id",),
    "ref_municipality_change": ("code", "valid_to", "merged_into"),
    "public_series": ("source", "table_code", "measure", "region_kind", "region_code", "period"),
}

GROUP_TYPES = ("area", "pilot", "region", "country")


class StoreError(ValueError):
    """Bad input to the store (wrong columns, bad values); the message names what is wrong."""


def _coerce(value: Any, typ: pa.DataType, table: str, column: str, index: int) -> Any:
    """Accept ISO strings for dates and timestamps; leave other values to Arrow's checks."""
    if value is None or value == "":
        return None
    if pa.types.is_date32(typ) and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise StoreError(f"{table} row {index}: {column}={value!r} is not a date") from None
    if pa.types.is_date32(typ) and isinstance(value, dt.datetime):
        return value.date()
    if pa.types.is_timestamp(typ) and isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise StoreError(
                f"{table} row {index}: {column}={value!r} is not a timestamp"
            ) from None
    if pa.types.is_timestamp(typ) and isinstance(value, dt.datetime) and value.tzinfo:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def rows_to_arrow(table: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Validate plain dict rows for one reference table and turn them into an Arrow table."""
    spec = _REF_COLUMNS[table]
    columns: dict[str, list[Any]] = {c: [] for c in spec}
    for i, row in enumerate(rows):
        # Extra keys the Django side may carry (e.g. merged_into on municipalities) are ignored;
        # a misspelt required key is caught here.
        for c in _REQUIRED_REF[table]:
            if row.get(c) in (None, ""):
                raise StoreError(f"{table} row {i}: required column {c!r} is missing or empty")
        for c, typ in spec.items():
            columns[c].append(_coerce(row.get(c), typ, table, c, i))
    if table == "public_series":
        columns["status"] = [s or "" for s in columns["status"]]
    try:
        return pa.table({c: pa.array(v, type=spec[c]) for c, v in columns.items()})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise StoreError(f"{table}: {exc}") from None


def packaged_municipality_changes() -> list[dict[str, Any]]:
    """Municipality mergers shipped in ``luotsi/data/municipality_changes.csv``."""
    with open(DATA_DIR / "municipality_changes.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class Store:
    """One analytics store (a DuckDB file, or ``":memory:"``).

    Opening creates or migrates the schema. Use as a context manager or call ``close()``.
    ``threads`` and ``memory_limit`` are passed to DuckDB (e.g. ``threads=2``, ``"2GB"``).
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        read_only: bool = False,
        threads: int | None = None,
        memory_limit: str | None = None,
    ):
        self.path = str(path)
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if memory_limit:
            config["memory_limit"] = memory_limit
        self.con = duckdb.connect(self.path, read_only=read_only, config=config)
        self.con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self._migrate()

    # --- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        con = self.con
        con.execute(
            "CREATE TABLE IF NOT EXISTS meta_schema (version INTEGER PRIMARY KEY, "
            "description VARCHAR, applied_at TIMESTAMPTZ)"
        )
        applied = {r[0] for r in con.execute("SELECT version FROM meta_schema").fetchall()}
        for version, description, statements in MIGRATIONS:
            if version in applied:
                continue
            con.begin()
            try:
                for sql in statements:
                    con.execute(sql)
                con.execute("INSERT INTO meta_schema VALUES (?, ?, now())", [version, description])
                if version == 1:
                    self._fill_calendar(CALENDAR_FIRST, CALENDAR_LAST)
                    self._replace("ref_municipality_change", packaged_municipality_changes())
                con.commit()
            except BaseException:
                con.rollback()
                raise
        from luotsi.analytics import derived

        derived.ensure_tables(con)

    def schema_version(self) -> int:
        return self.con.execute("SELECT max(version) FROM meta_schema").fetchall()[0][0]

    # --- calendar ----------------------------------------------------------------------------

    def _fill_calendar(self, first: dt.date, last: dt.date) -> None:
        """(Re)build the calendar table from ``first`` to ``last`` (wd_index counts from first)."""
        n = (last - first).days + 1
        days = [first + dt.timedelta(days=i) for i in range(n)]
        working = [fincal.is_working_day(d) for d in days]
        index, running = [], 0
        for w in working:
            running += w
            index.append(running)
        tbl = pa.table(
            {
                "day": pa.array(days, pa.date32()),
                "is_working_day": pa.array(working, pa.bool_()),
                "wd_index": pa.array(index, pa.int32()),
            }
        )
        self.con.execute("DELETE FROM calendar")
        self.con.register("_cal", tbl)
        try:
            self.con.execute("INSERT INTO calendar SELECT * FROM _cal")
        finally:
            self.con.unregister("_cal")

    def ensure_calendar(self, first: dt.date, last: dt.date) -> None:
        """Extend the calendar so that it covers ``first``..``last`` (plus a year of margin)."""
        lo, hi = self.con.execute("SELECT min(day), max(day) FROM calendar").fetchall()[0]
        if lo is not None and lo <= first and hi >= last:
            return
        lo = min(lo or first, first, CALENDAR_FIRST)
        hi = max(hi or last, last + dt.timedelta(days=366))
        self._fill_calendar(max(lo, dt.date(fincal.FIRST_SUPPORTED_YEAR, 1, 1)), hi)

    # --- reference data ----------------------------------------------------------------------

    def _replace(self, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        arrow = rows_to_arrow(table, rows)
        self.con.execute(f"DELETE FROM {table}")
        self.con.register("_rows", arrow)
        try:
            self.con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
        except duckdb.ConstraintException as exc:
            raise StoreError(f"{table}: duplicate key ({exc})") from None
        finally:
            self.con.unregister("_rows")
        return arrow.num_rows

    def load_reference(
        self,
        *,
        municipalities: Iterable[Mapping[str, Any]] | None = None,
        groups: Iterable[Mapping[str, Any]] | None = None,
        memberships: Iterable[Mapping[str, Any]] | None = None,
        workers: Iterable[Mapping[str, Any]] | None = None,
        municipality_changes: Iterable[Mapping[str, Any]] | None = None,
    ) -> dict[str, int]:
        """Replace the given reference tables atomically (all or none); ``None`` keeps a table.

        Rows are dicts with the contract's column names; dates may be ``date`` objects or ISO
        strings. A municipality row may carry ``merged_into`` (successor code): it is added to
        ``ref_municipality_change`` together with the row's ``valid_to``.
        """
        plan: list[tuple[str, list[Mapping[str, Any]]]] = []
        if municipalities is not None:
            munis = list(municipalities)
            plan.append(("ref_municipality", munis))
            merged = [
                {
                    "code": m["code"],
                    "valid_to": m.get("valid_to"),
                    "merged_into": m["merged_into"],
                    "source": "ref_municipality.merged_into",
                }
                for m in munis
                if m.get("merged_into")
            ]
            if merged and municipality_changes is None:
                known = {r["code"]: r for r in packaged_municipality_changes()}
                known.update({r["code"]: r for r in merged})
                municipality_changes = list(known.values())
        if groups is not None:
            groups = list(groups)
            bad = sorted({g.get("group_type") for g in groups} - set(GROUP_TYPES), key=str)
            if bad:
                raise StoreError(f"ref_group: unknown group_type {bad}; expected {GROUP_TYPES}")
            plan.append(("ref_group", groups))
        if memberships is not None:
            memberships = list(memberships)
            for i, m in enumerate(memberships):
                vf, vt = m.get("valid_from"), m.get("valid_to")
                if vf and vt and str(vt) < str(vf):
                    raise StoreError(
                        f"ref_membership row {i}: valid_to {vt} is before valid_from {vf}"
                    )
            plan.append(("ref_membership", memberships))
        if workers is not None:
            plan.append(("ref_worker", list(workers)))
        if municipality_changes is not None:
            plan.append(("ref_municipality_change", list(municipality_changes)))
        counts: dict[str, int] = {}
        self.con.begin()
        try:
            for table, rows in plan:
                counts[table] = self._replace(table, rows)
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        return counts

    def load_public_series(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Upsert public-series rows by (source, table_code, measure, region_kind, region_code,
        period): a re-import of the same key replaces the value. Returns the number of rows."""
        arrow = rows_to_arrow("public_series", rows)
        if arrow.num_rows == 0:
            return 0
        self.con.begin()
        try:
            self.con.register("_ps", arrow)
            self.con.execute(
                "INSERT OR REPLACE INTO public_series "
                "SELECT * FROM _ps QUALIFY row_number() OVER (PARTITION BY source, table_code, "
                "measure, region_kind, region_code, period) = 1"
            )
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise
        finally:
            self.con.unregister("_ps")
        return arrow.num_rows

    # --- events --------------------------------------------------------------------------------

    def high_water_mark(self) -> int:
        """The largest event_id in the store (0 when empty)."""
        return self.con.execute("SELECT coalesce(max(event_id), 0) FROM events").fetchall()[0][0]

    def event_count(self) -> int:
        return self.con.execute("SELECT count(*) FROM events").fetchall()[0][0]

    def refresh(self, source: Any, **kwargs: Any):
        """Incremental refresh from an ``EventSource``; see ``luotsi.analytics.refresh.refresh``."""
        from luotsi.analytics.refresh import refresh

        return refresh(self, source, **kwargs)

    def ingest_parquet(self, path: str | Path, *, derive: bool = True) -> int:
        """Add the events of a Parquet file (or glob) with the flat columns; returns rows added.

        Events whose event_id is already stored are skipped. Runs in one transaction.
        """
        from luotsi.analytics.refresh import ingest_relation

        rel_sql = f"read_parquet({_sql_literal(str(path))})"
        return ingest_relation(self, rel_sql, derive=derive, source=f"parquet:{path}")

    def rebuild_derived(self) -> None:
        """Rebuild every derived table from ``events`` (inside the caller's transaction, if any)."""
        from luotsi.analytics import derived

        derived.rebuild(self)

    # --- reading -----------------------------------------------------------------------------

    def sql(self, query: str, params: list[Any] | None = None) -> pa.Table:
        """Run a read query and return an Arrow table."""
        return self.con.sql(query, params=params or None).to_arrow_table()

    def table(self, name: str) -> pa.Table:
        if not name.isidentifier():
            raise StoreError(f"not a table name: {name!r}")
        return self.sql(f"SELECT * FROM {name}")


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
