"""logging-console removes the `os.makedirs(LOG_DIR)` / `LOG_DIR.mkdir(...)` a settings module ran only for the file handlers the rewrite took away: where the directory cannot be made (a read-only root, another user's directory, here a path under a regular file) the import failed there, before LOGGING was read, and the fixed branch did not start (12 of 52 fixed public settings modules kept one)."""

from __future__ import annotations

import logging.config
from textwrap import dedent

import pytest

from fixbot.codemods.logging_console import LoggingConsole

MAKEDIRS = dedent('''\
    import os

    LOG_DIR = {where!r}
    os.makedirs(LOG_DIR, exist_ok=True)

    LOGGING = {{
        "version": 1,
        "handlers": {{
            "console": {{"class": "logging.StreamHandler"}},
            "file": {{"class": "logging.FileHandler", "filename": os.path.join(LOG_DIR, "app.log")}},
        }},
        "root": {{"handlers": ["console", "file"], "level": "INFO"}},
    }}
    ''')
PATH_MKDIR = dedent('''\
    from pathlib import Path

    LOGS_DIR = Path({where!r})
    LOGS_DIR.mkdir(parents=True, exist_ok=True)

    LOGGING = {{
        "version": 1,
        "handlers": {{
            "console": {{"class": "logging.StreamHandler"}},
            "file": {{"class": "logging.handlers.RotatingFileHandler", "filename": LOGS_DIR / "app.log"}},
        }},
        "root": {{"handlers": ["console", "file"], "level": "INFO"}},
    }}
    ''')
GUARDED = MAKEDIRS.replace("os.makedirs(LOG_DIR, exist_ok=True)", "if not os.path.exists(LOG_DIR):\n    os.makedirs(LOG_DIR)")


def _import(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "settings.py", "exec"), namespace)  # our own settings above
    return namespace


@pytest.mark.parametrize("template", [MAKEDIRS, PATH_MKDIR, GUARDED], ids=["os.makedirs", "Path.mkdir", "if not exists"])
def test_the_directory_made_only_for_the_file_handlers_goes_and_the_module_imports(template, tmp_path):
    (tmp_path / "a-file").write_text("")
    source = template.format(where=str(tmp_path / "a-file" / "logs"))  # cannot be made, even by root
    with pytest.raises(NotADirectoryError):
        _import(source)
    after = LoggingConsole.rewrite(source, "settings.py", star_imported=False)
    assert "mkdir" not in after and "makedirs" not in after, after
    logging.config.dictConfig(_import(after)["LOGGING"])  # imports, and configures with no file
    said = LoggingConsole.describe(source, after, "settings.py")
    assert any("goes: the directory was made only for the file handlers that went" in line for line in said), said


@pytest.mark.parametrize("source, star_imported", [
    pytest.param(MAKEDIRS.format(where="/x/logs") + 'MEDIA_ROOT = os.path.join(LOG_DIR, "media")\n', False,
                 id="the directory is used for something else too"),
    pytest.param(MAKEDIRS.format(where="/x/logs"), True, id="another module may star-import LOG_DIR and log there"),
])
def test_a_directory_something_else_may_need_is_still_made(source, star_imported):
    after = LoggingConsole.rewrite(source, "settings.py", star_imported=star_imported)
    assert "os.makedirs(LOG_DIR, exist_ok=True)" in after and "FileHandler" not in after


@pytest.mark.parametrize("source", [
    pytest.param(MAKEDIRS.format(where="/x/logs").replace("os.makedirs(LOG_DIR, exist_ok=True)",
                                                         "os.makedirs(LOG_DIR, exist_ok=True); READY = True"),
                 id="another statement on its line"),
    pytest.param(MAKEDIRS.format(where="/x/logs").replace("LOG_DIR = '/x/logs'", 'LOG_DIR = os.path.join("/x", "logs")')
                 + 'CELERY_LOG = os.path.join("/x", "logs", "celery.log")\n', id="the same directory named another way"),
    pytest.param(MAKEDIRS.format(where="/x/logs") + 'WHERE = globals()["LOG_DIR"]\n', id="read through globals()"),
])
def test_a_directory_made_beside_other_uses_stays(source):
    after = LoggingConsole.rewrite(source, "settings.py", star_imported=False)
    assert "os.makedirs(LOG_DIR, exist_ok=True)" in after and "FileHandler" not in after, after
    assert ("READY = True" in after) == ("READY = True" in source)
