"""tests/support/realrun.py really produces the failures fixbot diagnoses, and the example's kept logs are still true."""

from __future__ import annotations

import json
import os
import re
import sysconfig
import socket
from pathlib import Path

import pytest

from tests.support import realrun
from tests.support.realrun import (
    CONSOLE_LOGGING,
    DEFAULT_GUNICORN_ARGS,
    file_logging,
    make_django_project,
    run_gunicorn,
    run_manage_check,
    run_script,
)
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "ledgersg"
EXAMPLE_BACKEND = EXAMPLE / "apps" / "backend"
INCIDENT_LOG_DIR = Path("/app/apps/backend/logs")

CHAINED = "The above exception was the direct cause of the following exception:"
HANDLER_FAILED = "ValueError: Unable to configure handler 'file'"
BOOT_FAILED = "Reason: Worker failed to boot."


def missing_file_error(path: Path) -> str:
    return f"FileNotFoundError: [Errno 2] No such file or directory: '{path}'"


def not_writable(path: Path) -> str:
    return f"Error: Error: '{path}' isn't writable [FileNotFoundError(2, 'No such file or directory')]"


def lines(text: str) -> list[str]:
    return text.splitlines()


# --- Django's logging failures --------------------------------------------------------------------------------


def test_filehandler_to_missing_dir_fails_manage_check(tmp_path):
    log = tmp_path / "missing" / "api.log"
    project = make_django_project(tmp_path / "repo", logging_source=file_logging(str(log)))

    run = run_manage_check(project)

    assert run.returncode == 1
    assert missing_file_error(log) in lines(run.output)
    assert CHAINED in lines(run.output)
    assert lines(run.output)[-1] == HANDLER_FAILED
    # One traceback, and nothing from Gunicorn.
    assert run.output.count(HANDLER_FAILED) == 1
    assert "Worker" not in run.output
    assert not log.parent.exists()


@pytest.mark.parametrize("layout", ["active", "base", "single"])
def test_filehandler_to_missing_dir_fails_gunicorn_worker(tmp_path, layout):
    log = tmp_path / "missing" / "api.log"
    project = make_django_project(tmp_path / "repo", logging_source=file_logging(str(log)), settings_layout=layout)

    run = run_gunicorn(project)

    assert run.returncode == 3  # Gunicorn's WORKER_BOOT_ERROR
    assert not run.booted and not run.timed_out
    out = lines(run.output)
    assert any(line.endswith("[ERROR] Exception in worker process") for line in out)
    assert missing_file_error(log) in out
    assert CHAINED in out
    assert f'  File "{project.wsgi_file}", line 16, in <module>' in out
    assert HANDLER_FAILED in out
    assert "Unable to configure handler 'file'" in out  # Gunicorn prints the message again on its own
    assert any("[INFO] Worker exiting (pid: " in line for line in out)
    assert any(line.endswith("[ERROR] Shutting down: Master") for line in out)
    assert out[-1].endswith(f"[ERROR] {BOOT_FAILED}")
    assert run.duration < 10


def test_layouts_put_logging_where_they_say(tmp_path):
    base = make_django_project(tmp_path / "b", logging_source=CONSOLE_LOGGING, settings_layout="base")
    assert base.logging_file.name == "base.py" and "LOGGING = {" in base.logging_file.read_text()
    assert "from .base import *" in base.active_file.read_text()
    assert "LOGGING" not in base.active_file.read_text()
    assert "'DJANGO_SETTINGS_MODULE', 'config.settings.service'" in base.wsgi_file.read_text()

    active = make_django_project(
        tmp_path / "a", logging_source=CONSOLE_LOGGING, star_import="absolute", active="production"
    )
    assert active.logging_file == active.active_file
    assert active.settings_module == "config.settings.production"
    assert "from config.settings.base import *" in active.active_file.read_text()
    assert "LOGGING" not in (active.active_file.parent / "base.py").read_text()

    single = make_django_project(tmp_path / "s", logging_source=None, settings_layout="single", backend_dir=".")
    assert single.settings_module == "config.settings" and single.backend == single.root
    assert "LOGGING" not in single.active_file.read_text()


def test_rotating_handler_under_a_regular_file_is_not_a_directory(tmp_path):
    parent = tmp_path / "hostname"
    parent.write_text("not a directory\n")
    log = parent / "errors.log"
    source = file_logging(
        str(log), handler_class="logging.handlers.RotatingFileHandler", extra="'maxBytes': 1048576, 'backupCount': 3,"
    )
    project = make_django_project(tmp_path / "repo", logging_source=source, settings_layout="base")

    run = run_gunicorn(project)

    assert run.returncode == 3
    assert f"NotADirectoryError: [Errno 20] Not a directory: '{log}'" in lines(run.output)
    assert HANDLER_FAILED in lines(run.output)
    assert BOOT_FAILED in run.output


