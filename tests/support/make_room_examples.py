"""Regenerate each room's example logs (fixbot/fixes/<kind>/examples/) from real runs of Django, Gunicorn, uvicorn and Celery.

Run from the repository root: `python -m tests.make_room_examples [room …]` (every room when none is named; the
runs are all made either way). Paths of the scratch directory are replaced by /srv/app so the examples do not
depend on where they were made.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.support import celeryrun, formatsrun, loggingrun, realrun
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
        for (room, name), text in logs.items():
            if rooms and room not in rooms:
                continue
            target = ROOMS / room / "examples" / f"{name}.log"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.replace(str(base), "/srv/app"))
            print(target.relative_to(ROOMS.parent.parent), len(text.splitlines()), "lines")


if __name__ == "__main__":
    main(sys.argv[1:])
