"""Real Gunicorn started as a systemd unit's ExecStart= says, and daemonised: what reaches the caller, fixed or refused.

There is no systemd on this machine: a unit's command is run the way systemd builds it (continuation lines
joined, the `-` prefix dropped, WorkingDirectory= as the directory, Environment= variables exported, `${NAME}`
expanded, here by bash) through tests/support/realrun.run_script.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support import realrun
from tests.support.cli import apply_json
from tests.support.repos import clone, commit_all, without_branch
from tests.support.repos import snapshot

APP = "def app(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n"
UNIT = """\
[Unit]
Description=web (gunicorn)
After=network.target

[Service]
WorkingDirectory={cwd}
Environment=APP_LOG=/missing/dir/app.log
ExecStart=-{gunicorn} hello:app \\
    -b 127.0.0.1:${{PORT}} --workers 1 \\
    --log-file "${{APP_LOG}}"
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""


def as_script(unit: Path) -> Path:
    """A bash script that does what systemd would do with the unit's [Service] (the few settings used here)."""
    text = re.sub(r"\\\n", " ", unit.read_text())
    cwd = re.search(r"(?m)^WorkingDirectory=(.*)$", text).group(1)
    env = re.findall(r"(?m)^Environment=(\w+)=(.*)$", text)
    command = re.search(r"(?m)^ExecStart=[-@+!:]*(.*)$", text).group(1)
    script = unit.parent / "unit-as-script.sh"
    lines = ["#!/bin/bash", f"cd {shlex.quote(cwd)}", *(f"export {k}={shlex.quote(v)}" for k, v in env), f"exec {command}"]
    script.write_text("\n".join(lines) + "\n")
    return script


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "hello.py").write_text(APP)
    (repo / "deploy/web.service").write_text(UNIT.format(cwd=repo, gunicorn=realrun.GUNICORN))
    commit_all(repo)
    return repo


def test_a_unit_whose_log_file_cannot_be_opened_is_fixed_and_boots(tmp_path):
    repo = _repo(tmp_path)
    run = realrun.run_script(as_script(tmp_path / "repo/deploy/web.service"), cwd=tmp_path, probe="/")
    assert run.returncode == 1 and "Error: '/missing/dir/app.log' isn't writable" in run.output, run.output
    log = tmp_path / "journal.log"
    log.write_text(run.output)
    before = snapshot(repo)

    code, out, err = apply_json(log, repo)

    assert (code, out["status"], [c["path"] for c in out["changes"]]) == (0, "fixed", ["deploy/web.service"]), err
    assert '+    --log-file "-"' in out["diff"] and "-    --log-file \"${APP_LOG}\"" in out["diff"]
    if shutil.which("systemd-analyze"):  # systemd's own reader accepts the unit (it cannot start it here)
        assert out["changes"][0]["checks"] == ["systemd-analyze verify passes"], out["changes"]
    assert without_branch(snapshot(repo), out["branch"]) == before
    review = clone(repo, tmp_path / "review", "--branch", out["branch"])
    unit = review / "deploy/web.service"
    assert unit.read_text() == (repo / "deploy/web.service").read_text().replace('"${APP_LOG}"', '"-"')
    fixed = realrun.run_script(as_script(unit), cwd=tmp_path, probe="/")
    assert fixed.status == 200, fixed.output
    assert "Listening at: http://127.0.0.1:" in fixed.output  # the log is on stderr, where journald reads it


def test_the_plan_says_journald_keeps_the_log(tmp_path):
    repo = _repo(tmp_path)
    log = tmp_path / "journal.log"
    log.write_text("Error: Error: '/missing/dir/app.log' isn't writable [FileNotFoundError(2, 'No such file or directory')]\n")
    result = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", "--log", str(log), "--repo", str(repo),
                             "--dry-run"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "journald" in result.stdout and "journalctl -u web.service" in result.stdout, result.stdout


# -- daemon: what a daemonised Gunicorn's `-` reaches -------------------------------------------------------------
def run_daemon(script: Path, tmp_path: Path, wait: float = 20) -> tuple[int, int | None, str]:
    """Run a start script whose Gunicorn daemonises; (the script's exit code, the status the daemon answered
    with within `wait` seconds, everything that reached the script's stdout and stderr, the daemon's included,
    after that request)."""
    port = realrun.free_port()
    pidfile = tmp_path / "gunicorn.pid"
    out = tmp_path / "caller.out"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = realrun.clean_env(tmp_path, {"PORT": str(port), "PIDFILE": str(pidfile)}, home=home)
    with out.open("wb") as sink:  # a file: a daemon that inherits stdio would hold a pipe open for ever
        code = subprocess.run(["bash", str(script)], cwd=tmp_path, env=env, stdout=sink, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=30).returncode
    status = None
    try:
        deadline = time.monotonic() + wait
        while code == 0 and status is None and time.monotonic() < deadline:
            answer = realrun._probe(port, "/", timeout=2)
            status = answer[0] if answer else None
            time.sleep(0.1 if status is None else 0.5)  # a moment for the access log line
    finally:
        _stop(pidfile)
    return code, status, out.read_text(errors="replace")


