"""How fast `fixbot diagnose` reads a large log, against `grep -c` for the same signature on the same file.

Writes a log of SIZE MB of realistic noise (Gunicorn access lines, Django request warnings) with a real
failure at the end, then times, in the same run:  grep -c "Unable to configure handler" LOG  (the floor)
and  fixbot diagnose LOG --format json ; and reports the ratio and fixbot's peak memory.

    python benchmarks/diagnose.py [--sizes 1,10,100,1024] [--keep DIR]
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

HERE = Path(__file__).resolve().parent
FAILURE = (HERE.parent / "examples" / "ledgersg" / "logs" / "boot-failure.log").read_bytes()
NOISE = b"".join(
    [
        b'10.0.%d.%d - - [28/Nov/2026:14:%02d:%02d +0000] "GET /api/v1/items/?page=%d HTTP/1.1" 200 %d "-" '
        b'"Mozilla/5.0 (X11; Linux x86_64)"\n' % (i % 250, i % 199, i % 60, i % 59, i, 1000 + i)
        for i in range(2000)
    ]
    + [b"WARNING 2026-11-28 14:00:00,000 log Not Found: /favicon.ico\n" for _ in range(20)]
)


def write_log(path: Path, megabytes: int) -> None:
    target = megabytes * 1024 * 1024
    with open(path, "wb") as out:
        written = 0
        while written < target:
            out.write(NOISE)
            written += len(NOISE)
        out.write(FAILURE)


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall time of the best of three runs, and the peak RSS (KiB) of the child itself."""
    best, peak = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        best = min(best, time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss)
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1024", help="log sizes in MB, comma-separated")
    parser.add_argument("--keep", help="directory to write the logs to (default: a temporary one)")
    args = parser.parse_args()
    fixbot = shutil.which("fixbot", path=os.path.dirname(sys.executable)) or "fixbot"
    work = Path(args.keep or tempfile.mkdtemp(prefix="fixbot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'size':>8} {'grep -c':>9} {'fixbot':>9} {'ratio':>6} {'MB/s':>7} {'peak RSS':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        log = work / f"deploy-{size}MB.log"
        write_log(log, size)
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL)  # warm the page cache for both
        grep, _ = timed(["grep", "-c", "Unable to configure handler", str(log)])
        mine, rss = timed([fixbot, "diagnose", str(log), "--format", "json"])
        print(f"{size:>6}MB {grep:>8.3f}s {mine:>8.3f}s {mine / grep:>5.2f}x {size / mine:>7.0f} {rss / 1024:>7.1f}MB")
        if not args.keep:
            log.unlink()
    if not args.keep:
        work.rmdir()


if __name__ == "__main__":
    main()
