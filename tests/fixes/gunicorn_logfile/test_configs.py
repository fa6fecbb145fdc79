"""Gunicorn's own configuration end to end: --capture-output and config files by any name, really failing, fixed and booting."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support import realrun
from tests.support.cli import apply_json
from tests.support.repos import clone, commit_all, without_branch
from tests.support.repos import snapshot

# The start script cds into the backend and runs Gunicorn with its config file (the `-c` argument, if any).
START = """\
#!/bin/sh
cd "$(dirname "$0")/apps/backend"
exec gunicorn {config}config.wsgi:application -b 127.0.0.1:${{BACKEND_PORT}} --workers 1 --timeout 10{flags}
"""
CAPTURE = "capture_output = True\nerrorlog = '{log}'\n"
SUPERVISORD = """\
[program:gunicorn]
command=/srv/venv/bin/gunicorn config.wsgi:application -c /app/gunicorn.conf.py
    --error-logfile {log}
autostart=true
"""

CASES = {
    # id: (the -c argument, flags on the command line, the config file (repo path, text), the file fixbot rewrites)
    "capture-output flag": ("", " --capture-output --error-logfile {log}", None, "start.sh"),
    "gunicorn.conf.py capture_output": ("", "", ("apps/backend/gunicorn.conf.py", CAPTURE), "apps/backend/gunicorn.conf.py"),
    "-c gunicorn.conf, no .py": ("-c gunicorn.conf ", "", ("apps/backend/gunicorn.conf", CAPTURE), "apps/backend/gunicorn.conf"),
    "-c deploy/web.conf": ("-c deploy/web.conf ", "", ("apps/backend/deploy/web.conf", CAPTURE), "apps/backend/deploy/web.conf"),
    "-c python:module": ("-c python:config.server ", "", ("apps/backend/config/server.py", CAPTURE),
                         "apps/backend/config/server.py"),
}


def _project(top: Path, case: str, log: str) -> Path:
    config, flags, file, _ = CASES[case]
    project = realrun.make_django_project(top / "repo", logging_source=realrun.CONSOLE_LOGGING)
    script = project.root / "start.sh"
    script.write_text(START.format(config=config, flags=flags.format(log=log)))
    script.chmod(0o755)
    if file:
        (project.root / file[0]).parent.mkdir(parents=True, exist_ok=True)
        (project.root / file[0]).write_text(file[1].format(log=log))
    commit_all(project.root)
    return project.root


@pytest.mark.parametrize("case", list(CASES))
def test_gunicorn_logfile_by_config_fails_then_the_fix_boots(case, tmp_path):
    repo = _project(tmp_path, case, "/missing/dir/error.log")
    run = realrun.run_script(repo / "start.sh")
    assert not run.booted and "FileNotFoundError: [Errno 2] No such file or directory: '/missing/dir/error.log'" in run.output, run.output
    log = tmp_path / "boot.log"
    log.write_text(run.output)
    before = snapshot(repo)

    code, out, err = apply_json(log, repo)

    assert (code, out["status"]) == (0, "fixed"), err
    assert [c["path"] for c in out["changes"]] == [CASES[case][3]]
    if CASES[case][3] == "start.sh":  # a #!/bin/sh script is checked by sh, and says so
        assert [k for k in out["changes"][0]["checks"] if "-n" in k][0].startswith("sh -n passes")
    else:
        assert out["changes"][0]["checks"] == ["compiles" if CASES[case][3].endswith(".py") else "compiles as Gunicorn's config module"]
    assert without_branch(snapshot(repo), out["branch"]) == before  # the checkout is untouched
    review = clone(repo, tmp_path / "review", "--branch", out["branch"])
    assert realrun.run_script(review / "start.sh").status == 200


def test_a_supervisord_file_named_gunicorn_conf_is_rewritten_as_ini(tmp_path):
    repo = _project(tmp_path, "capture-output flag", "/missing/dir/error.log")
    (repo / "start.sh").unlink()
    (repo / "gunicorn.conf").write_text(SUPERVISORD.format(log="/missing/dir/error.log"))
    commit_all(repo, "supervisord")
    log = tmp_path / "boot.log"
    log.write_text(realrun.run_gunicorn(repo / "apps/backend", ["config.wsgi:application", "--capture-output",
                                                                "--error-logfile", "/missing/dir/error.log"]).output)

    code, out, err = apply_json(log, repo)

    assert (code, out["status"]) == (0, "fixed"), err
    assert out["diff"].endswith("-    --error-logfile /missing/dir/error.log\n+    --error-logfile -\n autostart=true\n")
    assert [c["path"] for c in out["changes"]] == ["gunicorn.conf"]


SYSTEM_PYTHON = Path("/usr/bin/python3")


def _can_drop_privileges() -> bool:
    import subprocess

    if os.geteuid() != 0 or not shutil.which("setpriv") or not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    return probe.stdout.strip() == str(sys.version_info[:2])


@pytest.mark.skipif(not _can_drop_privileges(), reason="needs root, setpriv and a system Python of this version")
def test_an_unwritable_log_directory_under_capture_output_gives_permission_error_and_is_fixed(tmp_path):
    # The venv's interpreter lives under /root (0700): the deploy user runs the system Python of the same version
    # with the venv's packages, in a project kept where it can read it, and cannot write the root-owned log dir.
    top = Path(tempfile.mkdtemp(prefix="fixbot-deploy-user-"))
    try:
        top.chmod(0o755)
        logs = top / "logs"
        logs.mkdir(mode=0o755)
        home = top / "home"
        home.mkdir()
        os.chown(home, 65534, 65534)
        repo = _project(top, "gunicorn.conf.py capture_output", str(logs / "error.log"))
        for path in [repo, *repo.rglob("*")]:
            if ".git" not in path.parts:
                path.chmod(0o755 if path.is_dir() else 0o644)

        def boot(tree: Path) -> realrun.Run:
            backend = tree / "apps/backend"
            site = next(Path(realrun.VENV_BIN.parent / "lib").glob("python3*/site-packages"))
            port = realrun.free_port()
            command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(SYSTEM_PYTHON), "-m",
                       "gunicorn", "config.wsgi:application", "--workers", "1", "-b", f"127.0.0.1:{port}"]
            env = {"PYTHONPATH": f"{backend}:{site}", "HOME": str(home)}  # Gunicorn's control socket goes here
            return realrun._run_and_probe(command, backend, env, port=port, timeout=20, probe=realrun.HEALTH_PATH)

        run = boot(repo)
        assert not run.booted and f"PermissionError: [Errno 13] Permission denied: '{logs}/error.log'" in run.output, run.output
        log = tmp_path / "boot.log"
        log.write_text(run.output)

        code, out, err = apply_json(log, repo)

        assert (code, out["status"]) == (0, "fixed"), err
        review = clone(repo, top / "review", "--branch", out["branch"])
        for path in [review, *review.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        assert boot(review).status == 200
    finally:
        shutil.rmtree(top)


def test_a_config_file_not_in_the_repository_is_never_already_fixed(tmp_path):
    repo = _project(tmp_path, "-c deploy/web.conf", "/missing/dir/error.log")
    run = realrun.run_script(repo / "start.sh")
    assert not run.booted and "/missing/dir/error.log" in run.output, run.output
    log = tmp_path / "boot.log"
    log.write_text(run.output)
    (repo / "apps/backend/deploy/web.conf").unlink()  # kept outside the repository, as a deploy may
    commit_all(repo, "the config lives elsewhere")

    code, out, err = apply_json(log, repo)

    assert code == 2 and out["status"] == "refused" and "deploy/web.conf (named in start.sh)" in err, (out, err)
