"""What finding the settings module by evidence costs: `fixbot apply --dry-run` in repositories of 10,000 files, against the small example.

apply now looks through every tracked file for DJANGO_SETTINGS_MODULE and LOGGING (one `git grep` each) and walks
each settings module that defines LOGGING. Three repositories, each the example plus:
  unrelated  - 10,000 modules that mention neither (what most repositories look like)
  mentions   - 10,000 files of which 2,000 docs and 2,000 .py modules mention DJANGO_SETTINGS_MODULE or LOGGING
               (far past the scan's bounds: it stops after 400 files or 8 MiB)
Baseline: the same dry run on the example alone. Run it with PYTHONPATH pointing at another checkout to time
that checkout's fixbot the same way.

    python benchmarks/locate.py [--files 10000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from apply import GIT, LOG, best, make_repo  # noqa: E402


def add_mentions(repo: Path, files: int) -> None:
    for i in range(files):
        d = repo / "vendor" / f"pkg{i // 100}"
        d.mkdir(parents=True, exist_ok=True)
        if i % 5 == 0:
            (d / f"notes{i}.md").write_text(f"export DJANGO_SETTINGS_MODULE=vendor.pkg{i // 100}.settings{i}\n")
        elif i % 5 == 1:
            (d / f"conf{i}.py").write_text(f"LOGGING = {{'version': 1, 'handlers': {{'h{i}': {{}}}}}}\n")
        else:
            (d / f"module{i}.py").write_text(f"VALUE = {i}\n")
    env = {**os.environ, **GIT}
    for args in (["add", "-A"], ["commit", "-q", "-m", "mentions"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    fixbot = [sys.executable, "-m", "fixbot.cli"]
    with tempfile.TemporaryDirectory(prefix="fixbot-bench-") as scratch:
        small, unrelated = make_repo(Path(scratch), 0), make_repo(Path(scratch), args.files)
        mentions = make_repo(Path(scratch) / "m", 0)
        add_mentions(mentions, args.files)
        times = {name: best([*fixbot, "apply", "--log", str(LOG), "--repo", str(repo), "--dry-run"])
                 for name, repo in (("small", small), ("unrelated", unrelated), ("mentions", mentions))}
    print(f"apply --dry-run, examples/ledgersg alone:                     {times['small']:.3f} s")
    print(f"  + {args.files} unrelated files:                            {times['unrelated']:.3f} s "
          f"({times['unrelated'] / times['small']:.2f}x)")
    print(f"  + {args.files} files, 4,000 naming LOGGING or the module:  {times['mentions']:.3f} s "
          f"({times['mentions'] / times['small']:.2f}x)")


if __name__ == "__main__":
    main()
