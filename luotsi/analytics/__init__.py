"""Analytics (no Django): the DuckDB store, derived tables, indicators, suppression and exports.

Entry points:

* ``Store(path)`` - the analytics store (``luotsi.analytics.store``): schema, reference data,
  public series, incremental refresh from the journey log, Parquet ingestion;
* ``compute(store, codes, level=..., period=..., start=..., end=...)`` - the indicator engine
  (``luotsi.analytics.indicators``);
* ``suppress(table, threshold=5)`` - small-cell suppression with secondary suppression
  (``luotsi.analytics.suppression``);
* ``export(table, format, path_or_buffer, language)`` - CSV, Excel and Parquet with metadata
  (``luotsi.analytics.exports``).

Imports are lazy so that ``import luotsi.analytics.panels`` does not load every module.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EventSource", "Store", "compute", "definitions", "export", "suppress"]

_LAZY = {
    "Store": ("luotsi.analytics.store", "Store"),
    "EventSource": ("luotsi.analytics.refresh", "EventSource"),
    "compute": ("luotsi.analytics.indicators.engine", "compute"),
    "definitions": ("luotsi.analytics.indicators.definitions", "definitions"),
    "suppress": ("luotsi.analytics.suppression", "suppress"),
    "export": ("luotsi.analytics.exports", "export"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'luotsi.analytics' has no attribute {name!r}") from None
    import importlib

    return getattr(importlib.import_module(module_name), attr)