# --- Gunicorn's own log files ---------------------------------------------------------------------------------


@pytest.fixture
def healthy(tmp_path):
    return make_django_project(tmp_path / "repo", logging_source=CONSOLE_LOGGING)


@pytest.mark.parametrize("flag", ["--error-logfile", "--access-logfile"])
def test_gunicorn_logfile_in_missing_dir_is_not_writable(tmp_path, healthy, flag):
    target = tmp_path / "backend_logs" / "gunicorn.log"

    run = run_gunicorn(healthy, [*DEFAULT_GUNICORN_ARGS, flag, str(target)])

    assert run.returncode == 1
    # It fails before binding or loading the app: one line, which Gunicorn prints between blank lines.
    assert run.output == f"\n{not_writable(target)}\n\n"
    assert not run.booted and not run.timed_out


def test_gunicorn_checks_the_error_log_before_the_access_log(tmp_path, healthy):
    error_log, access_log = tmp_path / "e" / "error.log", tmp_path / "a" / "access.log"

    run = run_gunicorn(
        healthy, [*DEFAULT_GUNICORN_ARGS, "--access-logfile", str(access_log), "--error-logfile", str(error_log)]
    )

    assert run.output.strip() == not_writable(error_log)


# --- Booting for real ----------------------------------------------------------------------------------------


def test_healthy_project_boots_and_answers(healthy):
    run = run_gunicorn(healthy)

    assert run.status == 200, run.output
    assert json.loads(run.body) == {"status": "healthy"}
    assert "Booting worker with pid" in run.output
    assert_port_closed(run.port)


def test_start_script_that_backgrounds_gunicorn_is_probed_and_stopped(tmp_path, healthy):
    backend_log = tmp_path / "backend.log"
    script = write_start_script(tmp_path, healthy.backend, backend_log, flags="--access-logfile - --error-logfile -")

    run = run_script(script, collect=[backend_log])

    assert run.status == 200, run.output + run.files.get(str(backend_log), "")
    assert "Backend PID:" in run.output
    assert "Booting worker with pid" in run.files[str(backend_log)]
    assert_port_closed(run.port)


def test_start_script_whose_gunicorn_dies_ends_without_waiting_for_the_timeout(tmp_path, healthy):
    backend_log = tmp_path / "backend.log"
    error_log = tmp_path / "backend_logs" / "error.log"
    script = write_start_script(tmp_path, healthy.backend, backend_log, flags=f"--error-logfile {error_log}")

    run = run_script(script, collect=[backend_log], timeout=15)

    assert not run.booted and not run.timed_out
    assert run.duration < 10
    assert not_writable(error_log) in lines(run.files[str(backend_log)])


def test_runs_get_a_clean_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REALRUN_LEAK", "from-the-test-process")
    monkeypatch.setenv("http_proxy", "http://192.0.2.1:9")
    script = tmp_path / "env.sh"
    script.write_text('echo "leak=${REALRUN_LEAK:-} proxy=${http_proxy:-} given=${GIVEN:-} port=${BACKEND_PORT}"\n')

    run = run_script(script, {"GIVEN": "yes"})

    assert lines(run.output) == [f"leak= proxy= given=yes port={run.port}"]
    assert run.returncode == 0 and not run.booted


def test_gunicorn_bind_is_not_negotiable(healthy):
    with pytest.raises(ValueError):
        run_gunicorn(healthy, ["config.wsgi:application", "-b", "0.0.0.0:8000"])


# --- The example and its kept logs ----------------------------------------------------------------------------

needs_no_app_logs = pytest.mark.skipif(
    INCIDENT_LOG_DIR.exists(), reason=f"{INCIDENT_LOG_DIR} exists on this machine, so the example boots"
)

EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Warning): .*$")
PROJECT_FRAME = re.compile(r'^  File "(?:.*/)?(?:apps/backend/)(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.+)$')
HALT = "gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>"


def signature(log: str) -> dict[str, object]:
    """What must not drift between a kept log and a run now: the exceptions, the app's frames, the ending."""
    out = lines(log)
    return {
        "exceptions": sorted({line for line in out if EXCEPTION_LINE.match(line) and line != HALT}),
        "chained": CHAINED in out,
        "frames": sorted({m.group("file", "line", "func") for m in map(PROJECT_FRAME.match, out) if m}),
        "bare message": "Unable to configure handler 'file'" in out,
        # Gunicorn ends a boot failure in one of two ways (see make-failure-log.sh); both say the same thing.
        "worker failed to boot": any(line.endswith(BOOT_FAILED) for line in out) or HALT in out,
        "worker tracebacks": sum(line.endswith("[ERROR] Exception in worker process") for line in out) > 0,
    }


