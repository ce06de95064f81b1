"""The demo's analytics: the real month of Statistics Finland's table 12r5 and the analytics store
filled from the demo's journey log, with every indicator computed, so that the dashboards show the
demo area against the real figures of all 45 employment areas."""

from __future__ import annotations


def build_analytics(*, stdout) -> None:
    from luotsi.indicators import services

    def progress(message: str) -> None:
        stdout.write(f"  {message}")

    stdout.write("Refreshing the analytics store from the demo journey log...")
    services.refresh_store(actor=None, progress=progress)
    stdout.write("Loading the real month of Statistics Finland's table 12r5 (June 2026)...")
    job = services.import_public_statistics(actor=None, progress=progress)
    stdout.write(f"  {job.message}")
