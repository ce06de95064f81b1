"""Where the analytics store lives and how the web process and the refresh share it.

Concurrency (one writer, many readers): **copy-on-refresh**. A refresh (or a computation or a
public-statistics import) takes an exclusive lock file (``<store>.lock``; a second writer is refused
at once), copies the current store to ``<store>.building``, writes only that copy, closes it and
atomically renames it over the store (``os.replace``). Web requests open the store **read-only**
and never take the writer's DuckDB lock, so a refresh neither blocks nor breaks a dashboard:
a request sees the old file until the rename and the new one after it. A failing write deletes
the copy, so the previous store stays exactly as it was.

The price is one copy of the file per write (proportional to its size); see
``docs/dashboards.md``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from luotsi.analytics.store import Store


class StoreUnavailable(RuntimeError):
    """The analytics store has not been built yet (or cannot be opened)."""


class RefreshBusy(RuntimeError):
    """Another refresh, computation or import is writing the store right now."""


def store_path() -> Path:
    return Path(settings.ANALYTICS_PATH)


def version() -> int:
    """Changes whenever a new store file is put in place (for caches)."""
    try:
        st = store_path().stat()
    except FileNotFoundError:
        return 0
    return st.st_ino * 1_000_000_007 + st.st_mtime_ns


def open_reader() -> Store:
    """The store, read-only (raises ``StoreUnavailable`` before the first refresh)."""
    path = store_path()
    if not path.exists():
        raise StoreUnavailable(
            _("No indicator data yet: run 'luotsi analytics refresh' to build the analytics store.")
        )
    try:
        return Store(path, read_only=True)
    except Exception as exc:  # duckdb.IOException and friends
        raise StoreUnavailable(_("The analytics store cannot be opened: %s") % exc) from exc


@contextmanager
def writer(threads: int = 2) -> Iterator[Store]:
    """A writable copy of the store; put in place only when the block finishes without error."""
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshBusy(
                _("Another refresh of the analytics store is running; try again later.")
            ) from None
        try:
            for stale in (building, building.with_name(building.name + ".wal")):
                stale.unlink(missing_ok=True)
            if path.exists():
                shutil.copyfile(path, building)
            store = Store(building, threads=threads)
            try:
                yield store
                store.con.execute("CHECKPOINT")
            finally:
                store.close()
            os.replace(building, path)
        except BaseException:
            building.unlink(missing_ok=True)
            building.with_name(building.name + ".wal").unlink(missing_ok=True)
            raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
