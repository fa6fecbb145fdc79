"""Time logging-console and `fixbot codemod -j` over generated settings modules against libcst's parse-and-print."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import libcst as cst  # noqa: E402

from fixbot.codemods import Refusal  # noqa: E402
from fixbot.codemods.logging_console import LoggingConsole  # noqa: E402

HEAD = '''"""Django settings for {name}."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ.get("SECRET_KEY", "{name}-insecure")
DEBUG = os.environ.get("DEBUG") == "1"
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [{apps}]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "NAME": os.environ.get("DB", "{name}"), "HOST": "db", "PORT": 5432}}}}
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}}]
LOG_DIR = BASE_DIR / "logs"


def show_toolbar(request):
    return DEBUG and request.META.get("REMOTE_ADDR") in ("127.0.0.1",)

'''


def settings_module(rng: random.Random, i: int) -> str:
    q = rng.choice(["'", '"'])
    handlers = [f"    {q}console{q}: {{{q}class{q}: {q}logging.StreamHandler{q}, {q}formatter{q}: {q}verbose{q}}},"]
    names = ["console"]
    for n in range(rng.randint(0, 3)):
        cls = rng.choice(["logging.FileHandler", "logging.handlers.RotatingFileHandler", "logging.handlers.WatchedFileHandler"])
        handlers.append(
            f"    {q}file{n}{q}: {{{q}level{q}: {q}INFO{q}, {q}class{q}: {q}{cls}{q}, "
            f"{q}filename{q}: os.path.join(LOG_DIR, {q}f{n}.log{q}), {q}maxBytes{q}: 1048576, {q}backupCount{q}: 3}},"
        )
        names.append(f"file{n}")
    handlers.append(f"    {q}mail_admins{q}: {{{q}level{q}: {q}ERROR{q}, {q}class{q}: {q}django.utils.log.AdminEmailHandler{q}}},")
    loggers = "\n".join(
        f"    {q}{logger}{q}: {{{q}handlers{q}: {rng.sample(names, k=rng.randint(1, len(names)))!r}, {q}level{q}: {q}INFO{q}}},".replace("'", q)
        for logger in ("django", "django.request", "celery", "app")
    )
    apps = ", ".join(f'"app{k}"' for k in range(rng.randint(5, 25)))
    logging_src = (
        f"LOGGING = {{\n    {q}version{q}: 1,\n    {q}formatters{q}: {{{q}verbose{q}: {{{q}format{q}: {q}%(message)s{q}}}}},\n"
        f"    {q}handlers{q}: {{\n" + "\n".join("    " + h for h in handlers) + "\n    },\n"
        f"    {q}loggers{q}: {{\n" + "\n".join("    " + line for line in loggers.splitlines()) + "\n    },\n}\n"
    )
    return HEAD.format(name=f"project{i}", apps=apps) + logging_src


def best_of(runs: int, *works) -> list[float]:
    """Best time of each, runs interleaved so that a busy machine slows both alike."""
    best = [float("inf")] * len(works)
    for _ in range(runs):
        for i, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


FLOOR = """
import sys
import libcst
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        libcst.parse_module(handle.read()).bytes
"""


def libcst_command(paths: list[str]) -> None:
    """The floor as a command: a fresh interpreter that imports libcst, then parses and prints every file."""
    subprocess.run([sys.executable, "-c", FLOOR, *paths], check=True)


def fixbot_codemod(paths: list[str], jobs: int, *mode: str) -> None:
    """The whole command, as a user runs it: interpreter start, imports, reading, rewriting, writing or --check."""
    ran = subprocess.run([sys.executable, "-m", "fixbot.cli", "codemod", "logging-console", *mode, "-j", str(jobs),
                          *paths], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert ran.returncode == (1 if mode else 0), ran.returncode  # --check: some of them would change


def main(count: int = 300, runs: int = 5) -> None:
    rng = random.Random(1)
    sources = [settings_module(rng, i) for i in range(count)]
    changed = sum(LoggingConsole.rewrite(s, "settings.py") != s for s in sources)
    with tempfile.TemporaryDirectory(prefix="fixbot-bench-") as scratch:
        paths = []
        for i, source in enumerate(sources):
            path = Path(scratch, f"project{i}", "settings.py")
            path.parent.mkdir()
            path.write_text(source)
            paths.append(str(path))

        def floor() -> None:
            for path in paths:
                with open(path, "rb") as handle:
                    cst.parse_module(handle.read()).bytes

        def codemod() -> None:
            for source in sources:
                try:
                    LoggingConsole.rewrite(source, "settings.py")
                except Refusal:
                    pass

        def command(jobs: int, *mode: str) -> None:
            """From the original files each time: putting them back (~10 ms, no fsync) is counted."""
            for path, source in zip(paths, sources):
                Path(path).write_text(source)
            fixbot_codemod(paths, jobs, *mode)

        floor_s, codemod_s, libcst_s, *command_s = best_of(
            runs, floor, codemod, lambda: libcst_command(paths), lambda: command(1, "--check"),
            lambda: command(2, "--check"), lambda: command(1), lambda: command(2),
        )
    print(f"{count} settings modules, {changed} rewritten, {sum(map(len, sources)) / count:.0f} bytes each;"
          f" best of {runs}, {len(os.sched_getaffinity(0))} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"libcst parse + print in this process (floor): {floor_s:.3f} s ({floor_s / count * 1000:.2f} ms/file)")
    print(f"logging-console in this process:              {codemod_s:.3f} s  {codemod_s / floor_s:.2f}x")
    # Commands against a command: both start an interpreter and import libcst, and the scheduler treats them alike
    # (this process, idle while they ran, would get more than its share of a busy machine).
    print(f"libcst parse + print, one fresh process:      {libcst_s:.3f} s")
    for seconds, what in zip(command_s, ["--check -j 1", "--check -j 2", "-j 1 (writing)", "-j 2 (writing)"]):
        print(f"fixbot codemod {what + ',':15} whole command: {seconds:.3f} s  {seconds / libcst_s:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
