"""`fixbot check` says what it did not judge: a summary line on stderr, `not_judged` in JSON, notifications in SARIF, and --strict."""

from __future__ import annotations

import json

import pytest

from tests.support.checkrun import report, repo, run
from tests.support.cli import fixbot

SETTINGS = ('LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", '
            '"filename": "/var/log/myapp/app.log"}}}\n')
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nENV DJANGO_SETTINGS_MODULE=app.settings\n"


@pytest.mark.parametrize("files, why", [
    pytest.param({"Dockerfile": DOCKERFILE.replace("python:3.12-slim", "acme/django-base:3")},
                 "unknown base image acme/django-base:3", id="a base image fixbot does not know"),
    pytest.param({"Procfile": "web: DJANGO_SETTINGS_MODULE=app.settings gunicorn app.wsgi\n"},
                 "no container or platform definition: no Dockerfile, and no deploy: in .fixbot.yml or --platform",
                 id="no container"),
    pytest.param({"Dockerfile": DOCKERFILE, "app/settings.py": SETTINGS.replace(
        '"/var/log/myapp/app.log"', 'BASE_DIR / "logs" / "a.log"')},
                 'a path that cannot be evaluated: BASE_DIR / "logs" / "a.log"', id="a path from __file__"),
])
def test_a_site_not_judged_is_said_with_its_reason(tmp_path, files, why):
    files = {"app/__init__.py": "", "app/settings.py": SETTINGS, **files}
    code, out = report(repo(tmp_path, files))
    assert (code, out["findings"]) == (0, [])
    assert out["not_judged"] == [{"path": "app/settings.py", "line": 1, "why": why}]
    assert out["summary"] == {"seen": 1, "judged": 0, "findings": 0}
    assert run(repo(tmp_path / "strict", files), "--strict").exit_code == 1


def test_the_summary_is_the_last_line_on_stderr_of_every_run(tmp_path):
    root = repo(tmp_path, {"Dockerfile": DOCKERFILE + 'CMD ["./start.sh"]\n', "app/__init__.py": "",
                           "app/settings.py": SETTINGS,
                           "start.sh": "#!/bin/sh\nexec gunicorn app.wsgi --error-logfile $LOGS/e.log\n"})
    done = fixbot("check", str(root))
    assert done.returncode == 1
    assert done.stdout.startswith("app/settings.py:1: log-dir-missing handler 'file' writes /var/log/myapp/app.log")
    assert done.stderr.splitlines()[-1] == (
        "fixbot check: 2 sites seen, 1 judged, 1 finding; 1 not judged: start.sh:2 "
        "(a path that cannot be evaluated: $LOGS/e.log)")
    clean = repo(tmp_path / "clean", {"Dockerfile": DOCKERFILE})
    done = fixbot("check", str(clean), "--strict")
    assert (done.returncode, done.stderr) == (0, "fixbot check: 0 sites seen, 0 judged, 0 findings\n")


def test_strict_fails_only_when_nothing_could_be_judged(tmp_path):
    files = {"Dockerfile": DOCKERFILE + 'CMD ["gunicorn", "--error-logfile", "/tmp/e.log", "app.wsgi"]\n',
             "start.sh": "exec gunicorn app.wsgi --error-logfile $LOGS/e.log\n"}
    code, out = report(repo(tmp_path, files), "--strict")  # one judged (and fine), one not
    assert (code, out["summary"]) == (0, {"seen": 1, "judged": 1, "findings": 0})
    files["Dockerfile"] = files["Dockerfile"].replace("/tmp/e.log", "$LOGS/e.log")
    code, out = report(repo(tmp_path / "none", files), "--strict")
    assert (code, out["summary"]["judged"], len(out["not_judged"])) == (1, 0, 1)


def test_sarif_carries_the_sites_not_judged_as_notifications(tmp_path):
    from sarif_pydantic import Sarif

    files = {"Dockerfile": DOCKERFILE.replace("python:3.12-slim", "acme/django-base:3"), "app/__init__.py": "",
             "app/settings.py": SETTINGS}
    result = run(repo(tmp_path, files), fmt="sarif")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    Sarif.model_validate(document)
    [invocation] = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "not judged: unknown base image acme/django-base:3"
    assert note["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "app/settings.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}
    assert document["runs"][0]["results"] == []


def test_a_test_or_docs_dockerfile_on_an_unknown_image_does_not_stop_the_judging(tmp_path):
    files = {"Dockerfile": DOCKERFILE, "docs/Dockerfile": "FROM squidfunk/mkdocs-material\n",
             "Dockerfile.test": "FROM acme/test-runner:1\n", "app/__init__.py": "", "app/settings.py": SETTINGS}
    code, out = report(repo(tmp_path, files))
    assert (code, out["not_judged"], [f["path"] for f in out["findings"]]) == (1, [], ["app/settings.py"])
