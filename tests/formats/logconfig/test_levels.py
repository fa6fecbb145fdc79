"""logging-console on YAML, JSON and INI configs loses no message: a logger's handler list drops a console handler
only when another one there prints every line it printed, by levels (the Python rule, fixbot/formats/logconfig/levels.py).
The real-run test loads each rewritten config with dictConfig/fileConfig in a fresh interpreter and logs at INFO."""

from __future__ import annotations

import subprocess
import sys
from textwrap import dedent

import pytest

from fixbot.formats import Refusal
from fixbot.codemods.logging_console import LoggingConsole

YAML_LOW_FILE = """\
version: 1
handlers:
  console:
    class: logging.StreamHandler
    level: WARNING
  file:
    class: logging.FileHandler
    level: DEBUG
    filename: /nonexistent/app.log
root:
  level: DEBUG
  handlers: [console, file]
"""
JSON_LOW_FILE = (
    '{"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": "/nonexistent/a.log", "level": "INFO"},'
    ' "c": {"class": "logging.StreamHandler", "level": "ERROR"}}, "root": {"handlers": ["c", "file"], "level": "DEBUG"}}\n'
)
INI_LOW_FILE = """\
[loggers]
keys=root

[handlers]
keys=console,file

[formatters]
keys=

[logger_root]
level=DEBUG
handlers=console,file

[handler_console]
class=StreamHandler
level=WARNING
args=(sys.stderr,)

[handler_file]
class=FileHandler
level=DEBUG
args=('/nonexistent/app.log',)
"""

CASES = [
    pytest.param(
        "logging.yaml",
        YAML_LOW_FILE,
        YAML_LOW_FILE.replace("logging.FileHandler", "logging.StreamHandler").replace("    filename: /nonexistent/app.log\n", "").replace(
            "[console, file]", "[file]"
        ),
        id="yaml: a file handler at DEBUG beside a console at WARNING stays, the console goes",
    ),
    pytest.param(
        "logging.json",
        JSON_LOW_FILE,
        JSON_LOW_FILE.replace("logging.FileHandler", "logging.StreamHandler").replace(', "filename": "/nonexistent/a.log"', "").replace(
            '["c", "file"]', '["file"]'
        ),
        id="json: a file handler at INFO beside a console at ERROR stays, the console goes",
    ),
    pytest.param(
        "logging.ini",
        INI_LOW_FILE,
        INI_LOW_FILE.replace("class=FileHandler", "class=StreamHandler").replace("('/nonexistent/app.log',)", "(sys.stderr,)").replace(
            "handlers=console,file", "handlers=file"
        ),
        id="ini: a file handler at DEBUG beside a console at WARNING stays, the console goes",
    ),
    pytest.param(
        "logging.yaml",
        YAML_LOW_FILE.replace("  level: DEBUG\n  handlers", "  level: WARNING\n  handlers"),
        YAML_LOW_FILE.replace("  level: DEBUG\n  handlers", "  level: WARNING\n  handlers")
        .replace("logging.FileHandler", "logging.StreamHandler")
        .replace("    filename: /nonexistent/app.log\n", "")
        .replace("[console, file]", "[console]"),
        id="yaml: the logger's own level counts: at WARNING the console prints all the file did, the file goes",
    ),
    pytest.param(
        "logging.ini",
        INI_LOW_FILE.replace("[logger_root]\nlevel=DEBUG", "[logger_root]\nlevel=ERROR"),
        INI_LOW_FILE.replace("[logger_root]\nlevel=DEBUG", "[logger_root]\nlevel=ERROR")
        .replace("class=FileHandler", "class=StreamHandler")
        .replace("('/nonexistent/app.log',)", "(sys.stderr,)")
        .replace("handlers=console,file", "handlers=console"),
        id="ini: the root's level= counts",
    ),
    pytest.param(
        "logging.yaml",
        YAML_LOW_FILE.replace("level: WARNING", "level: ext://logging.WARNING"),
        YAML_LOW_FILE.replace("level: WARNING", "level: ext://logging.WARNING")
        .replace("logging.FileHandler", "logging.StreamHandler")
        .replace("    filename: /nonexistent/app.log\n", "")
        .replace("[console, file]", "[file]"),
        id="yaml: a console at a level that is not a literal goes beside a converted handler at DEBUG, whatever it is",
    ),
    pytest.param(
        "logging.json",
        '{"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": "/nonexistent/a.log"},'
        ' "file": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["file"]}}\n',
        '{"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": "/nonexistent/a.log"},'
        ' "file": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["file"]}}\n',
        id="json: of two handlers named alike the last is the one json.loads keeps; the root keeps it",
    ),
]


@pytest.mark.parametrize("filename, before, after", CASES)
def test_no_logger_loses_a_message(filename, before, after):
    assert LoggingConsole.rewrite(before, filename) == after
    assert LoggingConsole.rewrite(after, filename) == after


def test_an_ini_class_built_by_interpolation_is_refused_with_a_reason():
    source = "[handlers]\nkeys=f\n[handler_f]\nclass=%(cls)s\nargs=('/x/a.log',)\n"
    with pytest.raises(Refusal, match=r"class of \[handler_f\] does not interpolate"):
        LoggingConsole.rewrite(source, "logging.ini")
    defined = "[DEFAULT]\ncls=FileHandler\n" + source
    with pytest.raises(Refusal, match="built by interpolation"):
        LoggingConsole.rewrite(defined, "logging.ini")


LOAD = """\
import io, logging, logging.config, sys
text = sys.stdin.read()
if sys.argv[1] == "ini":
    logging.config.fileConfig(io.StringIO(text))
else:
    import yaml
    logging.config.dictConfig(yaml.safe_load(text))
logging.getLogger().info("an INFO line")
"""


@pytest.mark.parametrize("filename, source", [("logging.yaml", YAML_LOW_FILE), ("logging.json", JSON_LOW_FILE), ("logging.ini", INI_LOW_FILE)])
def test_the_rewritten_config_still_prints_an_info_line(filename, source, tmp_path):
    after = LoggingConsole.rewrite(dedent(source), filename)
    kind = "ini" if filename.endswith(".ini") else "dict"
    run = subprocess.run([sys.executable, "-c", LOAD, kind], input=after, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "an INFO line" in run.stderr
    assert not list(tmp_path.iterdir())