@needs_no_app_logs
def test_example_boot_failure_logs_are_what_a_boot_prints_now():
    # The same command as make-failure-log.sh, bar the port.
    run = run_gunicorn(
        EXAMPLE_BACKEND,
        ["config.wsgi:application", "--workers", "2", "--threads", "2", "--worker-class", "gthread", "--timeout", "60"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings.service"},
    )

    now = signature(run.output)
    assert now["exceptions"] == [missing_file_error(INCIDENT_LOG_DIR / "api.log"), HANDLER_FAILED]
    assert ("config/wsgi.py", "16", "<module>") in now["frames"]
    assert now["worker failed to boot"]
    halted = HALT in run.output
    assert run.returncode == (1 if halted else 3)
    for name in ("boot-failure.log", "boot-failure-halt.log"):
        kept = (EXAMPLE / "logs" / name).read_text()
        assert signature(kept) == now, f"examples/ledgersg/logs/{name} is stale: run make-failure-log.sh"
        assert kept.count("Exception in worker process") == 2  # both workers, as a real 2-worker deploy shows
    assert BOOT_FAILED in (EXAMPLE / "logs" / "boot-failure.log").read_text()
    assert HALT in (EXAMPLE / "logs" / "boot-failure-halt.log").read_text()


@needs_no_app_logs
def test_example_manage_check_log_is_what_check_prints_now():
    kept = (EXAMPLE / "logs" / "manage-check.log").read_text()

    run = run_manage_check(EXAMPLE_BACKEND, env={"DJANGO_SETTINGS_MODULE": "config.settings.service"})

    assert run.returncode == 1
    assert HANDLER_FAILED in lines(run.output)
    assert signature(kept) == signature(run.output), "examples/ledgersg/logs/manage-check.log is stale"


def test_example_boots_without_its_logging(tmp_path):
    # Only LOGGING is broken: the same app under its base settings answers the health view.
    run = run_gunicorn(EXAMPLE_BACKEND, env={"DJANGO_SETTINGS_MODULE": "config.settings.base"})

    assert run.status == 200, run.output
    assert json.loads(run.body) == {"status": "healthy"}


# --- helpers ---------------------------------------------------------------------------------------------------


def write_start_script(directory: Path, backend: Path, backend_log: Path, *, flags: str) -> Path:
    """A start script in the incident's shape: Gunicorn backgrounded inside sudo + nohup, output to a file."""
    script = directory / "start.sh"
    script.write_text(
        "#!/usr/bin/env bash\n"
        "set -e\n"
        f'sudo -u user nohup bash -c "\n'
        f"cd {backend} &&\n"
        "gunicorn config.wsgi:application \\\n"
        "-b 127.0.0.1:${BACKEND_PORT} \\\n"
        "--workers 1 \\\n"
        "--timeout 10 \\\n"
        f"{flags}\n"
        f'" > {backend_log} 2>&1 &\n'
        'echo "Backend PID: $!"\n'
    )
    return script


def assert_port_closed(port: int | None) -> None:
    assert port is not None
    with socket.socket() as s:
        s.settimeout(1)
        assert s.connect_ex((realrun.LOOPBACK, port)) != 0, f"something still listens on {port}"


def test_helpers_know_what_they_are_testing():
    # Guards the guards: the tests above rely on these spellings matching the real output.
    assert EXCEPTION_LINE.match(HANDLER_FAILED)
    assert PROJECT_FRAME.match('  File "/x/apps/backend/config/wsgi.py", line 16, in <module>')
    assert os.path.basename(realrun.GUNICORN) == "gunicorn" and realrun.GUNICORN.exists()


def test_example_logs_show_the_containers_paths_not_this_machines():
    # The app and its venv ran from /app (make-failure-log.sh); only the interpreter's own library keeps its prefix.
    stdlib = sysconfig.get_paths()["stdlib"]
    for name in ("boot-failure.log", "boot-failure-halt.log", "manage-check.log"):
        files = re.findall(r'^  File "([^"]+)"', (EXAMPLE / "logs" / name).read_text(), re.M)
        assert any(f.startswith("/app/apps/backend/") for f in files), name
        assert [f for f in files if not f.startswith(("/app/", "<frozen", stdlib + "/"))] == [], name
