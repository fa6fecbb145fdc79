"""Regenerate each room's example logs (fixbot/fixes/<kind>/examples/) from real runs of Django, Gunicorn, uvicorn and Celery.

Run from the repository root: `python -m tests.make_room_examples [room …]` (every room when none is named; the
runs are all made either way). Paths of the scratch directory are replaced by /srv/app so the examples do not
depend on where they were made.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from tests.support import celeryrun, confined, formatsrun, loggingrun, realrun
from tests.support import ROOT

ROOMS = ROOT / "fixbot" / "fixes"


def main(rooms: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="rooms-") as scratch:
        base = Path(scratch)
        logs: dict[tuple[str, str], str] = {}
        missing = realrun.make_django_project(
            base / "missing", logging_source=realrun.file_logging("/srv/app/no-such-dir/api.log")
        )
        logs["logging_handler", "manage-check-missing-dir"] = realrun.run_manage_check(missing).output
        (base / "plain").mkdir()
        logs["logging_handler", "fileconfig-missing-dir"] = loggingrun.file_config(
            loggingrun.FILE_HANDLER_INI.format(path=f"{base}/gone/app.log"), base / "plain")
        (base / "code").mkdir()
        logs["logging_handler", "code-handler-missing-dir"] = loggingrun.code_handler(f"{base}/gone", base / "code")
        for name, (make, run) in formatsrun.RUNS.items():  # uvicorn YAML, Gunicorn INI and JSON, a dictConfig script
            directory = base / name.rsplit("-missing", 1)[0]
            make(directory, f"{base}/no-such-dir")
            logs["logging_handler", name.removesuffix(".log")] = formatsrun.neutral(run(directory).output, str(base))
        bad_formatter = realrun.make_django_project(
            base / "formatter", logging_source=realrun.CONSOLE_LOGGING.replace("'style': '{',", "'()': 'no_such_module.Formatter',")
        )
        logs["django_logging_config", "manage-check-missing-formatter"] = realrun.run_manage_check(bad_formatter).output
        healthy = realrun.make_django_project(base / "healthy", logging_source=realrun.CONSOLE_LOGGING)
        logs["gunicorn_logfile", "error-logfile-not-writable"] = realrun.run_gunicorn(
            healthy, [*realrun.DEFAULT_GUNICORN_ARGS, "--error-logfile", "/srv/app/gone/error.log"]).output
        logs["gunicorn_logfile", "capture-output-traceback"] = realrun.run_gunicorn(
            healthy, [*realrun.DEFAULT_GUNICORN_ARGS, "--capture-output", "--error-logfile", "/srv/app/gone/error.log"]
        ).output
        broken_app = realrun.make_django_project(
            base / "broken-app", logging_source=realrun.CONSOLE_LOGGING, extra_settings="INSTALLED_APPS += ['no_such_app']"
        )
        logs["python_exception", "gunicorn-unknown-app"] = realrun.run_gunicorn(broken_app).output
        exits = realrun.make_django_project(
            base / "exits", logging_source=realrun.CONSOLE_LOGGING, extra_settings="import os; os._exit(3)"
        )
        logs["gunicorn_worker_boot", "worker-exits-silently"] = realrun.run_gunicorn(exits).output
        tasks = celeryrun.make_app(base / "celery")
        logs["celery_logfile", "worker-logfile-missing-dir"] = celeryrun.run_celery(
            tasks, f"celery -A tasks worker --pool solo -l info --logfile {base}/gone/celery.log").output
        logs["celery_logfile", "worker-logfile-is-a-directory"] = celeryrun.run_celery(
            tasks, f"celery -A tasks worker --pool solo -l info --logfile {tasks}").output
        world = confined.world_dir("rooms-") if confined.available() else None
        try:
            if world is not None:
                logs.update({key: text.replace(str(world), str(base)) for key, text in supervisord_logs(world).items()})
                logs.update({key: text.replace(str(world), str(base)) for key, text in gunicorn_logs(world).items()})
                logs.update({key: text.replace(str(world), str(base)) for key, text in cache_logs(world).items()})
                logs.update({key: text.replace(str(world), str(base)) for key, text in beat_logs(world).items()})
                logs.update({key: text.replace(str(world), str(base)) for key, text in socket_logs(world).items()})
        finally:
            if world is not None:
                shutil.rmtree(world)
        for (room, name), text in logs.items():
            if rooms and room not in rooms:
                continue
            target = ROOMS / room / "examples" / f"{name}.log"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.replace(str(base), "/srv/app"))
            print(target.relative_to(ROOMS.parent.parent), len(text.splitlines()), "lines")


def supervisord_conf(port: int, logfile: str, pidfile: str, out: str) -> str:
    """A supervisord config for a container: in the foreground, one program answering HTTP on `port`."""
    return (f"[supervisord]\nnodaemon=true\nlogfile={logfile}\npidfile={pidfile}\n\n[program:web]\n"
            f"command=python3 -m http.server {port} --bind 127.0.0.1\nstdout_logfile={out}\nredirect_stderr=true\n"
            + ("stdout_logfile_maxbytes=0\n" if out == "/dev/stdout" else ""))  # a pipe cannot be rotated


def supervisord_logs(base: Path) -> dict[tuple[str, str], str]:
    """supervisord failing on its own files and its program's, as user 65534 and on a read-only directory."""
    logs_dir, conf, port = base / "logs", base / "supervisord.conf", realrun.free_port()
    logs_dir.mkdir(mode=0o755)
    start = "exec supervisord -c supervisord.conf"
    out: dict[tuple[str, str], str] = {}
    for name, settings, how in [
        ("logfile-permission-denied", (logs_dir / "supervisord.log", "/tmp/sd.pid", "/dev/stdout"), {"user": confined.NOBODY}),
        ("logfile-read-only", (logs_dir / "supervisord.log", "/tmp/sd.pid", "/dev/stdout"), {"read_only": [logs_dir]}),
        ("logfile-missing-dir", (base / "gone" / "supervisord.log", "/tmp/sd.pid", "/dev/stdout"), {}),
        ("program-log-missing-dir", ("/dev/null", "/tmp/sd.pid", base / "gone" / "web.log"), {}),
        ("pidfile-permission-denied", ("/dev/null", logs_dir / "supervisord.pid", "/dev/stdout"), {"user": confined.NOBODY}),
        ("program-log-permission-denied", ("/dev/null", "/tmp/sd.pid", logs_dir / "web.log"), {"user": confined.NOBODY}),
    ]:
        conf.write_text(supervisord_conf(port, *map(str, settings)))
        conf.chmod(0o644)
        text = confined.run(start, base, port=port, timeout=8, **how).output
        out["supervisord_logfile", name] = re.sub(r"/tmp/confined-\w+/bin/", "/usr/local/bin/", text)
    return out


