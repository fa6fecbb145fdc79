"""Start-up: `fixbot diagnose` on the example log against `python -c "import click, yaml"` (its floor).

    python benchmarks/startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"


def best(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    fixbot = str(Path(sys.executable).with_name("fixbot"))
    floor = best([sys.executable, "-c", "import click, yaml"], args.runs)
    mine = best([fixbot, "diagnose", str(LOG)], args.runs)
    print(f'python -c "import click, yaml" (floor): {floor:.3f} s')
    print(f"fixbot diagnose on the example log:     {mine:.3f} s  ({mine / floor:.2f}x the floor)")


if __name__ == "__main__":
    main()
