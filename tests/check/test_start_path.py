"""One deploy, one fix (issue 19, shape 1): what else on the failing start path `fixbot apply` changes, what it names as
remaining, and when it may say already-fixed. Every log is a real run of our own project (Gunicorn, or
`manage.py check`); the fixes are dry runs, read as the JSON, text and PR body a user gets."""

from __future__ import annotations

import json

from fixbot import apply, report
from tests.support import boots
from tests.support.cli import fixbot
from tests.support.repos import commit_all

LOGGING = """\
LOGGING = {{
    "version": 1,
    "handlers": {{"file": {{"class": "logging.FileHandler", "filename": "{logs}/django.log"}}}},
    "root": {{"handlers": ["file"], "level": "INFO"}},
}}
"""
CONSOLE = 'LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["console"]}}\n'
ENTRY = "#!/bin/bash\ncd \"$(dirname \"$0\")\"\n{line}\n"


def _project(tmp_path, logging_source: str, *lines: str):
    logs = tmp_path / "var" / "log" / "myapp"
    entry = ENTRY.format(line="\n".join(lines).format(logs=logs))
    root = boots.django_project(tmp_path / "repo", logging_source.format(logs=logs), entry, ("",))
    commit_all(root)
    return root, logs


def _manage_check_log(root, tmp_path):
    """The real log of `manage.py check` on the project: Django's LOGGING failing on its file handler."""
    return boots.manage_check_log(root, tmp_path / "check.log", "Unable to configure handler 'file'")


GUNICORN = "exec gunicorn config.wsgi:application --bind 127.0.0.1:$PORT --access-logfile {logs}/access.log"


def test_the_gunicorn_flags_in_the_same_missing_directory_are_changed_with_the_settings(tmp_path):
    root, _ = _project(tmp_path, LOGGING, GUNICORN)
    result = apply.run(str(_manage_check_log(root, tmp_path)), root, dry_run=True)
    assert result.status == "fixed"
    assert [(c.path, c.codemod) for c in result.changes] == [("config/settings.py", "logging-console"),
                                                            ("entrypoint.sh", "gunicorn-stdout")]
    assert "in " in result.changes[1].why and "which the same deploy lacks" in result.changes[1].why
    assert result.subject.endswith(", and gunicorn-stdout in entrypoint.sh")
    assert "--access-logfile -" in result.diff and not result.remaining


def test_another_programs_log_in_that_directory_is_another_process_and_left_alone(tmp_path):
    root, _ = _project(tmp_path, LOGGING, "celery -A config worker --logfile={logs}/celery.log &", GUNICORN)
    result = apply.run(str(_manage_check_log(root, tmp_path)), root, dry_run=True)
    assert "celery-stderr" not in {c.codemod for c in result.changes}
    assert "--logfile=" in (root / "entrypoint.sh").read_text()


def test_what_no_codemod_can_change_is_remaining_in_the_json_the_text_and_the_pr_body(tmp_path):
    # A daemonised Gunicorn: pointing its logs at '-' would lose them, so gunicorn-stdout refuses it.
    root, _ = _project(tmp_path, LOGGING, GUNICORN + " --daemon")
    log = _manage_check_log(root, tmp_path)
    done = fixbot("apply", "--log", str(log), "--repo", str(root), "--dry-run", "--format", "json")
    out = json.loads(done.stdout)
    assert done.returncode == 0 and out["status"] == "fixed", done.stderr
    [left] = out["remaining"]
    assert left["path"] == "entrypoint.sh" and left["line"] == 3 and "daemon" in left["why"]
    text = fixbot("apply", "--log", str(log), "--repo", str(root), "--dry-run").stdout
    [line] = [t for t in text.splitlines() if t.startswith("remaining: ")]
    assert "this fix alone will not make the deploy boot: entrypoint.sh:3:" in line
    body = report.pr_body(apply.run(str(log), root, dry_run=True))
    assert "**This pull request alone will not make the deploy boot:**" in body and "entrypoint.sh:3" in body


def test_a_fixed_logging_config_with_gunicorn_still_writing_there_is_not_already_fixed(tmp_path):
    root, _ = _project(tmp_path, LOGGING, GUNICORN)
    log = _manage_check_log(root, tmp_path)
    (root / "config" / "settings.py").write_text((root / "config" / "settings.py").read_text().split("LOGGING")[0] + CONSOLE)
    commit_all(root, "logging to the console")
    result = apply.run(str(log), root, dry_run=True)
    assert result.status == "fixed" and [c.path for c in result.changes] == ["entrypoint.sh"]


def test_nothing_left_to_change_but_a_remaining_site_is_a_refusal_not_already_fixed(tmp_path):
    root, _ = _project(tmp_path, LOGGING, GUNICORN + " --daemon")
    log = _manage_check_log(root, tmp_path)
    (root / "config" / "settings.py").write_text((root / "config" / "settings.py").read_text().split("LOGGING")[0] + CONSOLE)
    commit_all(root, "logging to the console")
    done = fixbot("apply", "--log", str(log), "--repo", str(root), "--dry-run")
    assert done.returncode == 2 and "the deploy still cannot start: entrypoint.sh:3:" in done.stderr, done.stderr


def test_everything_in_the_directory_already_on_the_console_is_already_fixed(tmp_path):
    root, _ = _project(tmp_path, LOGGING, "exec gunicorn config.wsgi:application --bind 127.0.0.1:$PORT --access-logfile -")
    log = _manage_check_log(root, tmp_path)
    (root / "config" / "settings.py").write_text((root / "config" / "settings.py").read_text().split("LOGGING")[0] + CONSOLE)
    commit_all(root, "logging to the console")
    assert apply.run(str(log), root, dry_run=True).status == "already-fixed"


# Issue 23's rooms on the same path: the real logs their rooms keep (Gunicorn's and Celery's own runs, in /srv/app/gone).
EXAMPLES = {"gunicorn-pidfile": "gunicorn_pidfile/examples/pid-missing-dir.log",
            "gunicorn-logfile": "gunicorn_logfile/examples/error-logfile-not-writable.log",
            "celery-logfile": "celery_logfile/examples/worker-logfile-missing-dir.log"}
PROCFILE = ("web: gunicorn app:app --pid /srv/app/gone/g.pid --error-logfile /srv/app/gone/error.log\n"
            "worker: celery -A app worker --pidfile=/srv/app/gone/worker.pid --logfile=/srv/app/gone/celery.log\n")


def _changes(tmp_path, kind: str) -> list[tuple[str, str]]:
    from fixbot import fixes

    root = tmp_path / "repo"
    root.mkdir(parents=True)
    (root / "Procfile").write_text(PROCFILE)
    (root / "app.py").write_text("def app(environ, start_response):\n    return []\n")
    commit_all(root)
    result = apply.run(str(fixes.HERE / EXAMPLES[kind]), root, dry_run=True)
    assert result.status == "fixed", result
    return [(c.codemod, c.path) for c in result.changes]


def test_a_pid_file_and_a_log_in_the_same_missing_directory_are_one_fix_of_that_process_only(tmp_path):
    for kind in ("gunicorn-pidfile", "gunicorn-logfile"):
        assert sorted(_changes(tmp_path / kind, kind)) == [("gunicorn-no-pidfile", "Procfile"),
                                                           ("gunicorn-stdout", "Procfile")], kind
    # Celery's worker is a process of its own: its log fails, its pid file in the same directory goes with it
    assert sorted(_changes(tmp_path / "celery", "celery-logfile")) == [("celery-no-pidfile", "Procfile"),
                                                                       ("celery-stderr", "Procfile")]