def gunicorn_logs(base: Path) -> dict[tuple[str, str], str]:
    """Gunicorn failing on its pid file and on its workers' heartbeat file: read-only, another user's, missing."""
    app = base / "gunicorn-app"
    (app / "run").mkdir(parents=True, mode=0o755)
    app.chmod(0o755)
    (app / "app.py").write_text(confined.WSGI_APP)
    (app / "app.py").chmod(0o644)
    port = realrun.free_port()
    start = f"exec gunicorn app:app --bind 127.0.0.1:{port} --workers 1"
    out: dict[tuple[str, str], str] = {}
    for room, name, flags, how in [
        ("gunicorn_pidfile", "pid-read-only", f"--pid {app}/run/gunicorn.pid", {"read_only": [app / "run"]}),
        ("gunicorn_pidfile", "pid-permission-denied", f"--pid {app}/run/gunicorn.pid", {"user": confined.NOBODY}),
        ("gunicorn_pidfile", "pid-missing-dir", f"--pid {base}/gone/gunicorn.pid", {}),
        ("gunicorn_worker_tmp", "no-usable-temporary-directory", "", {"read_only": [Path("/tmp"), Path("/var/tmp")]}),
        ("gunicorn_worker_tmp", "worker-tmp-dir-read-only", f"--worker-tmp-dir {app}/run", {"read_only": [app / "run"]}),
    ]:
        text = confined.run(f"{start} {flags}", app, port=port, timeout=8, **how).output
        out[room, name] = re.sub(r"/tmp/confined-\w+/bin/", "/usr/local/bin/", text)
    return out


