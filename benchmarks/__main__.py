"""Run every benchmark: ``python -m benchmarks [--quick]`` (``make bench`` runs it at full size).

Each ``bench_*.py`` module is run in its own process, in name order; each prints its figures and
its ratios against a baseline measured in the same run. Extra arguments are passed to each.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = f"benchmarks.{path.stem}"
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, "-m", name, *argv], cwd=HERE.parent).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
