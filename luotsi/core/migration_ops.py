"""A migration operation that makes a table append-only with database triggers.

Used for the journey log and the audit trail: even raw SQL cannot UPDATE or DELETE their rows.
(Erasure under GDPR is done by pseudonymising through a dedicated, audited procedure that drops
and recreates the trigger inside one transaction; see docs/journey-log.md.)
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation


def _sqlite(table: str) -> tuple[list[str], list[str]]:
    forward = [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;""",
    ]
    backward = [
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    ]
    return forward, backward


def _postgresql(table: str) -> tuple[list[str], list[str]]:
    forward = [
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;""",
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only();""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();""",
    ]
    backward = [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"DROP FUNCTION IF EXISTS {table}_append_only();",
    ]
    return forward, backward


class AppendOnly(Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str):
        self.table = table

    def _sql(self, vendor: str) -> tuple[list[str], list[str]]:
        if vendor == "postgresql":
            return _postgresql(self.table)
        if vendor == "sqlite":
            return _sqlite(self.table)
        raise NotImplementedError(f"append-only triggers are not written for {vendor}")

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for sql in self._sql(schema_editor.connection.vendor)[0]:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for sql in self._sql(schema_editor.connection.vendor)[1]:
            schema_editor.execute(sql)

    def describe(self):
        return f"Make {self.table} append-only"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table], {})
