"""logging-console's in-place rewrite, booted for real (issue 11, shapes 3 and 4): a Django project that dies under
Gunicorn on its file handler, fixed by `fixbot apply` (handler lists computed at run time) and by `fixbot codemod` on
the derived module that adds the handler, then booted again until the health view answers 200."""

from __future__ import annotations

import subprocess
import sys

from tests.support import realrun
from tests.support.cli import apply_json
from tests.support.realrun import boot_backend
from tests.support.repos import commit_all, git_out as git
from tests.support import ROOT


COMPUTED = """\
LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {{
        "console": {{"class": "logging.StreamHandler", "level": "INFO"}},
        "file": {{
            "class": "logging.handlers.RotatingFileHandler",
            "filename": {path!r},
            "maxBytes": 1048576,
            "backupCount": 3,
            "level": "INFO",
        }},
    }},
    "root": {{"handlers": ["console", "file"] if not DEBUG else ["console"], "level": "INFO"}},
    "loggers": {{
        name: {{"handlers": [h for h in ("console", "file") if h], "level": "INFO", "propagate": False}}
        for name in ("django", "api")
    }},
}}
"""

DERIVED = """\
LOGGING["handlers"]["app_file"] = {{
    "class": "logging.FileHandler",
    "filename": {path!r},
    "level": "INFO",
    "formatter": "verbose",
}}
LOGGING.setdefault("loggers", {{}})["api"] = {{"handlers": ["app_file", "console"], "level": "INFO", "propagate": False}}
"""


def test_computed_handler_lists_fixed_by_apply_boot(tmp_path):
    project = realrun.make_django_project(
        tmp_path / "repo", logging_source=COMPUTED.format(path=str(tmp_path / "no-such-dir" / "app.log")), settings_layout="single"
    )
    commit_all(project.root)
    failed = realrun.run_gunicorn(project)
    assert not failed.booted and "Unable to configure handler 'file'" in failed.output, failed.output
    log = tmp_path / "boot.log"
    log.write_text(failed.output)
    checkout = project.logging_file.read_text()

    code, out, err = apply_json(log, project.root)
    assert code == 0 and out["status"] == "fixed", (err, out)
    assert project.logging_file.read_text() == checkout  # the user's checkout is as it was
    git(project.root, "checkout", "-q", out["branch"])
    fixed = project.logging_file.read_text()
    assert "FileHandler" not in fixed and "maxBytes" not in fixed and '["console", "file"] if not DEBUG' not in fixed
    booted = boot_backend(project.root, project.settings_module)
    assert booted.status == 200, booted.output


def test_derived_module_adding_a_file_handler_fixed_by_codemod_boots(tmp_path):
    project = realrun.make_django_project(
        tmp_path / "repo",
        logging_source=realrun.CONSOLE_LOGGING,
        settings_layout="base",
        active="production",
        extra_settings=DERIVED.format(path=str(tmp_path / "no-such-dir" / "app.log")),
    )
    failed = realrun.run_gunicorn(project)
    assert not failed.booted and "Unable to configure handler 'app_file'" in failed.output, failed.output
    base = (project.backend / "config/settings/base.py").read_text()

    result = subprocess.run(
        [sys.executable, "-m", "fixbot.cli", "codemod", "logging-console", str(project.active_file)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "logging.StreamHandler" in project.active_file.read_text()
    assert (project.backend / "config/settings/base.py").read_text() == base
    booted = realrun.run_gunicorn(project)
    assert booted.status == 200, booted.output
