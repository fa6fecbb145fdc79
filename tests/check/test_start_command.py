"""The reviewer's checklist is this repository's (issue 19, shape 4): the start command as the deploy file spells it,
the settings module it runs, and a health URL only where the repository declares one. Each log is a real
`manage.py check` of our own Django project; the fixes are dry runs of apply, which computes the checklist."""

from __future__ import annotations

from fixbot import apply
from tests.support import boots
from tests.support.repos import commit_all

LOGGING = """\
LOGGING = {{
    "version": 1,
    "handlers": {{"file": {{"class": "logging.FileHandler", "filename": "{logs}/django.log"}}}},
    "root": {{"handlers": ["file"], "level": "INFO"}},
}}
"""
ENTRY = '#!/bin/bash\ncd "$(dirname "$0")"\nexec gunicorn mysite.wsgi:application --bind 0.0.0.0:8000 --workers 3\n'
PROBES = {
    "Dockerfile": ("FROM python:3.12-slim\nCOPY . /app\nHEALTHCHECK --interval=30s \\\n  CMD curl -f http://localhost:8000/healthz/ || exit 1\n"
                   'CMD ["bash", "entrypoint.sh"]\n', "`curl -fsS http://localhost:8000/healthz/` (Dockerfile:3)"),
    "docker-compose.yml": ("services:\n  web:\n    build: .\n    command: bash entrypoint.sh\n    healthcheck:\n      test:\n"
                           "        - CMD\n        - curl\n        - -f\n        - http://localhost:8000/ping\n",
                           "`curl -fsS http://localhost:8000/ping` (docker-compose.yml:10)"),
    "k8s/deployment.yaml": ("spec:\n  containers:\n    - name: web\n      args: [bash, entrypoint.sh]\n      ports:\n"
                            "        - name: http\n          containerPort: 8000\n      readinessProbe:\n        httpGet:\n"
                            "          path: /ready\n          port: http\n",
                            "`curl -fsS http://127.0.0.1:8000/ready` (k8s/deployment.yaml:9)"),
}


def _checklist(tmp_path, extra: dict) -> str:
    logs = tmp_path / "var" / "log" / "myapp"
    root = boots.django_project(tmp_path / "repo", LOGGING.format(logs=logs), ENTRY, ("",), files=extra)
    commit_all(root)
    log = boots.manage_check_log(root, tmp_path / "check.log", "Unable to configure handler 'file'")
    result = apply.run(str(log), root, dry_run=True)
    assert result.status == "fixed", result
    return "\n".join(result.checklist)


def test_the_checklist_runs_the_start_command_as_the_entrypoint_spells_it_and_names_no_health_url_it_has_not(tmp_path):
    checklist = _checklist(tmp_path, {})
    assert "`gunicorn mysite.wsgi:application --bind 0.0.0.0:8000 --workers 3` (entrypoint.sh:3)" in checklist
    assert "`DJANGO_SETTINGS_MODULE=config.settings python manage.py check` passes" in checklist
    assert "<" not in checklist and "health" not in checklist.lower() and "api/v1" not in checklist


def test_the_checklist_asks_the_health_check_the_repository_declares(tmp_path):
    for i, (name, (text, shown)) in enumerate(PROBES.items()):
        checklist = _checklist(tmp_path / str(i), {name: text})
        assert f"Its health check answers: {shown}" in checklist, (name, checklist)
        assert "`gunicorn mysite.wsgi:application" in checklist
