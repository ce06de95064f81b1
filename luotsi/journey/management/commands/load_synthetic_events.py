"""``luotsi manage load_synthetic_events``: stream synthetic journey events into the journey log."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from luotsi.journey.bulk import insert_flat_batches
from luotsi.synthetic import ConfigError, SyntheticConfig, area_municipalities, generate


class Command(BaseCommand):
    help = (
        "Generate synthetic job seekers and journeys (luotsi.synthetic) and bulk-insert their "
        "events into the journey log, one batch at a time (bounded memory)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", help="employment area code (default: the whole mainland)")
        parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2024, 7, 1))
        parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
        parser.add_argument("--scale", type=float, default=0.1)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts):
        try:
            config = SyntheticConfig(
                municipalities=area_municipalities(opts["area"]) if opts["area"] else (),
                starts_on=opts["start"],
                ends_on=opts["end"],
                scale=opts["scale"],
                seed=opts["seed"],
            )
        except (ConfigError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        bar = tqdm(
            unit="event",
            file=sys.stderr,
            disable=opts["no_progress"] or opts["verbosity"] == 0,
        )
        with bar:
            n = insert_flat_batches(generate(config, workers=opts["workers"]), on_batch=bar.update)
        self.stdout.write(f"{n} events written")
