"""fixbot codemod logging-console names a formatter its rewrite leaves unused: the file handler that gave lines their timestamp and level goes from the lists, and the reviewer has to hear that those lines are now printed with another handler's format."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import fixbot

# The console's format says more, so the converted file handler leaves the root's list and its formatter
# 'stamped_file' is on no listed handler.
CONFIG = """\
version: 1
formatters:
  full: {format: '%(asctime)s %(levelname)s %(name)s %(process)d %(message)s'}
  stamped_file: {format: '%(asctime)s %(levelname)s %(message)s'}
handlers:
  console: {class: logging.StreamHandler, formatter: full, level: DEBUG}
  file: {class: logging.FileHandler, filename: app.log, formatter: stamped_file, level: DEBUG}
root: {level: DEBUG, handlers: [console, file]}
"""

# What `fixbot apply`'s post-check says of the same rewrite (fixbot/formats/logconfig/check.py).
UNUSED = "formatter {!r} is no longer used: the lines it formatted are printed with another handler's format"


def test_the_codemod_names_the_formatter_it_leaves_unused(tmp_path):
    (tmp_path / "logging.yaml").write_text(CONFIG)
    result = fixbot("codemod", "logging-console", "--color", "never", "logging.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "handlers: [console]" in (tmp_path / "logging.yaml").read_text()  # and dropped from the root's list
    assert "stamped_file" in result.stdout + result.stderr


# The same shape in the other forms logging-console reads: a console whose format says more than the file's.
FULL = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
STAMPED = "%(asctime)s %(levelname)s %(message)s"
SETTINGS = f"""\
LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {{
        "full": {{"format": "{FULL}"}},
        "stamped": {{"format": "{STAMPED}"}},
    }},
    "handlers": {{
        "console": {{"class": "logging.StreamHandler", "formatter": "full"}},
        "file": {{"class": "logging.FileHandler", "filename": "app.log", "formatter": "stamped"}},
    }},
    "root": {{"handlers": ["console", "file"], "level": "INFO"}},
}}
"""
JSON = f"""\
{{"version": 1,
 "formatters": {{"full": {{"format": "{FULL}"}}, "stamped": {{"format": "{STAMPED}"}}}},
 "handlers": {{"console": {{"class": "logging.StreamHandler", "formatter": "full"}},
              "file": {{"class": "logging.FileHandler", "filename": "app.log", "formatter": "stamped"}}}},
 "root": {{"handlers": ["console", "file"], "level": "INFO"}}}}
"""
INI = f"""\
[loggers]
keys=root

[handlers]
keys=console,file

[formatters]
keys=full,stamped

[logger_root]
level=INFO
handlers=console,file

[handler_console]
class=StreamHandler
formatter=full
args=(sys.stderr,)

[handler_file]
class=FileHandler
formatter=stamped
args=('app.log',)

[formatter_full]
format={FULL}

[formatter_stamped]
format={STAMPED}
"""

# Loads the config with the real logging module in the current directory and logs one line through the root.
LOAD = """\
import json, logging, logging.config, sys
name = sys.argv[1]
if name.endswith(".ini"):
    logging.config.fileConfig(name)
elif name.endswith(".json"):
    logging.config.dictConfig(json.load(open(name)))
else:
    namespace = {}
    exec(open(name).read(), namespace)
    logging.config.dictConfig(namespace["LOGGING"])
logging.getLogger().info("hello")
"""
STAMPED_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO hello$", re.M)  # STAMPED's, nobody else's


def printed(cwd: Path, name: str) -> str:
    """What one INFO line of the root logger becomes under the config `name`: the console's and the file's."""
    (cwd / "load.py").write_text(LOAD)
    (cwd / "app.log").unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "load.py", name], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stderr + ((cwd / "app.log").read_text() if (cwd / "app.log").exists() else "")


@pytest.mark.parametrize("name, text", [
    pytest.param("settings.py", SETTINGS, id="Django LOGGING"),
    pytest.param("logging.json", JSON, id="JSON"),
    pytest.param("logging.ini", INI, id="INI"),
])
def test_each_form_names_it_as_apply_does_and_the_logging_module_agrees(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    assert STAMPED_LINE.search(printed(tmp_path, name)), "the file's lines carry the stamped format before"
    result = fixbot("codemod", "logging-console", "--color", "never", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"changed: {name}", f"fixbot: {name}: {UNUSED.format('stamped')}"]
    assert not STAMPED_LINE.search(printed(tmp_path, name)), "no line is printed with the stamped format after"


@pytest.mark.parametrize("mode, out", [([], "changed: logging.yaml"), (["--check"], ""), (["--diff"], "")],
                         ids=["write", "check", "diff"])
def test_each_mode_says_it_on_stderr_after_what_it_prints(tmp_path, mode, out):
    (tmp_path / "logging.yaml").write_text(CONFIG)
    result = fixbot("codemod", "logging-console", "--color", "never", "logging.yaml", *mode, cwd=tmp_path)
    assert result.returncode == (1 if mode == ["--check"] else 0), result.stderr
    assert result.stderr.splitlines() == [out, f"fixbot: logging.yaml: {UNUSED.format('stamped_file')}"][not out:]
    if mode == ["--check"]:
        assert result.stdout == "would change: logging.yaml\n"
    if mode == ["--diff"]:
        assert "-root: {level: DEBUG, handlers: [console, file]}" in result.stdout
    assert ((tmp_path / "logging.yaml").read_text() == CONFIG) == bool(mode)


def test_a_formatter_named_like_a_workflow_command_is_printed_inert(tmp_path):
    # A formatter's name is the repository's text: printed in an Actions log, `##[add-mask]` would run.
    (tmp_path / "logging.yaml").write_text(CONFIG.replace("stamped_file", '"##[add-mask]stamped_file"'))
    result = fixbot("codemod", "logging-console", "--color", "never", "logging.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "##[" not in result.stderr
    shown = UNUSED.format("##[add-mask]stamped_file").replace("##[", "##\\[")
    assert result.stderr.splitlines()[1] == f"fixbot: logging.yaml: {shown}"
