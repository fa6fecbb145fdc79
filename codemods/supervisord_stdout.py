"""supervisord-stdout: supervisord's own log and pid file, and its programs' logs, go where a container gives a place.

supervisord opens its `logfile=` before it starts any program and exits when it cannot (a traceback from
supervisor/loggers.py, or "Error: The directory named as part of the path … does not exist"); it cannot write its
`pidfile=` ("CRIT could not write pidfile"); a program whose `stdout_logfile=` it cannot open never starts
("spawnerr: unknown error making dispatchers for 'web': EACCES"). In the foreground (`nodaemon=true`) supervisord
also prints its own log on stdout, so `logfile=/dev/null` loses nothing; programs write to `/dev/stdout` and
`/dev/stderr`, which cannot be rotated, hence `*_logfile_maxbytes=0` (supervisord's docs, "Configuration File").
"""

from __future__ import annotations

import posixpath
from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats import Refusal
from fixbot.formats.deploy.supervisord import Section, sections, set_values
from fixbot.formats.deploy.table import FORMATS

__all__ = ["SupervisordStdout"]

PIDFILE = "/tmp/supervisord.pid"
# Values that name no file of supervisord's own (case as supervisord compares them).
_NOT_FILES = frozenset({"/dev/stdout", "/dev/stderr", "/dev/null", "/dev/fd/1", "/dev/fd/2", "/proc/self/fd/1",
                        "/proc/self/fd/2", "syslog", "none", "auto"})
_STREAMS = (("stdout", "/dev/stdout"), ("stderr", "/dev/stderr"))


def _is_file(value: str) -> bool:
    return value.strip().lower() not in _NOT_FILES


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "yes", "on", "1")


def changes(found: list[Section], programs: tuple[str, ...] = ()) -> list[tuple[Section, str, str]]:
    """The settings to change: [supervisord]'s logfile and pidfile, and every program's file logs (also the
    AUTO ones, in supervisord's childlogdir, of the programs named in `programs`); Refusal for a daemon."""
    out: list[tuple[Section, str, str]] = []
    for section in (s for s in found if s.name == "supervisord"):
        logfile = section.get("logfile")
        if logfile is None or _is_file(logfile):  # its default is supervisord.log in the working directory
            nodaemon = section.get("nodaemon")
            if nodaemon is not None and not _true(nodaemon):
                raise Refusal(f"supervisord runs as a daemon (nodaemon={nodaemon} on line "
                              f"{section.settings['nodaemon'].line}), which prints nothing: with logfile=/dev/null "
                              "its log would be lost; run it in the foreground (nodaemon=true), then rerun fixbot")
            out.append((section, "logfile", "/dev/null"))
            if nodaemon is None:
                out.append((section, "nodaemon", "true"))
        pidfile = section.get("pidfile")
        if pidfile is None or (_is_file(pidfile) and posixpath.dirname(pidfile.strip()) != "/tmp"):
            out.append((section, "pidfile", PIDFILE))
    for section in (s for s in found if s.program is not None):
        for stream, device in _STREAMS:
            if stream == "stderr" and _true(section.get("redirect_stderr")):
                continue  # its stderr goes where its stdout goes
            value = section.get(f"{stream}_logfile")
            named = section.program in programs and (value is None or value.strip().lower() == "auto")
            if named or (value is not None and _is_file(value)):
                out.append((section, f"{stream}_logfile", device))
            elif value is None or value.strip() != device:
                continue
            if section.get(f"{stream}_logfile_maxbytes") != "0":
                out.append((section, f"{stream}_logfile_maxbytes", "0"))
    return out


def is_supervisord(source: str, filename: str) -> bool:
    """Whether a file is supervisord's: it holds a [supervisord] or a [program:x] section."""
    return any(s.name == "supervisord" or s.program is not None for s in sections(source))


class SupervisordStdout(Codemod):
    NAME = "supervisord-stdout"
    DESCRIPTION = (
        "Make supervisord write nothing where a container gives it no place: its own logfile=/dev/null with "
        "nodaemon=true (in the foreground it prints its log on stdout), pidfile=/tmp/supervisord.pid, and each "
        "program's stdout_logfile/stderr_logfile to /dev/stdout and /dev/stderr with *_logfile_maxbytes=0 (a "
        "stream cannot be rotated). Refuses a supervisord that daemonises (nodaemon=false): it prints nothing."
    )
    HANDLES = ("supervisord-logfile",)
    FILES = next(f.files for f in FORMATS if f.name == "supervisord")
    FORMATS = ("supervisord configuration files",)
    EXAMPLES = (
        Example(
            "its own log and pid file, and a program's log (the common Docker image)",
            "[supervisord]\nnodaemon=true\nlogfile=/var/log/supervisor/supervisord.log ; main log\n"
            "pidfile=/var/run/supervisord.pid\n\n[program:web]\ncommand=gunicorn app:app\n"
            "stdout_logfile=/var/log/web/out.log\nredirect_stderr=true\n",
            "[supervisord]\nnodaemon=true\nlogfile=/dev/null ; main log\npidfile=/tmp/supervisord.pid\n\n"
            "[program:web]\ncommand=gunicorn app:app\nstdout_logfile=/dev/stdout\nredirect_stderr=true\n"
            "stdout_logfile_maxbytes=0\n",
            filename="supervisord.conf",
        ),
        Example(
            "defaults that write into the working directory, spelled like their siblings",
            "[supervisord]\r\nuser = app\r\n\r\n[program:worker]\r\ncommand = celery -A proj worker\r\n"
            "stderr_logfile = %(ENV_LOG_DIR)s/worker.err\r\n",
            "[supervisord]\r\nuser = app\r\nlogfile = /dev/null\r\nnodaemon = true\r\npidfile = /tmp/supervisord.pid\r\n"
            "\r\n[program:worker]\r\ncommand = celery -A proj worker\r\nstderr_logfile = /dev/stderr\r\n"
            "stderr_logfile_maxbytes = 0\r\n",
            filename="supervisord.conf",
        ),
        Example(
            "a program whose AUTO log failed, named by the finding",
            "[program:web]\ncommand=gunicorn app:app\n",
            "[program:web]\ncommand=gunicorn app:app\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\n"
            "stderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0\n",
            filename="conf.d/web.conf",
            options={"programs": ("web",)},
        ),
        Example(
            "already on the console",
            "[supervisord]\nnodaemon=true\nlogfile=/dev/null\npidfile=/tmp/supervisord.pid\n\n[program:web]\n"
            "command=gunicorn app:app\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nredirect_stderr=true\n",
            filename="supervisord.conf",
        ),
        Example("not supervisord's", "[uwsgi]\nlogto = /var/log/uwsgi.log\n", filename="uwsgi.ini"),
        Example(
            "a daemon prints nothing",
            "[supervisord]\nnodaemon=false\nlogfile=/var/log/supervisord.log\n",
            refuses="supervisord runs as a daemon",
            filename="supervisord.conf",
        ),
    )

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        """`programs`: the programs whose AUTO logs (in childlogdir) failed, moved to the console too."""
        if not is_supervisord(source, filename):
            return source
        return set_values(source, changes(sections(source), tuple(options.get("programs", ()))))
