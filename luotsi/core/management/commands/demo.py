"""``luotsi demo``: migrate, load reference and demo data, print demo users, serve on 127.0.0.1:8000."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare the demo database and serve the web app on http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare data, do not start the server"
        )
        parser.add_argument("--port", default="8000")
        parser.add_argument(
            "--customers", type=int, default=3000, help="demo customers to generate"
        )
        parser.add_argument(
            "--password",
            default=os.environ.get("LUOTSI_DEMO_PASSWORD"),
            help="one password for every demo user (default: random, printed)",
        )

    def handle(self, *args, **opts):
        from luotsi.demo.build import build_demo

        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading reference data...")
        call_command("load_reference", no_progress=True, verbosity=1)
        summary = build_demo(
            customers=opts["customers"], stdout=self.stdout, password=opts["password"]
        )
        from luotsi.demo.analytics import build_analytics

        build_analytics(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Luotsi demo is ready: http://127.0.0.1:{opts['port']}/")
        )
        self.stdout.write(f"Demo area: {summary.area_name}")
        self.stdout.write("Demo users (username / password / role):")
        for login in summary.logins:
            role = (
                f"{login.role.label}  ({login.organisation})" if login.role else login.organisation
            )
            self.stdout.write(f"  {login.username:<12} {login.password:<14} {role}")
        if not opts["no_serve"]:
            call_command("runserver", f"127.0.0.1:{opts['port']}", use_reloader=False)
