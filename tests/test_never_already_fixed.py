"""`fixbot apply` never says `already-fixed` while something the log points at might still hold the failing handler:
real failing runs, real repositories, exit 2 (or 1, for a failure that is no file) instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_apply import ROOT, apply_json, commit_all, fixbot

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
