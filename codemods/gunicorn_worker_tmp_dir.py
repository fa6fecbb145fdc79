"""gunicorn-worker-tmp-dir: Gunicorn's workers keep their heartbeat file in /dev/shm (`--worker-tmp-dir /dev/shm`).

Each worker makes a temporary file it touches to say it is alive (gunicorn/workers/workertmp.py). Without
--worker-tmp-dir it goes where Python's tempfile looks, and a read-only root with a read-only /tmp leaves it
nowhere: `FileNotFoundError: [Errno 2] No usable temporary directory found in [...]` and every worker dies.
/dev/shm is a tmpfs in Docker and Kubernetes containers, writable by any user, and Gunicorn's docs recommend it
(https://docs.gunicorn.org/en/stable/faq.html#blocking-os-fchmod).
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats.deploy import gunicorn
from fixbot.formats.deploy.edits import Change
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES, files

__all__ = ["GunicornWorkerTmpDir"]

SETTINGS = frozenset({"worker_tmp_dir"})
SHM = "/dev/shm"


def _change(flag, target) -> Change | None:
    return None if flag.value == SHM else Change(SHM)


def _add(invocation) -> tuple[tuple[str, str], ...]:
    """A command line that does not set it gets the option (GUNICORN_CMD_ARGS and config modules are set only
    where they name it: the command line wins over both)."""
    return () if invocation.flags or invocation.kind != "command" else (("worker_tmp_dir", SHM),)


class GunicornWorkerTmpDir(Codemod):
    NAME = "gunicorn-worker-tmp-dir"
    DESCRIPTION = (
        "Give Gunicorn's workers /dev/shm for their heartbeat files (--worker-tmp-dir /dev/shm, added after "
        "`gunicorn` on each command line that does not set it, spelled like its neighbours; an existing "
        "--worker-tmp-dir or worker_tmp_dir = set to /dev/shm), wherever Gunicorn is started."
    )
    HANDLES = ("gunicorn-worker-tmp",)
    FILES = files(rewritten=True)
    FORMATS = ("Gunicorn config modules",) + COMMAND_LINE_NAMES
    EXAMPLES = (
        Example("shell", "exec gunicorn app:app --workers 2\n", "exec gunicorn --worker-tmp-dir /dev/shm app:app --workers 2\n",
                filename="entrypoint.sh"),
        Example("Dockerfile exec form", 'CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\n',
                'CMD ["gunicorn", "--worker-tmp-dir", "/dev/shm", "-b", "0.0.0.0:8000", "app:app"]\n', filename="Dockerfile"),
        Example("compose list", "services:\n  web:\n    command:\n      - gunicorn\n      - app:app\n",
                "services:\n  web:\n    command:\n      - gunicorn\n      - --worker-tmp-dir\n      - /dev/shm\n      - app:app\n",
                filename="docker-compose.yml"),
        Example("an existing setting", "worker_tmp_dir = '/var/tmp/gunicorn'\nworkers = 2\n",
                "worker_tmp_dir = '/dev/shm'\nworkers = 2\n", filename="gunicorn.conf.py"),
        Example("already in /dev/shm", "web: gunicorn app:app --worker-tmp-dir /dev/shm\n", filename="Procfile"),
        Example("nothing after gunicorn: its config module names the app", "exec gunicorn\n",
                "exec gunicorn --worker-tmp-dir /dev/shm\n", filename="start.sh"),
        Example("an ENTRYPOINT of one word, its arguments in CMD", 'ENTRYPOINT ["gunicorn"]\nCMD ["app:app"]\n',
                refuses="no other word to place new options beside", filename="Dockerfile"),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Gunicorn', lambda text: gunicorn.find_invocations(text, filename, bool(options.get("config_module")), SETTINGS), before, after)

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        """`config_module=True` reads the file as the module `gunicorn -c FILE` loads, whatever its name."""
        config_module = bool(options.pop("config_module", False))
        reading = gunicorn.read(source, filename, config_module, SETTINGS)
        if reading is None:
            return source
        is_module = not hasattr(reading, "found")  # a config module: its existing setting only
        return reading.rewrite(change=_change, add=None if is_module else _add)
