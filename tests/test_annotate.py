"""GitHub annotations: on the file and line the fix changes, escaped and redacted like the rest of the command."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fixbot import action, annotate, apply
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "ledgersg"
SETTINGS = "apps/backend/config/settings/service.py"


def _repo(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "deployed"]):
        subprocess.run(["git", *args], cwd=app, check=True, capture_output=True)
    return app


def test_the_annotation_is_on_the_first_line_the_fix_changes(tmp_path):
    app = _repo(tmp_path)
    result = apply.run(str(EXAMPLE / "logs" / "boot-failure.log"), app, dry_run=True)
    places = annotate.annotation_places(result)
    assert len(places) == len(result.findings) and places[0] is not None
    path, line = places[0]
    assert path == SETTINGS
    assert (app / SETTINGS).read_text().splitlines()[line - 1].strip() == "'file': {", "the removed handler's line"
    out = annotate.diagnosis_annotations(list(result.findings), places)
    assert out.startswith(f"::error file={SETTINGS},line={line},title=fixbot%3A logging-handler::")


def test_a_place_is_escaped_and_redacted():
    token = "ghp_" + "k7Qz" * 9
    command = annotate.workflow_command("error", "m", "t", (f"a,b:c/{token}/x.py", 3))
    assert command == "::error file=a%2Cb%3Ac/***/x.py,line=3,title=t::m"
    assert annotate.workflow_command("warning", "m", "t", ("x.py", None)) == "::warning file=x.py,title=t::m"


def test_the_first_changed_line_counts_context_and_a_new_file():
    diff = "--- a/x\n+++ b/x\n@@ -10,4 +10,3 @@\n a\n b\n-c\n d\n"
    assert annotate._first_changed_line(diff) == 12
    assert annotate._first_changed_line("--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n") == 1
    assert annotate._first_changed_line("") is None


def test_the_actions_annotation_carries_the_place(tmp_path, capsys):
    app = _repo(tmp_path)
    env = {"GITHUB_WORKSPACE": str(app), "INPUT_LOG_FILE": str(EXAMPLE / "logs" / "boot-failure.log"),
           "INPUT_DRY_RUN": "true"}
    assert action.main(env) == 0
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert errors and errors[0].startswith(f"::error file={SETTINGS},line="), errors
