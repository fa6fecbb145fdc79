"""Secrets quoted from a log never come out of fixbot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixbot.redact import redact

SECRETS = {
    "github classic": "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "github app": "ghs_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    "github fine-grained": "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "aws key id": "AKIA" + "IOSFODNN7EXAMPLE",
    "db password": "s3cr3t-Pa55",
    "api token": "tok_9f8e7d6c5b4a",
    "bearer": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}


def leaking_log() -> str:
    s = SECRETS
    return "\n".join(
        [
            f"+ git clone https://x-access-token:{s['github app']}@github.com/acme/app.git",
            f"export GITHUB_TOKEN={s['github classic']}",
            f"DATABASE_URL=postgres://app:{s['db password']}@db:5432/app",
            f"aws_access_key_id = {s['aws key id']}",
            f"curl -H 'Authorization: Bearer {s['bearer']}' http://127.0.0.1/",
            f"settings: token={s['api token']} password=\"{s['db password']}\"",
            f"pushing with {s['github fine-grained']}",
            "Traceback (most recent call last):",
            '  File "/app/config/wsgi.py", line 16, in <module>',
            f"FileNotFoundError: [Errno 2] No such file or directory: '/app/logs/{s['github classic']}.log'",
            "",
            "The above exception was the direct cause of the following exception:",
            "",
            "Traceback (most recent call last):",
            '  File "/app/config/wsgi.py", line 16, in <module>',
            "ValueError: Unable to configure handler 'file'",
        ]
    )


@pytest.mark.parametrize("name", SECRETS)
def test_each_kind_of_secret_is_masked(name):
    assert SECRETS[name] not in redact(leaking_log())


def test_values_of_secret_environment_variables_are_masked_wherever_they_appear():
    env = {"MY_SERVICE_TOKEN": "plain-looking-value", "HOME": "/root"}
    assert redact("connecting with plain-looking-value to /root", env) == "connecting with *** to /root"


def test_ordinary_text_is_left_alone():
    line = "ValueError: Unable to configure handler 'file' at /app/apps/backend/logs/api.log (pid 42)"
    assert redact(line, {}) == line


def test_no_secret_reaches_diagnose_output(tmp_path):
    log = tmp_path / "leak.log"
    log.write_text(leaking_log())
    for fmt in ("text", "json", "github"):
        result = subprocess.run(
            [sys.executable, "-m", "fixbot.cli", "diagnose", str(log), "--format", fmt],
            capture_output=True, text=True, cwd=Path(__file__).parent.parent,
        )
        assert result.returncode == 0, result.stderr
        out = result.stdout + result.stderr
        assert "django-logging-handler" in out
        for secret in SECRETS.values():
            assert secret not in out, (fmt, secret)
    facts = json.loads(subprocess.run(
        [sys.executable, "-m", "fixbot.cli", "diagnose", str(log), "--format", "json"],
        capture_output=True, text=True, cwd=Path(__file__).parent.parent,
    ).stdout)["findings"][0]["facts"]
    assert facts["path"] == "/app/logs/***.log"
