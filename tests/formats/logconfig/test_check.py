"""The logging-handler room's post-check reports only what a rewrite broke, compared with the original (issue 11,
shape 3), and says what it proved."""

from __future__ import annotations

import pytest

from fixbot import fixes
from fixbot.codemods.logging_console import LoggingConsole
from fixbot.verify import VerifyFailed

ROOM = fixes.for_kind("logging-handler")
DERIVED = (
    "from .base import *  # noqa: F403\n\n"
    'LOGGING["handlers"]["app_file"] = {"class": "logging.FileHandler", "filename": "/app/logs/app.log"}\n'
    'LOGGING["loggers"]["app"] = {"handlers": ["app_file"], "level": "INFO", "propagate": False}\n'
)
STATIC = (
    'LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"},'
    ' "file": {"class": "logging.FileHandler", "filename": "/x/a.log"}}, "root": {"handlers": ["console", "file"]}}\n'
)


def test_derived_module_naming_its_base_handlers_passes():
    after = LoggingConsole.rewrite(DERIVED, "config/settings/production.py")
    proven = ROOM.check("config/settings/production.py", DERIVED, after, "logging-console")
    assert "no handler written in this file writes to a file" in " ".join(proven)
    assert not any("two stream handlers" in p for p in proven)  # 'console' is the base's: not proven


def test_static_rewrite_proves_no_logger_prints_twice():
    after = LoggingConsole.rewrite(STATIC, "settings.py")
    assert ROOM.check("settings.py", STATIC, after, "logging-console") == [
        "LOGGING is valid for dictConfig: every handler, formatter and filter it names exists",
        "no handler writes to a file",
        "every record of the 25 tried (each logger the config names and a child of each, at every level, through "
        "levels, filters and propagation) that reached a file or the console before prints on the console after, "
        "once (or no more often than it did)",
    ]


# The issue's shape: `myapp` writes only to the file, under a root that prints to the console and the file too.
PROPAGATES = (
    'LOGGING = {"version": 1, "formatters": {"verbose": {"format": "%(asctime)s %(levelname)s %(message)s"}},\n'
    ' "handlers": {"console": {"class": "logging.StreamHandler"},\n'
    ' "file": {"class": "logging.FileHandler", "filename": "/x/a.log", "formatter": "verbose"}},\n'
    ' "root": {"handlers": ["console", "file"], "level": "INFO"},\n'
    ' "loggers": {"myapp": {"handlers": ["file"], "level": "DEBUG"}}}\n'
)


def test_a_rewrite_that_prints_a_propagated_line_twice_is_refused():
    twice = PROPAGATES.replace('"file": {"class": "logging.FileHandler", "filename": "/x/a.log", "formatter": "verbose"}', '"f": {"class": "logging.StreamHandler"}').replace('["console", "file"]', '["console"]').replace('["file"]', '["console"]')
    with pytest.raises(VerifyFailed, match="logger 'myapp' prints each of its DEBUG and higher records 2 times on the console"):
        ROOM.check("settings.py", PROPAGATES, twice, "logging-console")


def test_a_rewrite_that_loses_a_level_is_refused():
    lost = PROPAGATES.replace('"level": "DEBUG"', '"level": "INFO"').replace(', "formatter": "verbose"', "").replace("logging.FileHandler", "logging.StreamHandler").replace(', "filename": "/x/a.log"', "")
    lost = lost.replace('"myapp": {"handlers": ["file"], "level": "INFO"}', '"myapp": {"handlers": [], "level": "DEBUG"}').replace('["console", "file"]', '["console"]')
    lost = lost.replace('"console": {"class": "logging.StreamHandler"}', '"console": {"class": "logging.StreamHandler", "level": "INFO"}')
    with pytest.raises(VerifyFailed, match="logger 'myapp' no longer prints its DEBUG records anywhere"):
        ROOM.check("settings.py", PROPAGATES, lost, "logging-console")


def test_the_propagating_shape_prints_each_line_once_keeping_the_files_format():
    after = LoggingConsole.rewrite(PROPAGATES, "settings.py")
    assert '"myapp": {"handlers": [], "level": "DEBUG"}' in after and '"root": {"handlers": ["file"], "level": "INFO"}' in after
    assert '"file": {"class": "logging.StreamHandler", "formatter": "verbose"}' in after
    proven = ROOM.check("settings.py", PROPAGATES, after, "logging-console")
    assert any("prints on the console after, once" in p for p in proven), proven


@pytest.mark.parametrize(
    "after, reason",
    [
        pytest.param(STATIC.replace('"file": {"class": "logging.FileHandler", "filename": "/x/a.log"}', '"f": {"class": "logging.StreamHandler"}'),
                     "uses handler 'file', which is not defined", id="a reference the rewrite broke"),
        pytest.param(DERIVED.replace("app_file", "app"), "still writes to a file", id="a file handler the rewrite left"),
    ],
)
def test_what_the_rewrite_broke_is_reported(after, reason):
    before = STATIC if "LOGGING = {" in after else DERIVED
    with pytest.raises(VerifyFailed, match=reason):
        ROOM.check("settings.py", before, after, "logging-console")


def test_logging_path_keeps_file_handlers():
    assert ROOM.check("settings.py", STATIC, STATIC, "logging-path")[0].startswith("LOGGING is valid")
