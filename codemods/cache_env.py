"""cache-env: set the variable that moves a library's cache or config directory to a writable place, where the deploy sets the process's environment.

A library puts its cache under the home directory unless a variable says otherwise (XDG_CACHE_HOME for every
XDG-minded one, Hugging Face's and pip's included; XDG_CONFIG_HOME, MPLCONFIGDIR, NUMBA_CACHE_DIR…); under an
arbitrary UID HOME is `/`, so it fails with `PermissionError: [Errno 13] Permission denied: '/.cache'`. The
fix is one `ENV NAME=value` in the Dockerfile's last stage (before its CMD/ENTRYPOINT), or one `export NAME=value`
at the top of a start script; every other byte stays.
"""

from __future__ import annotations

import re
from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats import Refusal
from fixbot.formats.deploy.dockerfile import final_stage_env
from fixbot.formats.deploy.shell import top_level
from fixbot.formats.deploy.table import format_of

__all__ = ["CacheEnv"]

DEFAULT = ("XDG_CACHE_HOME", "/tmp/.cache")
_NAME = re.compile(r"[A-Za-z_]\w*\Z")
_VALUE = re.compile(r"[\w./-]+\Z")


class CacheEnv(Codemod):
    NAME = "cache-env"
    DESCRIPTION = (
        "Set the environment variable that moves a library's cache or config directory out of an unwritable home "
        "(XDG_CACHE_HOME=/tmp/.cache unless told another: `variable`, `value`), as ENV in a Dockerfile's last "
        "stage (before its CMD/ENTRYPOINT) or an export at the top of a start script; a file that already sets it "
        "is left alone."
    )
    HANDLES = ("home-cache",)
    FILES = ("dockerfile*", "*.dockerfile", "containerfile*", "*.sh", "entrypoint*", "docker-entrypoint*", "start")
    FORMATS = ("Dockerfiles", "shell scripts")
    EXAMPLES = (
        Example("Dockerfile: before the last stage's CMD",
                "FROM python:3.12 AS build\nRUN pip wheel .\nFROM python:3.12-slim\nUSER 1000\nCMD [\"gunicorn\", \"app:app\"]\n",
                "FROM python:3.12 AS build\nRUN pip wheel .\nFROM python:3.12-slim\nUSER 1000\n"
                "ENV XDG_CACHE_HOME=/tmp/.cache\nCMD [\"gunicorn\", \"app:app\"]\n", filename="Dockerfile"),
        Example("start script, after its shebang and set lines",
                "#!/bin/sh\r\nset -e\r\nexec gunicorn app:app\r\n",
                "#!/bin/sh\r\nset -e\r\nexport MPLCONFIGDIR=/tmp/matplotlib\r\nexec gunicorn app:app\r\n",
                filename="entrypoint.sh", options={"variable": "MPLCONFIGDIR", "value": "/tmp/matplotlib"}),
        Example("already set", "FROM python:3.12-slim\nENV XDG_CACHE_HOME /data/cache\nCMD [\"python\", \"app.py\"]\n",
                filename="Dockerfile"),
        Example("not a value to write unquoted", "FROM python\n", refuses="not a plain path",
                filename="Dockerfile", options={"value": "/tmp/my cache"}),
    )

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        """`variable` and `value`: what to set (XDG_CACHE_HOME=/tmp/.cache by default)."""
        variable, value = str(options.get("variable", DEFAULT[0])), str(options.get("value", DEFAULT[1]))
        if not _NAME.match(variable) or not _VALUE.match(value):
            raise Refusal(f"{variable}={value} is not a plain path to set: set it by hand")
        newline = "\r\n" if "\r\n" in source else "\n"
        found = format_of(source, filename)
        if found is not None and found.name == "dockerfile":
            env, cmd = final_stage_env(source)
            if variable in env:
                return source
            at = len(source) if cmd is None else cmd
            before = newline if at and not source[:at].endswith("\n") else ""
            return source[:at] + f"{before}ENV {variable}={value}{newline}" + source[at:]
        if found is not None and found.name == "shell":
            names, at = top_level(source)
            if variable in names:
                return source
            before = newline if at and not source[:at].endswith("\n") else ""
            return source[:at] + f"{before}export {variable}={value}{newline}" + source[at:]
        return source
