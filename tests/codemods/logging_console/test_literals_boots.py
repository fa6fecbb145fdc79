"""logging-console on dictConfig literals outside Django, booted for real (issue 13): Gunicorn whose gunicorn.conf.py
holds a logconfig_dict with a file handler, and a plain WSGI module that calls dictConfig on a literal. Each really
fails on its missing directory, `fixbot codemod logging-console FILE` fixes it, and it boots, answers and logs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support import realrun
from tests.support import ROOT


APP = '''\
import logging


def application(environ, start_response):
    logging.getLogger("shop").info("served by the test app")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''

GUNICORN_CONF = '''\
# Gunicorn reads this with -c; logconfig_dict replaces its logging setup.
workers = 1
logconfig_dict = {{
    "root": {{"level": "INFO", "handlers": ["app_file"]}},
    "loggers": {{
        "gunicorn.error": {{"level": "INFO", "handlers": ["error_file"], "propagate": False, "qualname": "gunicorn.error"}},
    }},
    "handlers": {{
        "error_file": {{"class": "logging.FileHandler", "filename": "{missing}/error.log", "formatter": "generic"}},
        "app_file": {{"class": "logging.handlers.RotatingFileHandler", "filename": "{missing}/app.log", "maxBytes": 1048576}},
    }},
}}
'''

WSGI_DICTCONFIG = '''\
"""A WSGI app that configures its own logging."""
import logging
import logging.config

logging.config.dictConfig({{
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {{
        "file": {{"class": "logging.FileHandler", "filename": "{missing}/app.log", "level": "INFO"}},  # the app's log
    }},
    "root": {{"handlers": ["file"], "level": "INFO"}},
}})


def application(environ, start_response):
    logging.getLogger("shop").info("served by the test app")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''


def codemod(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fixbot.cli", "codemod", "logging-console", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )


def fails_fixed_boots(tmp_path: Path, path: Path, args: list[str], error: str) -> str:
    """Gunicorn really fails with `error`, the codemod rewrites `path`, Gunicorn boots, answers and logs the
    app's INFO line; the rewritten text."""
    failed = realrun.run_gunicorn(tmp_path, args)
    assert not failed.booted and error in failed.output, failed.output
    result = codemod(path)
    assert result.returncode == 0, result.stderr
    fixed = path.read_text()
    assert "FileHandler" not in fixed, fixed
    booted = realrun.run_gunicorn(tmp_path, args)
    assert booted.status == 200, booted.output
    assert "served by the test app" in booted.output, booted.output
    return fixed


def test_gunicorn_logconfig_dict_with_a_file_handler_fails_then_boots_after_the_codemod(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(GUNICORN_CONF.format(missing=tmp_path / "no-such-dir"))
    args = ["app:application", "-c", "gunicorn.conf.py", "--timeout", "10"]
    # Gunicorn prints the dictConfig failure as one line, with no path: "Error: Unable to configure handler 'app_file'"
    fixed = fails_fixed_boots(tmp_path, conf, args, "Error: Unable to configure handler")
    assert "maxBytes" not in fixed and fixed.startswith("# Gunicorn reads this"), fixed
    assert codemod(conf).returncode == 0 and conf.read_text() == fixed  # a second run changes nothing


def test_a_wsgi_module_calling_dictconfig_on_a_literal_fails_then_boots_after_the_codemod(tmp_path):
    module = tmp_path / "site_app.py"
    module.write_text(WSGI_DICTCONFIG.format(missing=tmp_path / "no-such-dir"))
    args = ["site_app:application", "--workers", "1", "--timeout", "10"]
    fixed = fails_fixed_boots(tmp_path, module, args, "Unable to configure handler 'file'")
    assert "# the app's log" in fixed
