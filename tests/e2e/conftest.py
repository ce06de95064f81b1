"""End-to-end tests in a real browser (Debian's Chromium driven by Playwright) against a real
server process on its own SQLite database, prepared by ``luotsi demo --no-serve``.

Skipped with a clear reason when Chromium is not installed (``make e2e-setup`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-Salasana-2026"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


# The demo's self-service customer: who they are and who is responsible for them.
SELF_SERVICE_FACTS = """
import json
from luotsi.ecosystem.models import CustomerAccount
a = CustomerAccount.objects.select_related("customer").get(user__username="asiakas")
r = a.customer.responsibilities.get(ends_at__isnull=True)
c = a.customer
print(json.dumps({"customer": str(c.pk), "name": f"{c.first_name} {c.last_name}", "worker": r.worker.username}))
"""
server_facts: dict = {}


def pytest_collection_modifyitems(items):
    """All browser tests run on one xdist worker (``--dist loadgroup``), so the demo server that
    they share is built once."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.xdist_group("e2e"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make e2e-setup)")
    var = tmp_path_factory.mktemp("e2e-var")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        LUOTSI_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        LUOTSI_DEMO_PASSWORD=PASSWORD,
    )
    cli = [sys.executable, "-m", "luotsi.cli"]
    subprocess.run(
        [*cli, "demo", "--no-serve", "--customers", "40"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    facts = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SELF_SERVICE_FACTS],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (var / "facts.json").write_text(facts.strip().splitlines()[-1])
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    server_facts.update(json.loads((var / "facts.json").read_text()))
    deadline = time.monotonic() + 120  # a loaded 2-core machine starts Django slowly
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"the demo server exited with code {proc.returncode}")
            if time.monotonic() > deadline:
                proc.terminate()
                pytest.fail(f"the demo server did not listen on port {port} within 120 s")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make e2e-setup)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def login(browser, server):
    contexts = []

    def as_user(username: str, language: str = "en"):
        ctx = browser.new_context(locale=language)
        ctx.add_cookies([{"name": "django_language", "value": language, "url": server}])
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{server}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{server}/")
        return page

    yield as_user
    for ctx in contexts:
        ctx.close()
