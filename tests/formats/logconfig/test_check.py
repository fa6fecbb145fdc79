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
    'LOGGING["loggers"]["app"] = {"handlers": ["app_file", "console"], "level": "INFO"}\n'
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
        "no handler writes to a file; no logger has two unfiltered stream handlers with literal levels (a line twice)",
        "no logger's lowest level rose (1 compared), so none drops a message it wrote before",
    ]


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
