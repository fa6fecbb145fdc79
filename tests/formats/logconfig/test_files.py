"""logging-console on YAML, JSON and INI logging configs: the shapes public configs use, each a before/after case."""

from __future__ import annotations

import configparser
import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from textwrap import dedent

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fixbot.formats import NothingToDo, Refusal
from fixbot.formats.logconfig.files import rewrite_config
from fixbot.formats.logconfig import stdlib, stdlib_read
from fixbot.codemods.logging_console import LoggingConsole


def rewrite(source: str, filename: str) -> str:
    return LoggingConsole.rewrite(source, filename)


def configure(text: str, filename: str, cwd) -> None:
    """Configure logging from the rewritten text in `cwd`, which must stay empty (no file was opened)."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        if filename.endswith((".yaml", ".yml", ".json")):
            data = yaml.safe_load(text) if not filename.endswith(".json") else json.loads(text)
            logging.config.dictConfig({"version": 1, **data.get("logging", data)})  # as Gunicorn merges it
        else:
            logging.config.fileConfig(io.StringIO(text), disable_existing_loggers=False)
    finally:
        os.chdir(before)
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    assert not os.listdir(cwd)


FIXES = [
    pytest.param(
        "logging.yaml",
        """\
        version: 1
        handlers:
          file:
            # rotate daily
            class: "logging.handlers.TimedRotatingFileHandler"
            when: midnight
            filename: >-
              /var/log/app/app.log
            level: INFO
        root: {handlers: [file]}
        """,
        """\
        version: 1
        handlers:
          file:
            # rotate daily
            class: "logging.StreamHandler"
            level: INFO
        root: {handlers: [file]}
        """,
        id="yaml: double quotes kept, a folded block scalar removed whole, own-line comment kept",
    ),
    pytest.param(
        "config.yaml",
        """\
        database: {url: sqlite://}
        logging:
          version: 1
          handlers:
            file: {class: logging.FileHandler, filename: app.log}
          root: {handlers: [file]}
        """,
        """\
        database: {url: sqlite://}
        logging:
          version: 1
          handlers:
            file: {class: logging.StreamHandler}
          root: {handlers: [file]}
        """,
        id="yaml: a logging section inside an app's settings",
    ),
    pytest.param(
        "logging.yaml",
        """\
        x-dir: &logfile /var/log/app.log
        version: 1
        handlers:
          file:
            '()': logging.handlers.RotatingFileHandler
            filename: *logfile
            maxBytes: 1024
        root: {handlers: [file]}
        """,
        """\
        x-dir: &logfile /var/log/app.log
        version: 1
        handlers:
          file:
            '()': logging.StreamHandler
        root: {handlers: [file]}
        """,
        id="yaml: a known file class as factory, an alias removed (its anchor stays)",
    ),
    pytest.param(
        "logging.yml",
        """\
        version: 1
        handlers:
          file: {
            filename: app.log,
            class: logging.FileHandler,
            mode: w
          }
        root: {handlers: [file]}""",
        """\
        version: 1
        handlers:
          file: {
            class: logging.StreamHandler
          }
        root: {handlers: [file]}""",
        id="yaml: a multi-line flow mapping, no newline at the end",
    ),
    pytest.param(
        "logging.yaml",
        "version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: a.log\n---\nversion: 1\nhandlers:\n  err: {class: logging.FileHandler, filename: b.log}\n",
        "version: 1\nhandlers:\n  file:\n    class: logging.StreamHandler\n---\nversion: 1\nhandlers:\n  err: {class: logging.StreamHandler}\n",
        id="yaml: every document of a multi-document file",
    ),
    pytest.param(
        "logging.yaml",
        """\
        version: 1
        handlers:
          console: {class: logging.StreamHandler, stream: ext://sys.stdout}
          file: {class: logging.FileHandler, filename: a.log}
        loggers:
          app:
            handlers:
              - console
              - file  # kept for audits
          worker: {handlers: [file, console]}
        root: {handlers: [file]}
        """,
        """\
        version: 1
        handlers:
          console: {class: logging.StreamHandler, stream: ext://sys.stdout}
          file: {class: logging.StreamHandler}
        loggers:
          app:
            handlers: []
          worker: {handlers: []}
        root: {handlers: [file]}
        """,
        id="yaml: under a root that prints the converted handler, a list loses it and its console: each line once",
    ),
    pytest.param(
        "logging.yaml",
        """\
        version: 1
        handlers:
          console: {class: logging.StreamHandler, stream: ext://sys.stdout}
          file: {class: logging.FileHandler, filename: a.log}
        loggers:
          app:
            handlers:
              - console
              - file  # kept for audits
          worker: {handlers: [file, console]}
        """,
        """\
        version: 1
        handlers:
          console: {class: logging.StreamHandler, stream: ext://sys.stdout}
          file: {class: logging.StreamHandler}
        loggers:
          app:
            handlers:
              - console
          worker: {handlers: [console]}
        """,
        id="yaml: a list that already prints to the console loses the converted handler, block or flow",
    ),
    pytest.param(
        "logging.json",
        '{"version": 1, "filters": {"debug": {"()": "django.utils.log.RequireDebugTrue"}},\n'
        ' "handlers": {"dev": {"class": "logging.StreamHandler", "filters": ["debug"]},\n'
        '              "a": {"class": "logging.FileHandler", "filename": "a.log"},\n'
        '              "b": {"class": "logging.FileHandler", "filename": "b.log"}},\n'
        ' "root": {"handlers": ["dev", "a", "b"]}}\n',
        '{"version": 1, "filters": {"debug": {"()": "django.utils.log.RequireDebugTrue"}},\n'
        ' "handlers": {"dev": {"class": "logging.StreamHandler", "filters": ["debug"]},\n'
        '              "a": {"class": "logging.StreamHandler"},\n'
        '              "b": {"class": "logging.StreamHandler"}},\n'
        ' "root": {"handlers": ["a"]}}\n',
        id="json: a filtered console handler gives way to the first converted one; the second goes",
    ),
    pytest.param(
        "logging.ini",
        """\
        [loggers]
        keys=root
        [handlers]
        keys=console, file
        [formatters]
        keys=
        [logger_root]
        handlers = file, console
        [handler_console]
        class=StreamHandler
        args=(sys.stdout,)
        [handler_file]
        class=FileHandler
        args=('a.log',)
        """,
        """\
        [loggers]
        keys=root
        [handlers]
        keys=console, file
        [formatters]
        keys=
        [logger_root]
        handlers = console
        [handler_console]
        class=StreamHandler
        args=(sys.stdout,)
        [handler_file]
        class=StreamHandler
        args=(sys.stderr,)
        """,
        id="ini: a logger's handlers= keeps one console handler",
    ),
    pytest.param(
        "gunicorn.log.json",
        '{\n  "handlers": {"error_file": {"class": "logging.FileHandler", "filename": "/var/log/gunicorn/error.log"}},\n'
        '  "loggers": {"gunicorn.error": {"handlers": ["error_file"]}}\n}\n',
        '{\n  "handlers": {"error_file": {"class": "logging.StreamHandler"}},\n'
        '  "loggers": {"gunicorn.error": {"handlers": ["error_file"]}}\n}\n',
        id="json: Gunicorn's --log-config-json without a version (Gunicorn's defaults hold it)",
    ),
    pytest.param(
        "logging.json",
        '{"version":1,"handlers":{"f":{"filename":"a.log","class":"logging.FileHandler"}},"root":{"handlers":["f"]}}',
        '{"version":1,"handlers":{"f":{"class":"logging.StreamHandler"}},"root":{"handlers":["f"]}}',
        id="json: compact, first key removed, no newline",
    ),
    pytest.param(
        "logging.json",
        '{\n\t"version": 1,\n\t"handlers": {\n\t\t"f": {\n\t\t\t"class": "logging.FileHandler",\n\t\t\t"filen\\u0061me": "a.log"\n\t\t}\n\t}\n}\n',
        '{\n\t"version": 1,\n\t"handlers": {\n\t\t"f": {\n\t\t\t"class": "logging.StreamHandler"\n\t\t}\n\t}\n}\n',
        id="json: tabs, an escaped key, the last key removed with the comma before it",
    ),
    pytest.param(
        "logging.json",
        '{\r\n  "version": 1,\r\n  "handlers": {"f": {"class": "logging.FileHandler", "filename": "a.log", "level": "INFO"}}\r\n}\r\n',
        '{\r\n  "version": 1,\r\n  "handlers": {"f": {"class": "logging.StreamHandler", "level": "INFO"}}\r\n}\r\n',
        id="json: CRLF, a middle key removed",
    ),
    pytest.param(
        "logging.conf",
        """\
        [loggers]
        keys=root
        [handlers]
        keys=file
        [formatters]
        keys=
        [logger_root]
        handlers=file
        [handler_file]
        CLASS : handlers.RotatingFileHandler
        kwargs : {'filename': 'app.log', 'maxBytes': 1024}
        """,
        """\
        [loggers]
        keys=root
        [handlers]
        keys=file
        [formatters]
        keys=
        [logger_root]
        handlers=file
        [handler_file]
        CLASS : StreamHandler
        args : (sys.stderr,)
        """,
        id="ini: kwargs alone becomes the args line, ':' and upper case kept",
    ),
    pytest.param(
        "logging.ini",
        "[loggers]\r\nkeys=root\r\n[handlers]\r\nkeys=file\r\n[formatters]\r\nkeys=\r\n[logger_root]\r\nhandlers=file\r\n[handler_file]\r\nclass=FileHandler",
        "[loggers]\r\nkeys=root\r\n[handlers]\r\nkeys=file\r\n[formatters]\r\nkeys=\r\n[logger_root]\r\nhandlers=file\r\n[handler_file]\r\nclass=StreamHandler\r\nargs=(sys.stderr,)",
        id="ini: no args at all, CRLF, last line without a newline",
    ),
]


@pytest.mark.parametrize("filename, before, after", FIXES)
def test_logging_formats_fixes(filename, before, after, tmp_path):
    before, after = dedent(before), dedent(after)
    assert rewrite(before, filename) == after
    assert rewrite(after, filename) == after
    configure(after.split("---")[0], filename, tmp_path)


NOOPS = [
    pytest.param("logging.yaml", "version: 1\nhandlers:\n  null_handler: {class: logging.NullHandler}\n", id="yaml: no file handler"),
    pytest.param(
        "logging.ini",
        "[loggers]\nkeys=root\n[handlers]\nkeys=console\n[logger_root]\nhandlers=console\n[handler_console]\nclass=StreamHandler\nargs=(sys.stdout,)\n"
        "[handler_old]\nclass=FileHandler\nargs=('old.log',)\n",
        id="ini: a file handler section that [handlers] does not list is never built",
    ),
]


@pytest.mark.parametrize("filename, source", NOOPS)
def test_logging_formats_noop(filename, source):
    assert rewrite(source, filename) == source


NOT_CONFIGS = [
    pytest.param("values.yaml", "handlers:\n  upload: {path: /upload, filename: a.log}\n", id="yaml: handlers that are not logging's"),
    pytest.param(
        "settings.yaml", "app:\n  handlers:\n    file: {class: logging.FileHandler, filename: a.log}\n", id="yaml: nested, no version: not a dictConfig"
    ),
    pytest.param("package.json", '{"name": "app", "version": "1.0.0"}\n', id="json: not a logging config"),
    pytest.param("tox.ini", "[tox]\nenvlist = py311\n", id="ini: not a logging config"),
    pytest.param("supervisord.conf", "[program:web]\ncommand=gunicorn app:app --log-file /var/log/web.log\n", id="conf: supervisord's INI"),
    pytest.param("logstash.conf", "input {\n  beats { port => 5044 }\n}\n", id="conf: neither INI logging nor Python"),
]


@pytest.mark.parametrize("filename, source", NOT_CONFIGS)
def test_a_file_with_no_logging_config_is_nothing_to_do(filename, source):
    with pytest.raises(NothingToDo, match="no logging config in this file"):
        rewrite(source, filename)


REFUSALS = [
    pytest.param(
        "logging.yaml",
        "x-base: &base {class: logging.FileHandler, filename: a.log}\nversion: 1\nhandlers:\n  file:\n    <<: *base\n    level: INFO\n",
        "merge key",
        id="yaml: a handler built from a merge key",
    ),
    pytest.param(
        "logging.yaml",
        "version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: &log a.log\nx-copy: *log\n",
        "anchor used elsewhere",
        id="yaml: a removed value is an anchor something else uses",
    ),
    pytest.param("logging.yaml", "version: 1\nhandlers: [\n", "does not parse as YAML", id="yaml: does not parse"),
    pytest.param("logging.yaml", "[" * 5000 + "]" * 5000, "nested too deeply", id="yaml: nested too deeply"),
    pytest.param("logging.json", '{"a": ' * 990 + "1" + "}" * 990, "nested too deeply", id="json: deeper than the reader goes"),
    pytest.param(
        "logging.json",
        '{"version": 1, "handlers": {"f": {"class": "logging.FileHandler", "filename": "a", "filename": "b"}}}',
        "key twice",
        id="json: a key twice",
    ),
    pytest.param(
        "logging.ini",
        "[DEFAULT]\nclass=FileHandler\n[handlers]\nkeys=file\n[handler_file]\nargs=('a.log',)\n",
        "[DEFAULT]",
        id="ini: the class comes from [DEFAULT]",
    ),
]


@pytest.mark.parametrize("filename, source, reason", REFUSALS)
def test_logging_formats_refuses(filename, source, reason):
    with pytest.raises(Refusal, match=reason.replace("[", r"\[").replace("]", r"\]")):
        rewrite(source, filename)


def test_a_gunicorn_conf_module_is_left_to_the_python_codemod():
    assert rewrite_config("bind = '0.0.0.0:8000'\nlogconfig_dict = {'version': 1}\n", "deploy/gunicorn.conf") is None
    assert rewrite_config("LOGGING = {}\n", "settings.py") is None


def test_configparser_agrees_on_continuation_lines():
    source = dedent(
        """\
        [handlers]
        keys=file
        [handler_file]
        class=FileHandler
        args=('a.log',
        # a comment inside the value
              'a')
        level=INFO
        """
    )
    after = rewrite(source, "logging.ini")
    assert after == source.replace("FileHandler", "StreamHandler").replace("('a.log',\n", "(sys.stderr,)\n").replace("      'a')\n", "")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(after)
    assert dict(parser["handler_file"]) == {"class": "StreamHandler", "args": "(sys.stderr,)", "level": "INFO"}


def test_fixbot_codemod_exit_codes_on_config_files(tmp_path):
    def fixbot(path):
        return subprocess.run([sys.executable, "-m", "fixbot.cli", "codemod", "logging-console", str(path)], capture_output=True, text=True)

    fixed = tmp_path / "log_config.yml"
    fixed.write_bytes(b"version: 1\r\nhandlers:\r\n  f: {class: logging.FileHandler, filename: a.log}  # on disk\r\n")
    noop = tmp_path / "logging.json"
    noop.write_text('{"version": 1, "handlers": {}}\n')
    other = tmp_path / "package.json"
    other.write_text('{"name": "app"}\n')
    refused = tmp_path / "logging.yaml"
    refused.write_text("version: 1\nhandlers:\n  f: {'()': app.make, filename: a.log}\n")
    assert fixbot(fixed).returncode == 0
    assert fixed.read_bytes() == b"version: 1\r\nhandlers:\r\n  f: {class: logging.StreamHandler}  # on disk\r\n"
    assert fixbot(noop).returncode == 0 and noop.read_text() == '{"version": 1, "handlers": {}}\n'
    assert fixbot(other).returncode == 0 and other.read_text() == '{"name": "app"}\n'
    done = fixbot(refused)
    assert done.returncode == 2 and "factory 'app.make'" in done.stderr
    assert refused.read_text() == "version: 1\nhandlers:\n  f: {'()': app.make, filename: a.log}\n"


FILE_CLASSES = ["logging.FileHandler", "logging.handlers.RotatingFileHandler", "logging.handlers.WatchedFileHandler"]
_handler = st.fixed_dictionaries(
    {"class": st.sampled_from([*FILE_CLASSES, "logging.StreamHandler", "logging.NullHandler"])},
    optional={"level": st.sampled_from(["INFO", "DEBUG"]), "formatter": st.just("plain"), "filename": st.just("/x/app.log"),
              "maxBytes": st.integers(0, 10**6), "encoding": st.just("utf-8"), "delay": st.booleans()},
).flatmap(lambda h: st.permutations(list(h.items())).map(dict))


def _expected(config: dict) -> dict:
    """The config with its file handlers turned into StreamHandlers (which handlers the root's list keeps is the
    standard library's business: the test below asks the model of it, which tests/formats/ checks against logging)."""
    handlers = {}
    for name, h in config["handlers"].items():
        if h["class"] in FILE_CLASSES or "filename" in h:
            h = {k: ("logging.StreamHandler" if k == "class" else v) for k, v in h.items() if k in ("class", "level", "formatter")}
        handlers[name] = h
    return {**config, "handlers": handlers}


@settings(max_examples=150, deadline=None)
@given(
    handlers=st.dictionaries(st.sampled_from(["file", "errors", "console", "a b"]), _handler, max_size=4),
    style=st.sampled_from(["json-2", "json-tab", "json-compact", "yaml-block", "yaml-flow"]),
)
def test_any_dumped_config_loads_as_the_same_config_without_its_file_handlers(handlers, style):
    config = {"version": 1, "handlers": handlers, "root": {"handlers": list(handlers)}}
    if style.startswith("json"):
        indent = {"json-2": 2, "json-tab": "\t", "json-compact": None}[style]
        source, name, load = json.dumps(config, indent=indent), "logging.json", json.loads
    else:
        source, name, load = yaml.safe_dump(config, default_flow_style=style == "yaml-flow", sort_keys=False), "logging.yaml", yaml.safe_load
    after = rewrite(source, name)
    loaded = load(after)
    kept = loaded.pop("root")["handlers"]
    assert loaded == {k: v for k, v in _expected(config).items() if k != "root"}
    assert kept == [n for n in config["root"]["handlers"] if n in kept]  # only drops
    verdict = stdlib.compare(stdlib_read.from_dict(config), stdlib_read.from_dict(load(after)))
    assert verdict.sound and not verdict.unproven, verdict
    assert rewrite(after, name) == after
