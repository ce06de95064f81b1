"""Expire handovers not accepted by their deadline (run daily, e.g. from cron at 00:05)."""

import datetime as dt

from django.core.management.base import BaseCommand

from luotsi.ecosystem.services import expire_overdue_handovers


class Command(BaseCommand):
    help = "Expire requested handovers whose accept-by date has passed; they return to the sender."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        n = expire_overdue_handovers(today)
        self.stdout.write(f"expired {n} handover(s)")
