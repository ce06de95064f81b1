"""Pages of the indicators app (split by page group)."""

from .alerts import alerts, threshold_delete
from .catalogue import catalogue
from .dashboard import areas, municipalities, overview, series, teams
from .exports import download

__all__ = [
    "alerts",
    "areas",
    "catalogue",
    "download",
    "municipalities",
    "overview",
    "series",
    "teams",
    "threshold_delete",
]
