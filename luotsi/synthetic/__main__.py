"""Command line: ``python -m luotsi.synthetic report|parquet ...`` (see docs/synthetic.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

from .config import SyntheticConfig
from .generator import write_parquet
from .reference import area_municipalities
from .report import MEASURES, calibration_report


def _config(args: argparse.Namespace) -> SyntheticConfig:
    munis: list[str] = list(args.municipality or [])
    for area in args.area or []:
        munis += area_municipalities(area)
    return SyntheticConfig(
        municipalities=tuple(munis),
        starts_on=dt.date.fromisoformat(args.start),
        ends_on=dt.date.fromisoformat(args.end),
        scale=args.scale,
        stock=args.stock,
        seed=args.seed,
    )


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.0f}"


def report(args: argparse.Namespace) -> int:
    config = _config(args)
    rep = calibration_report(config, workers=args.workers)
    out = sys.stdout
    out.write(f"Counting day {rep.counting_day}; real = Statistics Finland 12r5 2026M06 x scale\n")
    out.write("code  municipality            measure    generated      real   ratio\n")
    few = len({r.municipality_code for r in rep.rows}) <= 31  # 30 municipalities and the total
    rows = rep.rows if args.all or few else [r for r in rep.rows if r.municipality_code == "SSS"]
    for r in rows:
        if r.measure not in MEASURES:
            continue
        ratio = "" if r.ratio is None else f"{r.ratio:6.2f}"
        flag = " *" if r.suppressed else ""
        out.write(
            f"{r.municipality_code:5} {r.name[:22]:22} {r.measure:9} {r.generated:10.0f} "
            f"{_fmt(r.real):>9} {ratio:>7}{flag}\n"
        )
    out.write(
        "\n(* = real figure suppressed in 12r5 and imputed)\n\nmonth     stock    ltu  inflow outflow\n"
    )
    for m in rep.monthly:
        out.write(
            f"{m['month']} {m['stock']:7d} {m['ltu']:6d} {m['inflow']:7d} {m['outflow']:7d}\n"
        )
    return 0


def parquet(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    counts = write_parquet(_config(args), args.path, workers=args.workers)
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(counts, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m luotsi.synthetic")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn in (("report", report), ("parquet", parquet)):
        p = sub.add_parser(name)
        p.set_defaults(fn=fn)
        if name == "parquet":
            p.add_argument("path", help="directory, or a file name ending in .parquet")
        p.add_argument("--area", action="append", help="employment area code (1-45); repeatable")
        p.add_argument("--municipality", action="append", help="municipality code; repeatable")
        p.add_argument("--start", default="2025-07-01")
        p.add_argument("--end", default="2026-06-30")
        p.add_argument("--scale", type=float, default=1.0)
        p.add_argument("--stock", type=int, default=None)
        p.add_argument("--seed", type=int, default=2025)
        p.add_argument("--workers", type=int, default=1)
        if name == "report":
            p.add_argument("--all", action="store_true", help="every municipality, not just totals")
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
