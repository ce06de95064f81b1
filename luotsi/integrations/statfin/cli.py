"""Command line: import table 12r5 into the analytics store.

    python -m luotsi.integrations.statfin import --months 2026M01:2026M06 --store PATH
    python -m luotsi.integrations.statfin import --csv luotsi/data/statfin_tyonv_12r5_2026M06.csv --store PATH

With ``--months`` the rows come from Statistics Finland's PxWeb API; with ``--csv`` (or
``--export`` for a PxWeb json export) from a file. The store is opened only after every row has
been fetched and parsed, so a failure (no network, a missing month) leaves it untouched.
Exit codes: 0 done, 1 bad input or API error, 2 no network.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from luotsi.integrations.statfin.client import (
    DEFAULT_BASE_URL,
    LANGUAGES,
    NetworkUnavailable,
    PxWebClient,
    StatFinError,
)

EXIT_OK, EXIT_ERROR, EXIT_OFFLINE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m luotsi.integrations.statfin",
        description="Import Statistics Finland's employment service statistics (table 12r5).",
    )
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import 12r5 into the analytics store")
    src = imp.add_mutually_exclusive_group(required=True)
    src.add_argument("--months", help="month or range from the API, e.g. 2026M01:2026M06")
    src.add_argument(
        "--csv", help="a 12r5 month file like luotsi/data/statfin_tyonv_12r5_2026M06.csv"
    )
    src.add_argument("--export", help="a PxWeb json export of 12r5")
    imp.add_argument("--store", required=True, help="analytics store (DuckDB file)")
    imp.add_argument("--base-url", default=DEFAULT_BASE_URL, help="PxWeb API base URL")
    imp.add_argument("--language", default="fi", choices=LANGUAGES)
    imp.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    imp.add_argument("--measures", help="comma-separated measure codes (default: all)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    from luotsi.analytics import public_stats
    from luotsi.integrations.statfin.catalogue import month_range

    try:
        if args.csv:
            rows = public_stats.import_12r5_csv(args.csv)
        elif args.export:
            rows = public_stats.import_12r5_export(args.export)
        else:
            months = month_range(args.months)
            client = PxWebClient(args.base_url, args.language, timeout=args.timeout)
            measures = args.measures.split(",") if args.measures else None
            rows = public_stats.import_from_api(client, months, measures=measures)
    except NetworkUnavailable as exc:
        print(f"No network: {exc}", file=sys.stderr)
        return EXIT_OFFLINE
    except (StatFinError, public_stats.PublicStatsError) as exc:
        print(f"Import failed, the store was not changed: {exc}", file=sys.stderr)
        return EXIT_ERROR
    from luotsi.analytics.store import Store

    with Store(args.store) as store:
        n = public_stats.load_public_series(store, rows)
    periods = sorted({r["period"].isoformat()[:7] for r in rows})
    print(
        f"Imported {n} rows of Statistics Finland table 12r5 ({', '.join(periods)}) into {args.store}"
    )
    return EXIT_OK
