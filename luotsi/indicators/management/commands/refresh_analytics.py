"""``luotsi analytics refresh``: new journey events into the analytics store, then the cube."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ._base import IndicatorCommand, parse_date


class Command(IndicatorCommand):
    help = (
        "Refresh the analytics store from the journey log (only new events), load reference data "
        "and workers, compute every indicator for the window and evaluate the alerts."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--start", help="first month of the window (default: 24 months back)")
        parser.add_argument("--end", help="last day of the window (default: end of this month)")

    def handle(self, *args, **opts):
        from luotsi.indicators import services, storage

        self.stdout.write(_("Refreshing %s...") % storage.store_path())
        job = self.guarded(
            services.refresh_store,
            actor=self.actor(opts),
            start=parse_date(opts["start"], "start"),
            end=parse_date(opts["end"], "end"),
            verbosity=opts["verbosity"],
        )
        self.done(job.message)