# A WSGI app that makes its cache where platformdirs says (XDG_CACHE_HOME, else ~/.cache), at import.
CACHE_APP = ("from pathlib import Path\n\nimport platformdirs\n\nCACHE = Path(platformdirs.user_cache_dir(\"orders\"))\n"
             "CACHE.mkdir(parents=True, exist_ok=True)\n\n\n" + confined.WSGI_APP)


def cache_logs(base: Path) -> dict[tuple[str, str], str]:
    """Gunicorn serving an app whose cache goes under HOME: HOME=/ as user 65534, and a read-only /root."""
    app = base / "cache-app"
    app.mkdir(mode=0o755)
    (app / "app.py").write_text(CACHE_APP)
    (app / "app.py").chmod(0o644)
    port = realrun.free_port()
    start = f"exec gunicorn app:app --bind 127.0.0.1:{port} --workers 1"
    out = {}
    for name, how in [("home-is-root-permission-denied", {"user": confined.NOBODY, "env": {"HOME": "/"}}),
                      ("home-read-only", {"read_only": [Path("/root")], "env": {"HOME": "/root"}})]:
        text = confined.run(start, app, port=port, timeout=8, **how).output
        out["home_cache", name] = re.sub(r"/tmp/confined-\w+/bin/", "/usr/local/bin/", text)
    return out


# A Celery app on the in-memory broker whose beat sends one task a second: a beat that ticks says so in its log.
BEAT_APP = (celeryrun.APP + 'app.conf.beat_schedule = {"tick": {"task": "tasks.tick", "schedule": 1.0}}\n\n\n'
            "@app.task\ndef tick():\n    return 1\n")


def beat_logs(base: Path) -> dict[tuple[str, str], str]:
    """`celery -A tasks beat` failing on its schedule file: as user 65534, and on a read-only working directory."""
    app = base / "beat-app"
    app.mkdir(mode=0o755)
    (app / "tasks.py").write_text(BEAT_APP)
    (app / "tasks.py").chmod(0o644)
    out = {}
    for name, how in [("beat-permission-denied", {"user": confined.NOBODY}), ("beat-read-only", {"read_only": [app]})]:
        text = confined.run("exec celery -A tasks beat -l info", app, timeout=8, env={"PYTHONPATH": str(app)}, **how).output
        out["celery_beat_schedule", name] = re.sub(r"/tmp/confined-\w+/bin/", "/usr/local/bin/", text)
    pid_app = base / "pid-app"
    (pid_app / "run").mkdir(parents=True, mode=0o755)
    pid_app.chmod(0o755)
    (pid_app / "tasks.py").write_text(BEAT_APP)
    (pid_app / "tasks.py").chmod(0o644)
    for name, command, how in [
        ("beat-pidfile-read-only", f"beat -s /tmp/fixbot-examples-schedule --pidfile {pid_app}/run/beat.pid",
         {"read_only": [pid_app / "run"]}),
        ("worker-pidfile-missing-dir", f"worker --pool solo --pidfile {base}/gone/worker.pid", {}),
    ]:
        text = confined.run(f"exec celery -A tasks {command} -l info", pid_app, timeout=8,
                            env={"PYTHONPATH": str(pid_app)}, **how).output
        out["celery_pidfile", name] = re.sub(r"/tmp/confined-\w+/bin/", "/usr/local/bin/", text)
    for leftover in Path("/tmp").glob("fixbot-examples-schedule*"):
        leftover.unlink()
    return out


def socket_logs(base: Path) -> dict[tuple[str, str], str]:
    """Gunicorn 27 with no writable place for its control socket: HOME=/ as user 65534, a read-only /root."""
    app = base / "socket-app"
    app.mkdir(mode=0o755)
    (app / "app.py").write_text(confined.WSGI_APP)
    (app / "app.py").chmod(0o644)
    port = realrun.free_port()
    out = {}
    # (A read-only HOME prints `Control server error: [Errno 30] Read-only file system` with no path: not read.)
    for name, how in [("home-is-root", {"user": confined.NOBODY, "env": {"HOME": "/"}})]:
        # Not probed: the socket's error comes a moment after the workers boot, so the run lasts its timeout.
        text = confined.run(f"exec gunicorn app:app --bind 127.0.0.1:{port} --workers 1", app, timeout=4, **how).output
        out["gunicorn_control_socket", name] = re.sub(r"/tmp/confined-\w+/bin/", "/usr/local/bin/", text)
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
