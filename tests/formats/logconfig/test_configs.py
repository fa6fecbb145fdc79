"""The one reader of "what logging config does this file hold": a module `fixbot codemod` rewrites is the one `apply` plans on and `check` judges."""

from __future__ import annotations

import json
import subprocess
import sys

from fixbot import codemods
from fixbot.files import unified_diff
from fixbot.formats.logconfig.configs import handlers_of
from tests.support.cli import apply_json, fixbot
from tests.support.repos import commit_all

SETTINGS = '''\
DEBUG = False
LOGGING_CONFIG = None  # the app configures logging itself, from LOG_CONFIG
LOG_CONFIG = {
    "version": 1,
    "handlers": {
        "file": {"class": "logging.FileHandler", "filename": "/var/log/myapp/app.log"},
    },
    "root": {"handlers": ["file"], "level": "INFO"},
}
'''
RUN = '''\
import importlib
import logging.config
import os

settings = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
logging.config.dictConfig(settings.LOG_CONFIG)
logging.getLogger("app").info("started")
'''
DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nENV DJANGO_SETTINGS_MODULE=config.settings\nCMD ["python", "run.py"]\n'


def test_a_config_named_log_config_is_found_by_apply_and_check_as_the_codemod_rewrites_it(tmp_path):
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    (repo / "config" / "__init__.py").write_text("")
    (repo / "config" / "settings.py").write_text(SETTINGS)
    (repo / "run.py").write_text(RUN)
    (repo / "Dockerfile").write_text(DOCKERFILE)
    commit_all(repo)
    # The real failure: the app's own dictConfig call, its directory missing.
    boot = subprocess.run([sys.executable, "run.py"], cwd=repo, capture_output=True, text=True, timeout=60,
                          env={"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"})
    assert boot.returncode == 1 and "Unable to configure handler 'file'" in boot.stderr, boot.stderr
    log = tmp_path / "boot.log"
    log.write_text(boot.stderr)

    assert set(handlers_of(SETTINGS, "config/settings.py")) == {"file"}
    rewritten = codemods.get("logging-console").rewrite(SETTINGS, "config/settings.py")
    assert "FileHandler" not in rewritten

    code, result, stderr = apply_json(log, repo, "--dry-run")
    assert code == 0, stderr
    assert [c["path"] for c in result["changes"]] == ["config/settings.py"]
    assert result["diff"] == unified_diff("config/settings.py", SETTINGS, rewritten)

    checked = fixbot("check", str(repo), "--format", "json")
    assert checked.returncode == 1, checked.stderr
    (finding,) = json.loads(checked.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["log_path"]) == ("config/settings.py", 6, "/var/log/myapp/app.log")
