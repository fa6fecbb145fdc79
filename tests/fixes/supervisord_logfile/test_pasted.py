"""supervisord's own failures as people paste them (the room's real example logs through every medium, cut at every
line), and its near misses, made by real runs, that stay clean: a program's own PermissionError on a path it
chose, and the control socket supervisord could not bind."""

from __future__ import annotations

import re
import shutil

import pytest

from fixbot import fixes
from tests.support import confined, realrun
from tests.support.pasting import MEDIA, cut_mistakes, findings, fixable

KIND = "supervisord-logfile"
EXAMPLES = fixes.HERE / "supervisord_logfile" / "examples"
# name: (what the finding must say, the lines an excerpt must keep to say it)
LOGS = {
    "logfile-permission-denied": ({"path": "/srv/app/logs/supervisord.log", "error": "PermissionError"},
                                  [r"supervisor/loggers\.py", r"^PermissionError: \[Errno 13\]"]),
    "logfile-read-only": ({"path": "/srv/app/logs/supervisord.log", "error": "OSError"},
                          [r"supervisor/loggers\.py", r"^OSError: \[Errno 30\]"]),
    "logfile-missing-dir": ({"path": "/srv/app/gone/supervisord.log"}, [r"^Error: The directory named"]),
    "program-log-missing-dir": ({"path": "/srv/app/gone/web.log", "program": "web"}, [r"^Error: The directory named"]),
    "pidfile-permission-denied": ({"path": "/srv/app/logs/supervisord.pid", "setting": "pidfile"},
                                  [r"CRIT could not write pidfile"]),
    "program-log-permission-denied": ({"program": "web", "errno": "EACCES"}, [r"spawnerr: "]),
}


def right(facts: dict):
    def judge(found: list) -> bool:
        return [f.kind for f in found] == [KIND] and all(found[0].facts.get(k) == v for k, v in facts.items()) \
            and found[0].fixes == ("supervisord-stdout",)
    return judge


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name", sorted(LOGS))
def test_supervisords_failure_is_found_whatever_the_medium_did(name, medium):
    facts, _ = LOGS[name]
    assert right(facts)(fixable(findings(MEDIA[medium]((EXAMPLES / f"{name}.log").read_text()))))


@pytest.mark.parametrize("name", sorted(LOGS))
def test_cut_at_every_line_in_turn(name):
    facts, groups = LOGS[name]
    text = (EXAMPLES / f"{name}.log").read_text()
    assert cut_mistakes(text, [re.compile(g, re.M) for g in groups], right(facts)) == []


@pytest.fixture(scope="module")
def near_misses():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    top = confined.world_dir("fixbot-sv-near-")
    (top / "root-only").mkdir(mode=0o755)
    port = realrun.free_port()
    out = {}
    # A program that fails on a file of its own: its traceback is in supervisord's output, not supervisord's failure.
    own = f"import os; open({str(top / 'root-only' / 'state.db')!r}, 'w')"
    (top / "own.conf").write_text(f"[supervisord]\nnodaemon=true\nlogfile=/dev/null\npidfile=/tmp/sd-near.pid\n\n"
                                  f"[program:app]\ncommand=python3 -c \"{own}\"\nstdout_logfile=/dev/stdout\n"
                                  "stdout_logfile_maxbytes=0\nredirect_stderr=true\nstartretries=0\n")
    # Its control socket in a directory only root may write: an Errno 13 on a socket, no file to move.
    (top / "socket.conf").write_text(f"[unix_http_server]\nfile={top}/root-only/supervisor.sock\n\n"
                                     "[supervisord]\nnodaemon=true\nlogfile=/dev/null\npidfile=/tmp/sd-near.pid\n\n"
                                     f"[program:web]\ncommand=python3 -m http.server {port} --bind 127.0.0.1\n")
    for name in ("own", "socket"):
        (top / f"{name}.conf").chmod(0o644)
        out[name] = confined.run(f"exec supervisord -c {name}.conf", top, user=confined.NOBODY, port=port,
                                 timeout=6).output
    shutil.rmtree(top)
    assert "PermissionError: [Errno 13]" in out["own"], out["own"]
    assert "errno.EACCES (13)" in out["socket"], out["socket"]
    return out


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name", ["own", "socket"])
def test_a_near_miss_stays_clean_whatever_the_medium_did(near_misses, name, medium):
    assert not fixable(findings(MEDIA[medium](near_misses[name])))


@pytest.mark.parametrize("name", ["logfile-unrendered-template", "program-log-quoted-path"])
def test_a_template_placeholder_or_quoted_path_is_a_near_miss(name):
    """supervisord's own words on a directory that is not missing from the deploy: a `{{ … }}` no template tool
    rendered (the survey's shape), a path in quotes that supervisord keeps as part of it (real runs' lines)."""
    text = (EXAMPLES / f"{name}.log").read_text()
    assert "The directory named as part of the path" in text
    for medium in ("as printed", "quoted", "fenced"):
        assert not fixable(findings(MEDIA[medium](text))), medium


def test_supervisorctl_reread_says_it_as_cant_reread():
    found = fixable(findings((EXAMPLES / "reread-program-log-missing-dir.log").read_text()))
    assert [(f.kind, f.facts["path"], f.facts.get("program"), f.fixes) for f in found] == [
        ("supervisord-logfile", "/srv/app/gone/y.log", "y", ("supervisord-stdout",))]
