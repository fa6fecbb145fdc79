"""Every command fixbot prints for a person to run is one command with the path one argument, however the file is named (issue 20)."""

from __future__ import annotations

import json
import os
import re
import subprocess

from fixbot import apply, report
from tests.support import bounded, hostile

HOSTILE = "a;touch${IFS}PWNED;logging.yaml"
SCRIPT = "x;touch${IFS}PWNED;start.sh"
YAML = "version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: /var/log/app/app.log\n" \
       "root:\n  handlers: [file]\n"
GUNICORN = "gunicorn app:app --error-logfile /var/log/gunicorn/error.log\n"


def run_as_pasted(command: str, tmp_path) -> list[str]:
    """What a person's shell runs when `command` is pasted: a stub `fixbot` records its arguments."""
    bin_dir, cwd = tmp_path / "bin", tmp_path / "cwd"
    bin_dir.mkdir(exist_ok=True)
    cwd.mkdir(exist_ok=True)
    (bin_dir / "fixbot").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS"\n')
    (bin_dir / "fixbot").chmod(0o755)
    args = tmp_path / "args"
    subprocess.run(["bash", "-c", command], cwd=cwd, check=True, timeout=10,
                   env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "ARGS": str(args)})
    assert not (cwd / "PWNED").exists(), f"{command!r} ran a second command"
    return args.read_text().splitlines()


def test_check_text_and_sarif_suggest_one_command(tmp_path):
    repo = hostile.ledgersg_with(tmp_path / "repo", {HOSTILE: YAML}, f"uvicorn worker:app --log-config '/app/{HOSTILE}'")
    text = bounded.assert_bounded(bounded.fixbot("check", str(repo)))
    [command] = [line.split("fix: ", 1)[1] for line in text.stdout.splitlines() if "PWNED" in line and "fix: " in line]
    assert run_as_pasted(command, tmp_path) == ["codemod", "logging-console", HOSTILE]
    sarif = json.loads(bounded.assert_bounded(bounded.fixbot("check", str(repo), "--format", "sarif")).stdout)
    [message] = [r["message"]["text"] for r in sarif["runs"][0]["results"] if "PWNED" in r["message"]["text"]]
    assert run_as_pasted(message.split("Fix: ", 1)[1], tmp_path) == ["codemod", "logging-console", HOSTILE]


def test_apply_notes_and_the_pr_body_suggest_one_command(tmp_path):
    repo = hostile.ledgersg_with(tmp_path / "repo", {SCRIPT: "#!/bin/sh\n" + GUNICORN})
    result = apply.run(str(hostile.BOOT_LOG), str(repo), dry_run=True)
    texts = {"apply text": report.apply_text(result, str(hostile.BOOT_LOG)),
             "apply json": "\n".join(json.loads(report.apply_json(result))["notes"]),
             "pr body": report.pr_body(result).replace("\\", "")}  # Markdown's escapes, as it renders
    for where, text in texts.items():
        [command] = re.findall(r"(fixbot codemod gunicorn-stdout \S*PWNED\S*)", text) or [None]
        assert command, (where, text)
        assert run_as_pasted(command, tmp_path) == ["codemod", "gunicorn-stdout", SCRIPT], where
