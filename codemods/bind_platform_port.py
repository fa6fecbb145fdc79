"""bind-platform-port: Gunicorn and uvicorn listen on every interface, on the platform's $PORT, where a start binds the loopback.

A platform (Heroku, Render, Cloud Run) routes requests to the container's address on the port it gives in $PORT;
an app that listens on 127.0.0.1 is reachable from inside the container only, and the platform kills it after its
boot timeout (Heroku's R10). The fix is the one each platform documents: `--bind 0.0.0.0:${PORT:-8000}` for
Gunicorn, `--host 0.0.0.0 --port ${PORT:-8000}` for uvicorn, the old port kept as the default for a run without
$PORT. Only a start whose words a shell reads at run time can expand $PORT (a Procfile, a script, a Dockerfile's
shell-form CMD): compose interpolates `${…}` itself on the host, and exec forms, supervisord and systemd run the
words without a shell, so those are refused with the reason.
"""

from __future__ import annotations

import re
from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats import Refusal
from fixbot.formats.deploy import gunicorn, uvicorn
from fixbot.formats.deploy.edits import Change
from fixbot.formats.deploy.gunicorn import loopback
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES, files, format_of

__all__ = ["BindPlatformPort"]

_SHELLESS = {"compose": "compose interpolates ${PORT} on the host, not in the container",
             "supervisord": "supervisord runs the command without a shell", "systemd": "systemd runs it without a shell"}
_EXEC_FORM = re.compile(r"(?i)^[ \t]*(?:CMD|ENTRYPOINT|RUN)[ \t]*\[")
_INSTRUCTION = re.compile(r"(?i)^[ \t]*[A-Z]+[ \t]")


def _port(value: str, default: str = "8000") -> str:
    port = value.rsplit(":", 1)[-1] if ":" in value else value
    return port if port.isdigit() else default


def _gunicorn(source: str, filename: str, touched: list[int]) -> str:
    reading = gunicorn.read(source, filename, False, {"bind"})
    if reading is None or not hasattr(reading, "found"):
        return source  # a config module's bind: the command line's --bind wins over it

    def change(flag, target):
        if not loopback(flag.value):
            return None
        touched.append(flag.line)
        return Change(f"0.0.0.0:${{PORT:-{_port(flag.value)}}}")

    def add(invocation):
        if invocation.kind != "command" or invocation.flags:
            return ()
        touched.append(invocation.line)
        return (("bind", "0.0.0.0:${PORT:-8000}"),)

    return reading.rewrite(change=change, add=add)


def _uvicorn(source: str, filename: str, touched: list[int]) -> str:
    reading = uvicorn.read(source, filename)
    if reading is None:
        return source
    moved = {}  # invocation line -> whether it listens on the loopback (uvicorn's default host is 127.0.0.1)
    for invocation in reading.invocations:
        settings = {f.setting: f.value for f in invocation.flags}
        moved[invocation.line] = invocation.kind == "command" and not {"uds", "fd"} & settings.keys() and loopback(
            settings.get("host", "127.0.0.1"))
    lines = {f.line: inv.line for inv in reading.invocations for f in inv.flags}

    def change(flag, target):
        if not moved.get(lines.get(flag.line)) or "$PORT" in flag.value or "${PORT" in flag.value:
            return None
        touched.append(flag.line)
        return Change("0.0.0.0") if flag.setting == "host" else Change(f"${{PORT:-{_port(flag.value)}}}")

    def add(invocation):
        if not moved.get(invocation.line):
            return ()
        have = {f.setting for f in invocation.flags}
        touched.append(invocation.line)
        return tuple((s, v) for s, v in (("host", "0.0.0.0"), ("port", "${PORT:-8000}")) if s not in have)

    return reading.rewrite(change=change, add=add)


def _expanded(result: str, filename: str) -> bool:
    """Whether every `${PORT:-…}` the rewrite wrote is one the shell expands (not inside single quotes)."""
    values = [t.value for reading in (gunicorn.read(result, filename, False, {"bind"}), uvicorn.read(result, filename))
              if reading is not None and hasattr(reading, "found") for found in reading.found for _, t in found.targets]
    return all(any(u.text is None and u.raw.startswith(b"${PORT") for u in value)
               for value in values if b"${PORT:-" in b"".join(u.shown for u in value))


class BindPlatformPort(Codemod):
    NAME = "bind-platform-port"
    DESCRIPTION = (
        "Make Gunicorn and uvicorn listen where the platform looks: a loopback --bind becomes "
        "0.0.0.0:${PORT:-<its port>} (added after `gunicorn` where none is given), uvicorn's --host 0.0.0.0 and "
        "--port ${PORT:-<its port>}; in the starts a shell reads (Procfile, scripts, a Dockerfile's shell-form CMD)."
    )
    HANDLES = ("platform-port",)
    FILES = files(rewritten=True)
    FORMATS = COMMAND_LINE_NAMES
    EXAMPLES = (
        Example("Procfile", "web: gunicorn --bind 127.0.0.1:8000 app:app\n",
                "web: gunicorn --bind 0.0.0.0:${PORT:-8000} app:app\n", filename="Procfile"),
        Example("no --bind", "web: gunicorn app:app -w 2\n", "web: gunicorn --bind 0.0.0.0:${PORT:-8000} app:app -w 2\n",
                filename="Procfile"),
        Example("uvicorn", "exec uvicorn main:app --host 127.0.0.1 --port=8080\n",
                "exec uvicorn main:app --host 0.0.0.0 --port=${PORT:-8080}\n", filename="start.sh"),
        Example("uvicorn's default host", "web: uvicorn main:app\n",
                "web: uvicorn --host 0.0.0.0 --port ${PORT:-8000} main:app\n", filename="Procfile"),
        Example("Dockerfile shell form", "CMD gunicorn -b localhost:5000 app:app\n",
                "CMD gunicorn -b 0.0.0.0:${PORT:-5000} app:app\n", filename="Dockerfile"),
        Example("every interface already", "web: gunicorn -b 0.0.0.0:$PORT app:app\n", filename="Procfile"),
        Example("a unix socket", "web: gunicorn --bind unix:/tmp/app.sock app:app\n", filename="Procfile"),
        Example("Dockerfile exec form", 'CMD ["gunicorn", "--bind", "127.0.0.1:8000", "app:app"]\n',
                refuses="exec form", filename="Dockerfile"),
        Example("single quotes", "web: gunicorn --bind '127.0.0.1:8000' app:app\n", refuses="single quotes",
                filename="Procfile"),
        Example("compose", "services:\n  web:\n    command: gunicorn -b 127.0.0.1:8000 app:app\n",
                refuses="compose interpolates", filename="docker-compose.yml"),
    )

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        touched: list[int] = []
        result = _uvicorn(_gunicorn(source, filename, touched), filename, touched)
        if result == source:
            return source
        found = format_of(source, filename)
        if found is not None and found.name in _SHELLESS:
            raise Refusal(f"{_SHELLESS[found.name]}: $PORT would not be expanded there; start it with `sh -c` "
                          "or set the address by hand")
        if found is not None and found.name == "dockerfile":
            lines = source.splitlines()
            for line in set(touched):
                at = next((i for i in range(line - 1, -1, -1) if _INSTRUCTION.match(lines[i])), line - 1)
                if _EXEC_FORM.match(lines[at]):
                    raise Refusal(f"line {at + 1} is in exec form, which no shell reads: $PORT would not be "
                                  "expanded; write it in shell form (CMD gunicorn …) or set the address by hand")
        if not _expanded(result, filename):
            raise Refusal("the new address would sit inside single quotes, where the shell does not expand $PORT")
        return result