def _stop(pidfile: Path) -> None:
    """Stop the daemon this test started, by the pid it wrote (it left the test's process group); Gunicorn
    writes the pid file as its master starts, long before the probe's deadline."""
    if not pidfile.exists():
        return
    deadline = time.monotonic() + 5
    pid = int(pidfile.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    while time.monotonic() < deadline + 10:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


START = '#!/bin/sh\nexec gunicorn hello:app -b 127.0.0.1:$PORT --pid "$PIDFILE" -D{flags} --error-logfile {log} --access-logfile {log}\n'


def _codemod(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fixbot.cli", "codemod", "gunicorn-stdout", str(script)],
                          capture_output=True, text=True)


def test_a_daemon_is_refused_because_its_dash_logs_reach_no_one(tmp_path):
    (tmp_path / "hello.py").write_text(APP)
    script = tmp_path / "start.sh"
    broken = START.format(flags="", log="/missing/dir/g.log")
    script.write_text(broken)
    # Gunicorn checks its log files after it has detached: the start "succeeds", nothing answers, nothing is said.
    assert run_daemon(script, tmp_path, wait=3) == (0, None, "")

    refused = _codemod(script)

    assert refused.returncode == 2 and "runs as a daemon (-D on line 2)" in refused.stderr, refused.stderr
    assert script.read_text() == broken
    # The rewrite fixbot refuses to make boots, and every log line goes to /dev/null.
    script.write_text(START.format(flags="", log="-"))
    code, status, output = run_daemon(script, tmp_path)
    assert (code, status, output) == (0, 200, "")


def test_a_daemon_that_inherits_stdio_is_fixed_and_keeps_its_logs(tmp_path):
    (tmp_path / "hello.py").write_text(APP)
    script = tmp_path / "start.sh"
    script.write_text(START.format(flags=" --enable-stdio-inheritance", log="/missing/dir/g.log"))
    code, status, output = run_daemon(script, tmp_path, wait=3)
    assert (code, status) == (0, None) and "Error: '/missing/dir/g.log' isn't writable" in output, output

    fixed = _codemod(script)

    assert fixed.returncode == 0, fixed.stderr
    assert script.read_text() == START.format(flags=" --enable-stdio-inheritance", log="-")
    code, status, output = run_daemon(script, tmp_path)
    assert (code, status) == (0, 200), output
    assert "Listening at: http://127.0.0.1:" in output and '"GET / HTTP/1.1" 200' in output, output


# -- daemon told in one file, logs in the other: `gunicorn -c gunicorn.conf.py` -------------------------------------
CROSS = {
    # id: (start.sh's flags, gunicorn.conf.py, exit code, what stderr or the status says)
    "-D in the script": (" -D", "errorlog = '/missing/dir/e.log'\n", 2, "(-D on line 2 in start.sh)"),
    "daemon = True in the config module": (" --error-logfile /missing/dir/e.log", "daemon = True\n", 2,
                                           "(daemon = True on line 1 in gunicorn.conf.py)"),
    "-D, and the config module keeps stdio": (" -D", "enable_stdio_inheritance = True\nerrorlog = '/missing/dir/e.log'\n",
                                              0, "fixed"),
}


def test_a_daemon_told_in_the_other_file_is_refused(tmp_path):
    log = tmp_path / "boot.log"
    log.write_text("Error: Error: '/missing/dir/e.log' isn't writable [FileNotFoundError(2, 'No such file or directory')]\n")
    for case, (flags, config, code, said) in CROSS.items():
        repo = tmp_path / case.replace(" ", "-")
        repo.mkdir()
        (repo / "start.sh").write_text(f"#!/bin/sh\nexec gunicorn -c gunicorn.conf.py hello:app{flags}\n")
        (repo / "gunicorn.conf.py").write_text(config)
        commit_all(repo)
        got, out, err = apply_json(log, repo, "--dry-run")
        assert got == code and said in (err if code else out["status"]), (case, err)
        if code:
            assert "runs as a daemon" in err and "would be lost" in err, err
