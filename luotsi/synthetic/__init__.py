"""Synthetic employment areas: realistic job seekers and journeys with known effects (no Django).

Public API (see docs/synthetic.md)::

    from luotsi.synthetic import SyntheticConfig, PilotEffect, ExperimentEffect, generate

    config = SyntheticConfig(municipalities=area_municipalities("1"), scale=0.1, seed=7)
    for batch in generate(config):  # pyarrow.RecordBatch with exactly FLAT_COLUMNS
        ...
"""

from .config import ConfigError, ExperimentEffect, Parameters, PilotEffect, SyntheticConfig
from .generator import generate, truth, truth_batches, write_parquet
from .people import Person, identity_code, people
from .reference import area_municipalities, mainland_codes
from .report import Report, ReportRow, calibration_report
from .tables import offerings, organisations, workers

__all__ = [
    "ConfigError",
    "ExperimentEffect",
    "Parameters",
    "Person",
    "PilotEffect",
    "Report",
    "ReportRow",
    "SyntheticConfig",
    "area_municipalities",
    "calibration_report",
    "generate",
    "identity_code",
    "mainland_codes",
    "offerings",
    "organisations",
    "people",
    "truth",
    "truth_batches",
    "workers",
    "write_parquet",
]
