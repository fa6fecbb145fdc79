"""Real uvicorn, Gunicorn and plain WSGI runs whose logging comes from a YAML, INI or JSON file, as they print it.

Each `make_*` writes a small app and its logging config into a directory, with its file handlers in
`logdir` (a directory that does not exist makes the deploy failure); each `run_*` starts the program for real
on a free 127.0.0.1 port and returns realrun.Run (output, exit code, and the HTTP answer if it booted).
`python -m tests.formatsrun DIR` writes the four failing outputs to DIR, scratch paths replaced by /srv/app (the venv's by /srv/app/.venv, the stdlib's by /usr/local/lib/python3.11):
that is how tests/fixtures/logs/*-missing-dir.log were made.
"""

from __future__ import annotations

import sys
import sysconfig
import tempfile
from pathlib import Path

from tests.support import realrun

ASGI_APP = """\
async def app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
"""
WSGI_APP = """\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""
# A plain process that configures logging itself, then serves the app with the standard library's server.
SERVE_JSON = """\
import json
import logging.config
import os
from wsgiref.simple_server import make_server

from app import app

with open("logging.json") as config:
    logging.config.dictConfig(json.load(config))
logging.getLogger("app").info("serving on port %s", os.environ["PORT"])
make_server("127.0.0.1", int(os.environ["PORT"]), app).serve_forever()
"""

UVICORN_YAML = """\
# uvicorn's logging: uvicorn app:app --log-config logging.yaml
version: 1
disable_existing_loggers: false
formatters:
  default:
    (): uvicorn.logging.DefaultFormatter
    fmt: "%(levelprefix)s %(message)s"
  access:
    (): uvicorn.logging.AccessFormatter
    fmt: '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'
handlers:
  default:
    class: logging.StreamHandler
    formatter: default
    stream: ext://sys.stderr
  # The access log stays on disk for the auditors.
  file:
    class: logging.handlers.RotatingFileHandler
    formatter: access
    filename: {logdir}/access.log  # the volume mounted in production
    maxBytes: 10485760
    backupCount: 5
loggers:
  uvicorn: {{handlers: [default], level: INFO, propagate: false}}
  uvicorn.access: {{handlers: [file], level: INFO, propagate: false}}
"""

GUNICORN_INI = """\
# Gunicorn's logging: gunicorn app:app --log-config logging.ini
[loggers]
keys=root, gunicorn.error, gunicorn.access

[handlers]
keys=console, error_file, access_file

[formatters]
keys=generic

[logger_root]
level=INFO
handlers=console

[logger_gunicorn.error]
level=INFO
handlers=error_file
propagate=1
qualname=gunicorn.error

[logger_gunicorn.access]
level=INFO
handlers=access_file
propagate=0
qualname=gunicorn.access

[handler_console]
class=StreamHandler
formatter=generic
args=(sys.stdout, )

; errors rotate at midnight and are kept a week
[handler_error_file]
class=logging.handlers.TimedRotatingFileHandler
formatter=generic
args=('{logdir}/gunicorn.error.log',
      'midnight', 1, 7)

# the access log
[handler_access_file]
class = FileHandler
formatter = generic
args = ('{logdir}/gunicorn.access.log', 'a')

[formatter_generic]
format=%(asctime)s [%(process)d] [%(levelname)s] %(message)s
datefmt=%Y-%m-%d %H:%M:%S
"""

PLAIN_JSON = """\
{{
    "version": 1,
    "formatters": {{"plain": {{"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}}}},
    "handlers": {{
        "file": {{
            "class": "logging.handlers.WatchedFileHandler",
            "filename": "{logdir}/app.log",
            "encoding": "utf-8",
            "formatter": "plain"
        }}
    }},
    "root": {{"handlers": ["file"], "level": "INFO"}}
}}
"""

# Gunicorn merges --log-config-json into its own defaults (version, root, loggers...): no version here.
GUNICORN_JSON = """\
{{
  "handlers": {{
    "console": {{"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
    "error_file": {{"class": "logging.FileHandler", "filename": "{logdir}/gunicorn.error.log", "delay": false}}
  }},
  "loggers": {{"gunicorn.error": {{"handlers": ["error_file"], "level": "INFO"}}}}
}}
"""


def make_uvicorn(directory: Path, logdir: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(ASGI_APP)
    (directory / "logging.yaml").write_text(UVICORN_YAML.format(logdir=logdir))
    return directory / "logging.yaml"


def make_gunicorn(directory: Path, logdir: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(WSGI_APP)
    (directory / "logging.ini").write_text(GUNICORN_INI.format(logdir=logdir))
    return directory / "logging.ini"


def make_plain(directory: Path, logdir: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(WSGI_APP)
    (directory / "serve.py").write_text(SERVE_JSON)
    (directory / "logging.json").write_text(PLAIN_JSON.format(logdir=logdir))
    return directory / "logging.json"


def make_gunicorn_json(directory: Path, logdir: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(WSGI_APP)
    (directory / "logging.json").write_text(GUNICORN_JSON.format(logdir=logdir))
    return directory / "logging.json"


def run_uvicorn(directory: Path, timeout: float = 20) -> realrun.Run:
    port = realrun.free_port()
    command = [str(realrun.VENV_BIN / "uvicorn"), "app:app", "--host", realrun.LOOPBACK, "--port", str(port),
               "--lifespan", "off", "--log-config", "logging.yaml"]
    return realrun._run_and_probe(command, directory, {}, port=port, timeout=timeout, probe="/")


def run_gunicorn(directory: Path, timeout: float = 20) -> realrun.Run:
    return realrun.run_gunicorn(directory, ["app:app", "--workers", "1", "--log-config", "logging.ini"],
                                timeout=timeout, probe="/")


def run_gunicorn_json(directory: Path, timeout: float = 20) -> realrun.Run:
    return realrun.run_gunicorn(directory, ["app:app", "--workers", "1", "--log-config-json", "logging.json"],
                                timeout=timeout, probe="/")


def run_plain(directory: Path, timeout: float = 20) -> realrun.Run:
    port = realrun.free_port()
    return realrun._run_and_probe([sys.executable, "serve.py"], directory, {"PORT": str(port)}, port=port,
                                  timeout=timeout, probe="/")


RUNS = {
    "uvicorn-yaml-missing-dir.log": (make_uvicorn, run_uvicorn),
    "gunicorn-ini-missing-dir.log": (make_gunicorn, run_gunicorn),
    "gunicorn-json-missing-dir.log": (make_gunicorn_json, run_gunicorn_json),
    "wsgi-json-missing-dir.log": (make_plain, run_plain),
}


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="formats-") as scratch:
        for name, (make, run) in RUNS.items():
            directory = Path(scratch) / name.rsplit("-missing", 1)[0]
            make(directory, f"{scratch}/no-such-dir")
            failed = run(directory)
            assert not failed.booted, failed.output
            (out / name).write_text(neutral(failed.output, scratch))


def neutral(output: str, scratch: str) -> str:
    """`output` without this machine's paths: the scratch directory, the venv and the stdlib."""
    venv = str(realrun.VENV_BIN.parent)
    stdlib = sysconfig.get_paths()["stdlib"]
    return output.replace(scratch, "/srv/app").replace(venv, "/srv/app/.venv").replace(stdlib, "/usr/local/lib/python3.11")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
