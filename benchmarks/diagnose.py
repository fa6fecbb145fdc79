"""How fast `fixbot diagnose` reads a large log, against `grep -c` on the same file in the same run.

Two shapes of log, each written once per size:
  sparse  SIZE MB of realistic noise (Gunicorn access lines, Django request warnings) with a real failure at
          the end; the floor is  grep -c "Unable to configure handler" LOG .
  dense   the example's failing log (examples/ledgersg/logs/boot-failure.log) repeated to SIZE MB, as a
          crash-looping container writes it; the floor is  grep -c Traceback LOG .
Each is read with  fixbot diagnose LOG --format json  and, for dense logs, also from a pipe
(cat LOG | fixbot diagnose - --format json); the table gives the ratio to grep in wall time and in CPU time
(user + system), the rate, and fixbot's peak memory.

    python benchmarks/diagnose.py [--sparse 1,10,100,1024] [--dense 100,1024] [--runs 3] [--keep DIR] [--fixbot CMD]
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


def write_log(path: Path, megabytes: int, dense: bool = False) -> None:
    """`megabytes` of noise then the failure (sparse), or of the failing log over and over (dense)."""
    target = megabytes * 1024 * 1024
    piece = FAILURE * max(1, (1 << 20) // len(FAILURE)) if dense else NOISE
    with open(path, "wb") as out:
        written = 0
        while written < target:
            out.write(piece)
            written += len(piece)
        if not dense:
            out.write(FAILURE)


def timed(cmd: list[str], runs: int, stdin_from: Path | None = None) -> tuple[float, float, int]:
    """Wall time and CPU time (user + system: what a busy shared machine disturbs least) of the best of `runs`,
    and the peak RSS (KiB) of the child itself (not of `cat`).

    Output goes to a file, not /dev/null: GNU grep stops at the first match when its output is /dev/null."""
    best, cpu, peak = float("inf"), float("inf"), 0
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            cat = subprocess.Popen(["cat", str(stdin_from)], stdout=subprocess.PIPE) if stdin_from else None
            child = subprocess.Popen(cmd, stdin=cat.stdout if cat else None, stdout=out, stderr=subprocess.DEVNULL)
            if cat:
                cat.stdout.close()
            _, status, usage = os.wait4(child.pid, 0)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, usage.ru_utime + usage.ru_stime)
            peak = max(peak, usage.ru_maxrss)
        if cat:
            cat.wait()
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed")
    return best, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sparse", default="1,10,100,1024", help="sparse log sizes in MB, comma-separated ('' for none)")
    parser.add_argument("--dense", default="100,1024", help="dense log sizes in MB, comma-separated ('' for none)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command; the best is kept")
    parser.add_argument("--keep", help="directory to write the logs to (default: a temporary one)")
    parser.add_argument("--fixbot", help="the fixbot command to time (default: this environment's; another checkout's to compare)")
    args = parser.parse_args()
    fixbot = args.fixbot or shutil.which("fixbot", path=os.path.dirname(sys.executable)) or "fixbot"
    work = Path(args.keep or tempfile.mkdtemp(prefix="fixbot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = [("sparse", int(s)) for s in args.sparse.split(",") if s] + [("dense", int(s)) for s in args.dense.split(",") if s]
    print(f"{'log':>14} {'read':>6} {'grep -c':>9} {'fixbot':>9} {'ratio':>7} {'cpu ratio':>10} {'MB/s':>7} {'peak RSS':>9}")
    for shape, size in cases:
        log = work / f"{shape}-{size}MB.log"
        if not log.exists():
            write_log(log, size, dense=shape == "dense")
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL)  # warm the page cache for both
        pattern = "Traceback" if shape == "dense" else "Unable to configure handler"
        grep, grep_cpu, _ = timed(["grep", "-c", pattern, str(log)], args.runs)
        ways = [("file", [str(log)], None)] + ([("stdin", ["-"], log)] if shape == "dense" else [])
        for way, source, stdin_from in ways:
            mine, cpu, rss = timed([fixbot, "diagnose", *source, "--format", "json"], args.runs, stdin_from)
            print(f"{shape:>7} {size:>4}MB {way:>6} {grep:>8.3f}s {mine:>8.3f}s {mine / grep:>6.2f}x"
                  f" {cpu / max(grep_cpu, 1e-3):>9.2f}x {size / mine:>7.0f} {rss / 1024:>7.1f}MB", flush=True)
        if not args.keep:
            log.unlink()
    if not args.keep:
        work.rmdir()


if __name__ == "__main__":
    main()
