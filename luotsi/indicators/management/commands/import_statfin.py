"""``luotsi statfin import``: Statistics Finland's table 12r5 into the analytics store."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ._base import IndicatorCommand


class Command(IndicatorCommand):
    help = (
        "Import table 12r5 (employment service statistics): the month shipped with Luotsi "
        "(default, offline), a CSV file (--csv) or months from the PxWeb API (--months). "
        "Exit code 2 when there is no network."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        src = parser.add_mutually_exclusive_group()
        src.add_argument("--csv", help="a 12r5 month file (default: the shipped 2026M06 file)")
        src.add_argument("--months", help="months from the API, e.g. 2026M01:2026M06")
        parser.add_argument("--measures", help="comma-separated measure codes (API only)")

    def handle(self, *args, **opts):
        from luotsi.indicators import services

        measures = opts["measures"].split(",") if opts["measures"] else None
        job = self.guarded(
            services.import_public_statistics,
            actor=self.actor(opts),
            csv_path=opts["csv"],
            months=opts["months"],
            measures=measures,
            verbosity=opts["verbosity"],
        )
        self.done(
            _("%(message)s. Source: %(source)s") % {"message": job.message, "source": job.source}
        )
