"""Indicator definitions (data), the engine and the SQL of each indicator family."""

from __future__ import annotations

from .definitions import Definition, definition, definitions
from .engine import LEVELS, PERIODS, compute, register_family

__all__ = [
    "LEVELS",
    "PERIODS",
    "Definition",
    "compute",
    "definition",
    "definitions",
    "register_family",
]
