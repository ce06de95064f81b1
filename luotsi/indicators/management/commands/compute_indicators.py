"""``luotsi indicators compute``: recompute indicators from what the store already holds."""

from __future__ import annotations

from ._base import IndicatorCommand, parse_date


class Command(IndicatorCommand):
    help = "Recompute indicators (all levels, month/quarter/year) in the analytics store."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--codes", help="comma-separated indicator codes (default: all)")
        parser.add_argument("--start", help="first month (default: 24 months back)")
        parser.add_argument("--end", help="last day (default: end of this month)")

    def handle(self, *args, **opts):
        from luotsi.indicators import services

        codes = (
            [c.strip() for c in opts["codes"].split(",") if c.strip()] if opts["codes"] else None
        )
        job = self.guarded(
            services.compute_indicators,
            actor=self.actor(opts),
            codes=codes,
            start=parse_date(opts["start"], "start"),
            end=parse_date(opts["end"], "end"),
            verbosity=opts["verbosity"],
        )
        self.done(job.message)
