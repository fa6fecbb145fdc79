"""gunicorn-no-control-socket: start Gunicorn with `--no-control-socket` where its control socket has no writable place.

Gunicorn 25.1+ opens a control socket for `gunicornc` under `$HOME/.gunicorn/` (`--control-socket`, its --help
says, with `--no-control-socket` to disable it); under HOME=/ or a read-only home the arbiter logs `Control server
error: [Errno 13] Permission denied: '/.gunicorn'` at every start. It is not fatal, but it is an ERROR line that
trips monitors, and nothing in a container uses the socket unless `gunicornc` is run there.
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats.deploy import gunicorn
from fixbot.formats.deploy.edits import Change
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES, files

__all__ = ["GunicornNoControlSocket"]

SETTINGS = frozenset({"control_socket", "control_socket_disable"})


def _change(flag, target) -> Change | None:
    return Change(None) if flag.setting == "control_socket" else None  # a path for a socket that is not opened


def _add(invocation) -> tuple[tuple[str, None], ...]:
    disabled = any(f.setting == "control_socket_disable" for f in invocation.flags)
    return () if disabled or invocation.kind != "command" else (("control_socket_disable", None),)


class GunicornNoControlSocket(Codemod):
    NAME = "gunicorn-no-control-socket"
    DESCRIPTION = (
        "Start Gunicorn with --no-control-socket (its own switch for the control socket it keeps under HOME), "
        "added after `gunicorn` on each command line that does not have it, an existing --control-socket dropped."
    )
    HANDLES = ("gunicorn-control-socket",)
    FILES = files(rewritten=True)
    FORMATS = COMMAND_LINE_NAMES
    EXAMPLES = (
        Example("Dockerfile exec form", 'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
                'CMD ["gunicorn", "--no-control-socket", "--bind", "0.0.0.0:8000", "app:app"]\n', filename="Dockerfile"),
        Example("a socket path under HOME", "exec gunicorn app:app --control-socket ~/.gunicorn/app.ctl -w 2\n",
                "exec gunicorn --no-control-socket app:app -w 2\n", filename="entrypoint.sh"),
        Example("already disabled", "web: gunicorn app:app --no-control-socket\n", filename="Procfile"),
        Example("an ENTRYPOINT of one word, its arguments in CMD", 'ENTRYPOINT ["gunicorn"]\nCMD ["app:app"]\n',
                refuses="no other word to place new options beside", filename="Dockerfile"),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Gunicorn', lambda text: gunicorn.find_invocations(text, filename, False, SETTINGS), before, after)

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        reading = gunicorn.read(source, filename, False, SETTINGS)
        if reading is None or not hasattr(reading, "found"):
            return source  # a config module: the command line's switch wins over it
        return reading.rewrite(change=_change, add=_add)
