"""How long `fixbot apply --dry-run` takes on the example, against a bare libcst parse of the same file.

Baseline, in a fresh interpreter each time:  python -c "import libcst; libcst.parse_module(src).code"
on the settings file apply rewrites. Then the same dry run in a repository with 10,000 unrelated files
added, to show apply's work does not grow with what the log does not point to.

    python benchmarks/apply.py [--unrelated 10000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ledgersg"
LOG = EXAMPLE / "logs" / "boot-failure.log"
SETTINGS = "apps/backend/config/settings/service.py"
GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x",
       "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}


def best(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def make_repo(where: Path, unrelated: int) -> Path:
    repo = where / f"repo-{unrelated}"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__"))
    for i in range(unrelated):
        d = repo / "vendor" / f"pkg{i // 100}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"module{i}.py").write_text(f"VALUE = {i}\n")
    env = {**os.environ, **GIT}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unrelated", type=int, default=10_000)
    args = parser.parse_args()
    fixbot = str(Path(sys.executable).with_name("fixbot"))
    with tempfile.TemporaryDirectory(prefix="fixbot-bench-") as scratch:
        small, large = make_repo(Path(scratch), 0), make_repo(Path(scratch), args.unrelated)
        floor = best([sys.executable, "-c",
                      f"import libcst; libcst.parse_module(open({str(small / SETTINGS)!r}).read()).code"])
        apply_small = best([fixbot, "apply", "--log", str(LOG), "--repo", str(small), "--dry-run"])
        apply_large = best([fixbot, "apply", "--log", str(LOG), "--repo", str(large), "--dry-run"])
    print(f"libcst parse+print, fresh interpreter (floor): {floor:.3f} s")
    print(f"fixbot apply --dry-run on examples/ledgersg:   {apply_small:.3f} s  ({apply_small / floor:.2f}x the floor)")
    print(f"the same with {args.unrelated} unrelated files:      {apply_large:.3f} s  "
          f"({apply_large / apply_small:.2f}x the small repository)")


if __name__ == "__main__":
    main()
