"""Statistics Finland PxWeb client: folders, metadata, JSON-stat 2.0 queries, table 12r5.

See ``docs/public-statistics.md``. The command line is ``python -m luotsi.integrations.statfin``.
"""

from luotsi.integrations.statfin.client import (
    DEFAULT_BASE_URL,
    BadResponse,
    HTTPStatusError,
    NetworkUnavailable,
    NotFound,
    PxWebClient,
    StatFinError,
    StatFinTimeout,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "BadResponse",
    "HTTPStatusError",
    "NetworkUnavailable",
    "NotFound",
    "PxWebClient",
    "StatFinError",
    "StatFinTimeout",
]
