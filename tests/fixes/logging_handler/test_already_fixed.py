"""`fixbot apply` never says `already-fixed` while something the log points at might still hold the failing handler:
real failing runs, real repositories, exit 2 (or 1, for a failure that is no file) instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixbot.fixes.logging_handler.locate import Ambiguous, locate
from tests.support.cli import apply_json, fixbot
from tests.support.repos import commit_all
from tests.support.repos import make_repo
from tests.support import ROOT

LOGS = ROOT / "tests" / "fixtures" / "logs"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    commit_all(root)
    return root


def run(repo: Path, *args: str, settings: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    result = subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0, result.stdout + result.stderr
    return result.stdout + result.stderr


MANAGE = """\
import os, sys
def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{module}")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
if __name__ == "__main__":
    main()
"""


# --- H2: a settings module whose LOGGING fixbot cannot read may be the one that ran -------------------------------


def test_a_settings_module_whose_logging_is_built_by_a_call_blocks_already_fixed(tmp_path):
    path = tmp_path / "no-such-dir" / "api.log"
    repo = write(tmp_path / "repo", {
        "manage.py": MANAGE.format(module="proj.settings.prod"),
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": 'SECRET_KEY = "x"\nLOGGING = {"version": 1, "handlers": {"console": '
                                 '{"class": "logging.StreamHandler"}}, "root": {"handlers": ["console"]}}\n',
        "proj/settings/logtools.py": 'def file_handlers(path):\n    return {"file": {"class": "logging.FileHandler", '
                                     '"filename": path}}\n',
        "proj/settings/prod.py": "from .base import *\nDEBUG = False\n",
        "proj/settings/staging.py": f"from .base import *\nfrom .logtools import file_handlers\n\n"
                                    f'LOGGING["handlers"].update(file_handlers("{path}"))\n'
                                    'LOGGING["root"]["handlers"].append("file")\n',
    })
    log = tmp_path / "boot.log"
    log.write_text(run(repo, "manage.py", "check", settings="proj.settings.staging"))
    assert "Unable to configure handler 'file'" in log.read_text()
    code, report, stderr = apply_json(log, repo, "--dry-run")
    assert (code, report["status"]) == (2, "refused"), report
    assert "proj.settings.staging (proj/settings/staging.py) cannot be read statically" in report["error"]
    assert "--settings" in report["error"]


# --- H3: the traceback's caller builds its config in a way fixbot cannot read ------------------------------------


def test_a_traceback_named_caller_that_cannot_be_read_blocks_already_fixed(tmp_path):
    repo = write(tmp_path / "repo", {
        "start.sh": "#!/bin/sh\nexec uvicorn app:app --log-config logging.yaml\n",
        "logging.yaml": "version: 1\nhandlers:\n  console:\n    class: logging.StreamHandler\n"
                        "root: {level: INFO, handlers: [console]}\n",
        "wsgi-json/serve.py": 'import logging.config, os\n\nLOG_DIR = "/srv/app/no-such-dir"\n'
                              'config = dict(version=1, handlers={"file": {"class": "logging.handlers.RotatingFileHandler",'
                              ' "filename": os.path.join(LOG_DIR, "app.log")}}, root={"handlers": ["file"]})\n'
                              "logging.config.dictConfig(config)\n",
    })
    code, report, _ = apply_json(LOGS / "wsgi-json-missing-dir.log", repo, "--dry-run")
    assert (code, report["status"]) == (2, "refused"), report
    assert report["error"].startswith("cannot tell whether the failure is gone: the traceback shows "
                                      "wsgi-json/serve.py calling logging.config")


# --- H4: the log names a config by an absolute path that only shares its file name with the repository's ---------


UVICORN_YAML = (LOGS / "uvicorn-yaml-missing-dir.log").read_text()
CONSOLE_YAML = "version: 1\nhandlers:\n  console:\n    class: logging.StreamHandler\nroot: {handlers: [console]}\n"
CONSOLE_FILE_YAML = CONSOLE_YAML.replace("  console:", "  file:").replace("[console]", "[file]")  # the console fix


def test_a_config_outside_the_repository_with_the_same_file_name_is_not_already_fixed(tmp_path):
    repo = write(tmp_path / "repo", {
        "start.sh": '#!/bin/sh\nexec uvicorn app.main:app --log-config "${LOG_CONFIG:-logging.yaml}"\n',
        "logging.yaml": "# local development only\n" + CONSOLE_YAML,
        "app/__init__.py": "", "app/main.py": "app = None\n",
    })
    log = tmp_path / "boot.log"  # `sh -x` prints the command it ran before uvicorn's own output
    log.write_text("+ exec uvicorn app.main:app --log-config /etc/orders/logging.yaml\n" + UVICORN_YAML)
    code, report, _ = apply_json(log, repo, "--dry-run")
    assert (code, report["status"]) == (2, "refused"), report
    assert ("the log's command line names /etc/orders/logging.yaml, which is no file of this repository "
            "(logging.yaml matches it by its file name only)") in report["error"]


def test_a_config_named_by_more_than_its_file_name_is_still_already_fixed(tmp_path):
    repo = write(tmp_path / "repo", {"orders/logging.yaml": CONSOLE_FILE_YAML, "app/__init__.py": ""})
    log = tmp_path / "boot.log"
    log.write_text("+ exec uvicorn app.main:app --log-config /etc/orders/logging.yaml\n" + UVICORN_YAML)
    code, report, _ = apply_json(log, repo, "--dry-run")
    assert (code, report["status"]) == (0, "already-fixed"), report


CONSOLE_FACTS = {"program": "uvicorn", "handler": "file", "path": "/srv/app/no-such-dir/access.log",
                 "config": "/srv/a/logging.yaml"}


@pytest.mark.parametrize("frames", [[], ["/srv/b/app/main.py:3"]], ids=["no-frame", "deployed-elsewhere"])
def test_an_absolute_config_matching_by_file_name_only_is_not_the_one_the_log_names(tmp_path, frames):
    view = make_repo(tmp_path, {"logging.yaml": CONSOLE_FILE_YAML, "app/main.py": "app = None\n"})
    with pytest.raises(Ambiguous, match=r"names /srv/a/logging.yaml, which is no file of this repository \(logging.yaml "
                                         r"matches it by its file name only\)"):
        locate(view, CONSOLE_FACTS, frames)


def test_an_absolute_config_where_the_traceback_shows_the_repository_deployed_is_the_one_the_log_names(tmp_path):
    view = make_repo(tmp_path, {"logging.yaml": CONSOLE_FILE_YAML, "app/main.py": "app = None\n"})
    found = locate(view, CONSOLE_FACTS, ["/srv/a/app/main.py:3"])
    assert found.file == "logging.yaml" and not found.still_failing and "command line names it" in found.why


# --- H5: Django with LOGGING_CONFIG = None configures logging from a YAML file itself -----------------------------


def test_django_with_logging_config_none_fixes_the_yaml_its_settings_load(tmp_path):
    path = tmp_path / "no-such-dir" / "api.log"
    repo = write(tmp_path / "repo", {
        "manage.py": MANAGE.format(module="proj.settings"),
        "proj/__init__.py": "",
        "proj/settings.py": 'import logging.config\nfrom pathlib import Path\n\nimport yaml\n\n'
                            'BASE_DIR = Path(__file__).resolve().parent.parent\nSECRET_KEY = "x"\nLOGGING_CONFIG = None\n'
                            'LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}, '
                            '"root": {"handlers": ["console"]}}\n\n'
                            'with open(BASE_DIR / "logging.yaml") as f:\n    logging.config.dictConfig(yaml.safe_load(f))\n',
        "logging.yaml": f"version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: {path}\n"
                        "root: {handlers: [file], level: INFO}\n",
    })
    log = tmp_path / "boot.log"
    log.write_text(run(repo, "manage.py", "check"))
    code, report, _ = apply_json(log, repo, "--dry-run")
    assert (code, report["status"]) == (0, "fixed"), report
    assert [c["path"] for c in report["changes"]] == ["logging.yaml"]


# --- H6: a handler on a unix socket that is missing: the cause names no path, so no file fix -----------------------


def test_a_handler_whose_socket_is_missing_is_a_near_miss_not_already_fixed(tmp_path):
    # Python 3.11's own SysLogHandler swallows a missing socket at start; a handler of the project connecting to one
    # raises what the reviewer's log shows: FileNotFoundError with no path, then "Unable to configure handler".
    repo = write(tmp_path / "repo", {
        "proj/__init__.py": "",
        "proj/logsock.py": "import logging, socket\n\nclass UnixSocketHandler(logging.Handler):\n"
                           "    def __init__(self, address):\n        super().__init__()\n"
                           "        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
                           "        self.sock.connect(address)\n",
        "serve.py": "import logging.config\n\nlogging.config.dictConfig({'version': 1, 'handlers': {'syslog': "
                    "{'class': 'proj.logsock.UnixSocketHandler', 'address': '/no-such-dir/log'}}, "
                    "'root': {'handlers': ['syslog']}})\n",
    })
    log = tmp_path / "boot.log"
    log.write_text(run(repo, "serve.py"))
    assert "FileNotFoundError: [Errno 2] No such file or directory\n" in log.read_text()
    diagnosed = fixbot("diagnose", str(log))
    assert diagnosed.returncode == 1 and "(no fix)" in diagnosed.stdout, diagnosed.stdout
    code, report, _ = apply_json(log, repo, "--dry-run")
    assert (code, report["status"]) == (1, "no-fix"), report


# --- the room's safety net: a config chosen only by tie-breakers must still name the handler ----------------------


def test_a_deploy_named_config_that_never_names_the_handler_is_not_already_fixed(tmp_path):
    repo = write(tmp_path / "repo", {"start.sh": "#!/bin/sh\nexec uvicorn app:app --log-config logging.yaml\n",
                                     "logging.yaml": CONSOLE_YAML})
    code, report, _ = apply_json(LOGS / "uvicorn-yaml-missing-dir.log", repo, "--dry-run")
    assert (code, report["status"]) == (2, "refused"), report
    assert "and logging.yaml, chosen only because start.sh names it (--log-config logging.yaml)" in report["error"]
    assert report["error"].endswith("never names it: it may not be the configuration that failed; run `fixbot codemod "
                                    "logging-console FILE` on the one that failed")


def test_a_deploy_named_config_holding_the_handler_on_the_console_is_already_fixed(tmp_path):
    repo = write(tmp_path / "repo", {"start.sh": "#!/bin/sh\nexec uvicorn app:app --log-config logging.yaml\n",
                                     "logging.yaml": CONSOLE_FILE_YAML})
    code, report, _ = apply_json(LOGS / "uvicorn-yaml-missing-dir.log", repo, "--dry-run")
    assert (code, report["status"]) == (0, "already-fixed"), report
