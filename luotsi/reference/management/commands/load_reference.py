"""``luotsi reference load``: load the shipped reference data or a user's file, with a progress bar."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from luotsi.reference import services
from luotsi.reference.parsing import ReferenceFileError


def _progress(enabled: bool):
    def wrap(items, label: str, total: int):
        return tqdm(
            items, desc=label, total=total, unit="row", disable=not enabled, file=sys.stderr
        )

    return wrap


class Command(BaseCommand):
    help = (
        "Load reference data. With no options, load everything shipped in luotsi/data "
        "(municipalities, postal codes, employment areas, pilots). Idempotent and atomic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", metavar="CSV", help="municipality file")
        parser.add_argument("--postal-codes", metavar="CSV", help="postal-code file")
        parser.add_argument(
            "--areas",
            metavar="FILE",
            help="employment-area key (CSV) or classification-service correspondence (CSV/JSON)",
        )
        parser.add_argument(
            "--valid-from",
            type=dt.date.fromisoformat,
            default=dt.date(2025, 1, 1),
            help="first day of an area key without dates (default 2025-01-01)",
        )
        parser.add_argument("--pilots", metavar="CSV", help="pilot memberships file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **opts):
        progress = _progress(not opts["no_progress"] and opts["verbosity"] > 0)
        chosen = any(opts[k] for k in ("municipalities", "postal_codes", "areas", "pilots"))
        try:
            if not chosen:
                results = services.load_all(progress=progress)
            else:
                results = []
                if opts["municipalities"]:
                    results.append(
                        services.load_municipalities(opts["municipalities"], progress=progress)
                    )
                if opts["postal_codes"]:
                    results.append(
                        services.load_postal_codes(opts["postal_codes"], progress=progress)
                    )
                if opts["areas"]:
                    results.append(
                        services.load_areas(
                            opts["areas"], valid_from=opts["valid_from"], progress=progress
                        )
                    )
                if opts["pilots"]:
                    results.append(services.load_pilots(opts["pilots"], progress=progress))
        except ReferenceFileError as exc:
            raise CommandError(f"nothing was loaded: {exc}") from exc
        for r in results:
            self.stdout.write(str(r))
