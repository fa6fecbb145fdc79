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


# --- what each pattern must catch, and what it must leave alone -------------------------------------------

MASKED = [
    # (text, the secret that must be gone)
    ("SECRET_KEY=django-insecure-4f8a9b", "django-insecure-4f8a9b"),
    ("export DJANGO_SECRET_KEY=django-insecure-4f8a9b", "django-insecure-4f8a9b"),
    ("DJANGO_SECRET_KEY: 'django insecure 4f8a9b'", "django insecure 4f8a9b"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "wJalrXUtnFEMI/K7MDENG"),
    ('db.password="correct horse battery"', "correct horse battery"),
    ('{"password": "correct horse battery", "user": "app"}', "correct horse battery"),
    ("{'secret': 'x y z words', 'debug': True}", "x y z words"),
    ('api_key = "has \\"quotes\\" and spaces"', 'has \\"quotes\\" and spaces'),
    ('password="cut off at the end of the line', "cut off at the end of the line"),
    ("postgres://u:p/ss@h/db", "p/ss"),
    ("postgres://u:p@ss@h/db", "p@ss"),
    ("redis://:p@ss/w0rd@cache:6379/0", "p@ss/w0rd"),
    ("'https://bob:hunter2pass@h/x.log'", "hunter2pass"),
]


@pytest.mark.parametrize("text, secret", MASKED, ids=[t for t, _ in MASKED])
def test_secret_is_masked(text, secret):
    out = redact(text, {})
    assert secret not in out, out
    assert "***" in out


@pytest.mark.parametrize("text, expected", [
    ("postgres://u:p@ss@h/db", "postgres://u:***@h/db"),
    ("postgres://u:p/ss@h:5432/db?sslmode=require", "postgres://u:***@h:5432/db?sslmode=require"),
    ('{"password": "a b c", "user": "app"}', '{"password": ***, "user": "app"}'),
])
def test_the_mask_stops_where_the_secret_ends(text, expected):
    assert redact(text, {}) == expected


UNTOUCHED = [
    "ValueError: Unable to configure handler 'file'",
    "django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.",
    "Listening at: http://127.0.0.1:8000 (11300)",
    "GET http://127.0.0.1:8000/api/v1/health/@me 200",
    "curl -fsS http://127.0.0.1:8000/api/v1/health/",
    "mailto user@example.com at https://example.com/users/@octocat",
    "Django could not configure logging",
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_text_is_not_masked(text):
    assert redact(text, {}) == text


@pytest.mark.parametrize("name", [
    "GITHUB_TOKEN", "X_AUTH_TOKEN", "SESSION_SECRET", "DJANGO_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD",
    "PGPASSWD", "STRIPE_API_KEY", "SENDGRID_APIKEY", "SSH_PRIVATE_KEY", "GOOGLE_CREDENTIALS", "ACCESS_KEY",
    "client_secret", "DB_PASS", "MYSQL_PWD", "PASS_PHRASE",
])
def test_values_of_secret_env_names_are_masked(name):
    assert redact("value: s3cr3t-value-1 used", {name: "s3cr3t-value-1"}) == "value: *** used"


@pytest.mark.parametrize("name, value", [
    ("GIT_AUTHOR_NAME", "Django"),
    ("GIT_AUTHOR_EMAIL", "django@example.com"),
    ("GIT_COMMITTER_NAME", "Django"),
    ("XAUTHORITY", "/root/.Xauthority"),
    ("AUTHOR", "Django"),
    ("OAUTHLIB_INSECURE_TRANSPORT", "Django"),
    ("POSTGRES_PASSWORD_FILE", "/run/secrets/db"),
    ("SECRETS_DIR", "/run/secrets"),
    ("PWD", "/srv/app/src"),  # the shell's working directory: every traceback path would lose its head
    ("OLDPWD", "/srv/app/src"),
])
def test_values_of_ordinary_env_names_are_not_masked(name, value):
    text = ("Django could not configure logging from /root/.Xauthority or /run/secrets/db (django@example.com)"
            ' File "/srv/app/src/config/wsgi.py", line 16')
    assert redact(text, {name: value}) == text


def test_a_module_named_for_secrets_is_no_key():
    line = 'File "/app/config/secrets.py", line 3, in <module> (secrets.py:3: tokens.py:9)'
    assert redact(line, {}) == line
