"""logging-console's documented cases for YAML, JSON and INI logging configs, run by tests/codemods/test_examples.py."""

from __future__ import annotations

from fixbot.codemods import Example

_UVICORN_YAML = """\
version: 1
disable_existing_loggers: false
formatters:
  default:
    (): uvicorn.logging.DefaultFormatter
    fmt: "%(levelprefix)s %(message)s"
handlers:
  # Where uvicorn's own lines go.
  file:
    class: logging.handlers.RotatingFileHandler
    formatter: default
    filename: /var/log/app/uvicorn.log  # mounted in production
    maxBytes: 10485760
    backupCount: 3
loggers:
  uvicorn: {handlers: [file], level: INFO, propagate: false}
"""

_FILE_INI = """\
[loggers]
keys=root, gunicorn.error

[handlers]
keys=error_file

[formatters]
keys=generic

[logger_root]
level=INFO
handlers=error_file

[logger_gunicorn.error]
level=INFO
handlers=error_file
propagate=0
qualname=gunicorn.error

; one file per process
[handler_error_file]
class = logging.handlers.TimedRotatingFileHandler
formatter = generic
args = ('/var/log/gunicorn/error.log',
        'midnight', 1, 7)

[formatter_generic]
format=%(asctime)s [%(process)d] [%(levelname)s] %(message)s
"""

_JSON = """\
{
  "version": 1,
  "handlers": {
    "file": {
      "filename": "/var/log/app/app.log",
      "class": "logging.FileHandler",
      "level": "INFO",
      "encoding": "utf-8"
    }
  },
  "root": {"handlers": ["file"], "level": "INFO"}
}
"""

FORMAT_EXAMPLES = (
    Example(
        "YAML (uvicorn --log-config): the file handler becomes a StreamHandler in place, comments kept",
        _UVICORN_YAML,
        _UVICORN_YAML.replace("logging.handlers.RotatingFileHandler", "logging.StreamHandler")
        .replace("    filename: /var/log/app/uvicorn.log  # mounted in production\n    maxBytes: 10485760\n    backupCount: 3\n", ""),
        filename="logging.yaml",
    ),
    Example(
        "a list that already names a console handler loses the converted one: no line printed twice",
        "version: 1\nhandlers:\n  console: {class: logging.StreamHandler}\n  file: {class: logging.FileHandler, filename: a.log}\n"
        "root: {handlers: [console, file]}\n",
        "version: 1\nhandlers:\n  console: {class: logging.StreamHandler}\n  file: {class: logging.StreamHandler}\n"
        "root: {handlers: [console]}\n",
        filename="logging.yaml",
    ),
    Example(
        "a file handler at DEBUG beside a console at WARNING stays and the console goes: no INFO line lost",
        "version: 1\nhandlers:\n  console: {class: logging.StreamHandler, level: WARNING}\n"
        "  file: {class: logging.FileHandler, filename: a.log, level: DEBUG}\nroot: {level: DEBUG, handlers: [console, file]}\n",
        "version: 1\nhandlers:\n  console: {class: logging.StreamHandler, level: WARNING}\n"
        "  file: {class: logging.StreamHandler, level: DEBUG}\nroot: {level: DEBUG, handlers: [file]}\n",
        filename="logging.yaml",
    ),
    Example(
        "YAML flow mapping, CRLF line endings",
        "version: 1\r\nhandlers:\r\n  file: {class: logging.FileHandler, filename: app.log, level: INFO}\r\n",
        "version: 1\r\nhandlers:\r\n  file: {class: logging.StreamHandler, level: INFO}\r\n",
        filename="log_config.yml",
    ),
    Example(
        "JSON: a removed key takes its comma, first, middle or last",
        _JSON,
        _JSON.replace('      "filename": "/var/log/app/app.log",\n', "")
        .replace('"logging.FileHandler"', '"logging.StreamHandler"')
        .replace('"level": "INFO",\n      "encoding": "utf-8"', '"level": "INFO"'),
        filename="logging.json",
    ),
    Example(
        "INI (Gunicorn --log-config): class and a two-line args replaced, comments and spacing kept",
        _FILE_INI,
        _FILE_INI.replace("logging.handlers.TimedRotatingFileHandler", "StreamHandler")
        .replace("('/var/log/gunicorn/error.log',\n        'midnight', 1, 7)", "(sys.stderr,)"),
        filename="logging.ini",
    ),
    Example(
        "YAML already on the console",
        "version: 1\nhandlers:\n  console: {class: logging.StreamHandler, stream: ext://sys.stdout}\n",
        filename="logging.yaml",
    ),
    Example("a YAML file that is no logging config: nothing to do", "services:\n  web:\n    image: app\n",
            refuses="no logging config in this file", filename="compose.yml"),
    Example("an INI file with no logging sections: nothing to do", "[metadata]\nname = app\n",
            refuses="no logging config in this file", filename="setup.cfg"),
    Example(
        "YAML handler that is an alias of an anchor used elsewhere",
        "x-file: &file\n  class: logging.FileHandler\n  filename: app.log\nversion: 1\nhandlers:\n  file: *file\n",
        refuses="anchor used elsewhere",
        filename="logging.yaml",
    ),
    Example(
        "a factory fixbot does not know, given a filename",
        '{"version": 1, "handlers": {"file": {"()": "app.logs.make_handler", "filename": "app.log"}}}\n',
        refuses="factory 'app.logs.make_handler'",
        filename="logging.json",
    ),
)
