"""logging-console booted for real on two corpus shapes: a console at ERROR beside a file handler at INFO (the fix must
not drop the INFO lines: a view's INFO message is read back from the server's stderr), and a derived module that
sets the filename of its base's handler (`fixbot apply` fixes the derived module, which then boots)."""

from __future__ import annotations

from tests.support import realrun
from tests.support.cli import apply_json
from tests.support.realrun import boot_backend
from tests.support.repos import commit_all, git_out as git

LEVELS = """\
LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {{
        "console": {{"class": "logging.StreamHandler", "level": "ERROR"}},
        "file": {{"class": "logging.FileHandler", "filename": {path!r}, "level": "INFO"}},
    }},
    "loggers": {{"api": {{"handlers": ["console", "file"], "level": "INFO", "propagate": False}}}},
}}
"""

def fails_then_apply(project: realrun.Project, tmp_path, handler: str = "file") -> dict:
    """Boot `project` (committed), see it fail on `handler`, run `fixbot apply` on its log, check out the fix branch."""
    commit_all(project.root)
    failed = realrun.run_gunicorn(project)
    assert not failed.booted and f"Unable to configure handler '{handler}'" in failed.output, failed.output
    log = tmp_path / "boot.log"
    log.write_text(failed.output)
    code, out, err = apply_json(log, project.root)
    assert code == 0 and out["status"] == "fixed", (err, out)
    git(project.root, "checkout", "-q", out["branch"])
    return out


LOGGING_VIEW = '''\
"""API views."""

import logging

from django.http import JsonResponse


def health(request):
    logging.getLogger("api").info("health checked by fixbot's test")
    return JsonResponse({"status": "healthy"})
'''


def test_an_info_message_logged_by_a_view_reaches_stderr_after_the_fix(tmp_path):
    project = realrun.make_django_project(
        tmp_path / "repo", logging_source=LEVELS.format(path=str(tmp_path / "no-such-dir" / "api.log")), settings_layout="single"
    )
    (project.backend / "api" / "views.py").write_text(LOGGING_VIEW)
    fails_then_apply(project, tmp_path)
    fixed = project.logging_file.read_text()
    assert '"handlers": ["file"]' in fixed and "FileHandler" not in fixed, fixed
    booted = boot_backend(project.root, project.settings_module)
    assert booted.status == 200, booted.output
    assert booted.output.count("health checked by fixbot's test") == 1, booted.output  # not dropped, not twice


DERIVED = 'LOGGING["handlers"]["file"]["filename"] = {path!r}  # noqa: F405\n'


def test_a_derived_module_setting_its_base_handlers_filename_is_fixed_by_apply_and_boots(tmp_path):
    good = tmp_path / "logs"
    good.mkdir()
    project = realrun.make_django_project(
        tmp_path / "repo",
        logging_source=realrun.file_logging(str(good / "app.log")),
        settings_layout="base",
        active="production",
        extra_settings=DERIVED.format(path=str(tmp_path / "no-such-dir" / "prod.log")),
    )
    out = fails_then_apply(project, tmp_path)
    changed = [c["path"] for c in out["changes"]]
    assert changed == ["apps/backend/config/settings/production.py"], out
    assert "filename" not in project.active_file.read_text()
    booted = boot_backend(project.root, project.settings_module)
    assert booted.status == 200, booted.output
