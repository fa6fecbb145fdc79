"""The GitHub Action: audited by zizmor, and run for real by act against the GitHub emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_zizmor_finds_nothing_in_the_action_and_the_example_workflow():
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "action.yml", "examples/workflows/fixbot.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_would_catch_an_input_spliced_into_a_script(tmp_path):
    # The audit above can fail: the same action with one input spliced into run: is flagged.
    action = (ROOT / "action.yml").read_text()
    bad = action.replace('"$RUNNER_TEMP/fixbot-venv/bin/fixbot" github-action', 'echo "${{ inputs.log-file }}"')
    assert bad != action
    (tmp_path / "action.yml").write_text(bad)
    result = subprocess.run([str(BIN / "zizmor"), "--offline", str(tmp_path / "action.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "template-injection" in result.stdout + result.stderr


def test_every_input_reaches_the_scripts_through_env_only():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert all("${{" not in step.get("run", "") for step in steps)
    passed = " ".join(str(v) for step in steps for v in (step.get("env") or {}).values())
    for name in action["inputs"]:
        assert f"inputs.{name}" in passed, name
    assert set(action["outputs"]) == {"pr-url", "status", "finding"}
