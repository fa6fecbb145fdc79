"""Where a file starts or configures Gunicorn, with the settings a kind asks for (its log files unless told) and whether it daemonises: the reading the Gunicorn codemods rewrite and the rooms and `fixbot check` judge."""

from __future__ import annotations

import re

from fixbot.formats.deploy.gunicorn_config import ConfigReading, read as read_config
from fixbot.formats.deploy.scan import GUNICORN, LOG_SETTINGS, Invocation, LogFlag
from fixbot.formats.deploy.table import FORMATS, Reading, files, read_as

__all__ = ["FORMATS", "Invocation", "LogFlag", "daemon_settings", "files", "find_invocations", "loopback", "read"]

_LOOPBACK = re.compile(r"(?:127(?:\.\d+){3}|localhost|\[::1\]|::1)")


def read(source: str, filename: str, config_module: bool = False, settings=LOG_SETTINGS) -> Reading | None:
    """What the file's reader makes of it (None for a file without Gunicorn); Refusal if it cannot be read.
    `config_module`: the file is the one `gunicorn -c FILE` reads, a Python module whatever its name; `settings`:
    the ones to read (Gunicorn's names: `pidfile`, `worker_tmp_dir`…)."""
    program = GUNICORN.reading(settings)
    if config_module:
        return read_config(source, program)
    return read_as(source, filename, program)


def find_invocations(source: str, filename: str, config_module: bool = False, settings=LOG_SETTINGS) -> list[Invocation]:
    """Each place in the file that starts or configures Gunicorn, with the `settings` (its log files unless told) as
    written.

    Raises Refusal when the file does not parse or its kind cannot be told from its name and shebang.
    """
    reading = read(source, filename, config_module, settings)
    return [] if reading is None else reading.invocations


def daemon_settings(source: str, filename: str, config_module: bool = False) -> list[Invocation]:
    """Each invocation of the file (a config module's settings even without log settings) that tells Gunicorn to
    daemonise or to keep stdio: whether '-' reaches anyone may depend on another file (`-D` and `-c conf.py`)."""
    reading = read(source, filename, config_module)
    found = [reading.settings] if isinstance(reading, ConfigReading) else reading.invocations if reading else []
    return [inv for inv in found if inv.daemon or inv.inherits]


def loopback(address: str) -> bool:
    """Whether a Gunicorn bind (`127.0.0.1:8000`, `localhost`, `[::1]:80`) or a uvicorn --host names the loopback
    interface, which a platform's router cannot reach."""
    address = address.removeprefix("tcp://")
    host = address.split("]")[0] + "]" if address.startswith("[") else address.rsplit(":", 1)[0]
    return bool(_LOOPBACK.fullmatch(host or address))
