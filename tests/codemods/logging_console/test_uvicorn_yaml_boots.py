"""The uvicorn shape of issue 19, booted for real: a `logging.yaml` whose loggers each write a file (uvicorn's, its
access log, an ERROR file, the app's) and propagate to a root console on stdout. Run in a missing directory, uvicorn
dies; `fixbot apply` fixes the config, and the fixed branch, started with the deploy's own entrypoint with the
directory still missing, answers with every line a request and each logger at each level printed or wrote before
on the console once. Turning each file handler into a stream in place printed every access line twice, errors three
times."""

from __future__ import annotations

from tests.support import boots
from tests.support.repos import commit_all

LOGGERS = ("", "myapp", "myapp.views")

APP = """\
import probe


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/health/":
        probe.emit()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})
"""

LOGGING_YAML = """\
version: 1
disable_existing_loggers: false
formatters:
  default: {{(): uvicorn.logging.DefaultFormatter, fmt: "%(levelprefix)s %(message)s", use_colors: false}}
  access:
    (): uvicorn.logging.AccessFormatter
    fmt: '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'
    use_colors: false
  stamped: {{format: "%(asctime)s %(levelname)s %(name)s %(message)s"}}
handlers:
  console: {{class: logging.StreamHandler, stream: ext://sys.stdout, formatter: default}}
  default_file: {{class: logging.FileHandler, filename: {logs}/uvicorn.log, formatter: default}}
  error_file: {{class: logging.FileHandler, filename: {logs}/error.log, level: ERROR, formatter: stamped}}
  access_file: {{class: logging.FileHandler, filename: {logs}/access.log, formatter: access}}
  app_file: {{class: logging.handlers.RotatingFileHandler, filename: {logs}/app.log, formatter: stamped}}
root: {{level: INFO, handlers: [console, error_file]}}
loggers:
  uvicorn: {{level: INFO, handlers: [default_file]}}
  uvicorn.access: {{level: INFO, handlers: [access_file]}}
  myapp: {{level: DEBUG, handlers: [app_file]}}
"""

ENTRYPOINT = """\
#!/bin/bash
set -e
cd "$(dirname "$0")"
exec uvicorn app:app --host 127.0.0.1 --port "$PORT" --lifespan off --log-config logging.yaml
"""


def test_four_file_handlers_under_a_root_console_print_each_line_once_after_the_fix(tmp_path):
    logs = tmp_path / "var" / "log" / "api"
    root = boots.wsgi_project(tmp_path / "repo", {"app.py": APP, "logging.yaml": LOGGING_YAML.format(logs=logs)},
                              ENTRYPOINT, LOGGERS)
    commit_all(root)
    failed = boots.serve(root)
    assert not failed.booted and "Unable to configure handler" in failed.output, failed.output
    before = boots.with_the_directory(root, logs)
    assert boots.lines(LOGGERS, before[0])[("request", "")] == 1  # the root console printed it, and access.log

    out = boots.fixed(tmp_path, root, failed)
    assert [c["path"] for c in out["changes"]] == ["logging.yaml"]
    boots.assert_each_once(LOGGERS, before, boots.serve(root))
    assert not logs.exists()
