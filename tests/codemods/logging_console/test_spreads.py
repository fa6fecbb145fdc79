"""logging-console never exits 0 leaving a file handler it can see: LOGGING built on a spread of a base dict
(issue 11, shape 3: `LOGGING = {**BASE, …}`) and a handler that is a conditional expression are converted in
place; anything else that still writes a file is refused with a reason."""

from __future__ import annotations

import pytest

from fixbot.formats import Refusal
from fixbot.codemods.logging_console import LoggingConsole

FILE = '{"class": "logging.FileHandler", "filename": "/nonexistent/a.log"}'
STREAM = '{"class": "logging.StreamHandler"}'
BASE = 'BASE = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["console"]}}\n'

CASES = [
    pytest.param(
        'BASE_HANDLERS = {"console": {"class": "logging.StreamHandler"}}\n'
        'LOGGING = {\n    "version": 1,\n    "handlers": {**BASE_HANDLERS, "file": %s},\n    "root": {"handlers": ["console", "file"], "level": "INFO"},\n}\n',
        'BASE_HANDLERS = {"console": {"class": "logging.StreamHandler"}}\n'
        'LOGGING = {\n    "version": 1,\n    "handlers": {**BASE_HANDLERS, "file": %s},\n    "root": {"handlers": ["console"], "level": "INFO"},\n}\n',
        id="handlers spread from a base dict, then a file handler",
    ),
    pytest.param(
        BASE + 'LOGGING = {**BASE, "handlers": {**BASE["handlers"], "file": %s}, "root": {"handlers": ["console", "file"], "level": "INFO"}}\n',
        BASE + 'LOGGING = {**BASE, "handlers": {**BASE["handlers"], "file": %s}, "root": {"handlers": ["console"], "level": "INFO"}}\n',
        id="LOGGING = {**BASE, ...}: its own handlers",
    ),
    pytest.param(
        BASE + 'LOGGING = {**BASE, "handlers": {"file": %s}, "root": {"handlers": ["file"]}}\n',
        BASE + 'LOGGING = {**BASE, "handlers": {"file": %s}, "root": {"handlers": ["file"]}}\n',
        id="LOGGING = {**BASE, ...}: handlers replaced whole",
    ),
    pytest.param(
        'import os\nLOGGING = {\n    "version": 1,\n    "handlers": {"file": %s if os.environ.get("X") else {"class": "logging.StreamHandler"}},\n'
        '    "root": {"handlers": ["file"], "level": "INFO"},\n}\n',
        'import os\nLOGGING = {\n    "version": 1,\n    "handlers": {"file": %s if os.environ.get("X") else {"class": "logging.StreamHandler"}},\n'
        '    "root": {"handlers": ["file"], "level": "INFO"},\n}\n',
        id="a handler that is a conditional expression: its file branch converted in place",
    ),
]


@pytest.mark.parametrize("before, after", CASES)
def test_a_file_handler_next_to_a_spread_is_converted(before, after):
    before, after = before % FILE, after % STREAM
    assert LoggingConsole.rewrite(before, "settings.py") == after
    assert LoggingConsole.rewrite(after, "settings.py") == after


def test_a_file_handler_fixbot_cannot_convert_is_refused_not_left():
    source = 'OVERRIDE = None\nLOGGING = {"version": 1, "handlers": {"file": OVERRIDE or %s}, "root": {"handlers": ["file"]}}\n' % FILE
    with pytest.raises(Refusal, match="cannot tell whether this still writes to a file"):
        LoggingConsole.rewrite(source, "settings.py")
