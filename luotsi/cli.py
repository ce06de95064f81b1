"""The ``luotsi`` command: the demo, the test suite and every management task in one place.

luotsi demo                 migrate, load reference and demo data, serve http://127.0.0.1:8000
luotsi selftest [ARGS]      the whole test suite (pytest ARGS are passed on)
luotsi reference load ...   load reference data (see ``luotsi reference load --help``)
luotsi manage CMD ...       any Django management command
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALIASES = {
    ("reference", "load"): "load_reference",
    ("statfin", "import"): "import_statfin",
    ("analytics", "refresh"): "refresh_analytics",
    ("indicators", "compute"): "compute_indicators",
    ("evaluation", "run"): "run_evaluation",
}


def _django(argv: list[str], settings: str = "config.settings.base") -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["luotsi", *argv])
    return 0


def selftest(args: list[str]) -> int:
    """Import boundaries, then pytest (in parallel when the machine has more than one core)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    bin_dir = Path(sys.executable).parent
    lint = subprocess.run([str(bin_dir / "lint-imports")], cwd=ROOT, env=env)
    if lint.returncode:
        return lint.returncode
    workers = (
        ["-n", os.environ.get("LUOTSI_TEST_WORKERS", "2"), "--dist", "loadgroup"]
        if (os.cpu_count() or 1) > 1
        else []
    )
    cmd = [sys.executable, "-m", "pytest", *workers, *args]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    head = argv[0]
    if head == "selftest":
        return selftest(argv[1:])
    if head == "demo":
        return _django(["demo", *argv[1:]], "config.settings.dev")
    if head == "manage":
        return _django(argv[1:])
    if len(argv) >= 2 and (head, argv[1]) in ALIASES:
        return _django([ALIASES[(head, argv[1])], *argv[2:]])
    return _django(argv)


if __name__ == "__main__":
    sys.exit(main())
