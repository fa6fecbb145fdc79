"""The shapes that made `fixbot check` cry wolf on working public repositories (issue 22), each built here: silent
where the deploy works, and still a finding once the thing that makes it work is taken away."""

from __future__ import annotations

import pytest

from tests.support.checkrun import found, repo

SLIM = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"

START = "#!/bin/sh\nset -e\nmkdir -p ./log/\n\nexec gunicorn app:app --access-logfile ./log/gunicorn-access.log\n"


@pytest.mark.parametrize("mkdir, silent", [
    pytest.param("mkdir -p ./log/", True, id="./log/"),
    pytest.param("mkdir -p log", True, id="log"),
    pytest.param("mkdir -p /app/log", True, id="absolute"),
    pytest.param("mkdir -p ./other/", False, id="another directory"),
    pytest.param("true", False, id="no mkdir"),
])
def test_a_start_scripts_relative_mkdir_makes_the_directory(tmp_path, mkdir, silent):
    files = {"Dockerfile": SLIM + 'CMD ["./start.sh"]\n', "start.sh": START.replace("mkdir -p ./log/", mkdir)}
    expected = [] if silent else [("start.sh", 5, "/app/log/gunicorn-access.log")]
    assert found(repo(tmp_path, files)) == expected


def test_a_relative_mkdir_after_a_cd_is_any_directory_of_that_name(tmp_path):
    """After `cd`, `mkdir -p log` is not /app/log; fixbot does not follow the cd, so any .../log counts."""
    script = "#!/bin/sh\ncd /srv\nmkdir -p log\ncd /app\nexec gunicorn app:app --error-logfile /srv/log/e.log\n"
    files = {"Dockerfile": SLIM + 'CMD ["./start.sh"]\n', "start.sh": script}
    assert found(repo(tmp_path, files)) == []
    files["start.sh"] = script.replace("mkdir -p log", "mkdir -p logs")
    assert found(repo(tmp_path / "other", files)) == [("start.sh", 5, "/srv/log/e.log")]


COMPOSE = 'services:\n  web:\n    build: .\n    volumes: [".:/code"]\n'
COPIES_REQUIREMENTS = ("FROM python:3.12-slim\nWORKDIR /code\nCOPY requirements.txt .\n"
                       'CMD ["gunicorn", "app:app", "--error-logfile", "/code/app/logviewer/error.log"]\n')


@pytest.mark.parametrize("compose", [
    pytest.param(COMPOSE, id="flow list"),
    pytest.param("services:\n  web:\n    build: .\n    volumes:\n      - .:/code\n", id="block list"),
    pytest.param("services:\n  web:\n    build: .\n    volumes:\n      - type: bind\n        source: .\n"
                 "        target: /code\n", id="long syntax"),
    pytest.param("services:\n  web:\n    build: .\n    volumes:\n      - ./app:/code/app\n", id="a subdirectory"),
])
def test_a_tracked_directory_a_compose_bind_mount_brings(tmp_path, compose):
    files = {"Dockerfile": COPIES_REQUIREMENTS, "docker-compose.yml": compose, "requirements.txt": "",
             "app/logviewer/__init__.py": ""}
    assert found(repo(tmp_path, files)) == []
    del files["app/logviewer/__init__.py"]
    files["app/__init__.py"] = ""
    assert found(repo(tmp_path / "untracked", files)) == [("Dockerfile", 4, "/code/app/logviewer/error.log")]


def test_a_config_named_only_on_a_commented_out_line_is_not_the_deploys(tmp_path):
    compose = ("services:\n  web:\n    build: .\n    # command: gunicorn -c gunicorn_config.py app:app\n"
               "    command: gunicorn app:app  # not gunicorn_config.py any more\n")
    files = {"Dockerfile": SLIM + 'CMD ["gunicorn", "app:app"]\n', "docker-compose.yml": compose,
             "gunicorn_config.py": 'errorlog = "/var/log/web/error.log"\n'}
    assert found(repo(tmp_path, files)) == []
    files["docker-compose.yml"] = compose.replace("# command: gunicorn -c", "command: gunicorn -c", 1).replace(
        "    command: gunicorn app:app  # not gunicorn_config.py any more\n", "")
    assert found(repo(tmp_path / "named", files)) == [("gunicorn_config.py", 1, "/var/log/web/error.log")]


SETTINGS = ('LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", '
            '"filename": "/var/log/proj/app.log"}}}\n')
DJANGO = {"Dockerfile": SLIM + 'CMD ["gunicorn", "project.wsgi"]\n', "project/__init__.py": "",
          "project/settings/__init__.py": "", "project/settings/prod.py": "LOGGING = {}\n",
          "project/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.prod")\n'}


@pytest.mark.parametrize("module, named_in", [
    pytest.param("test", ("docker-compose.test.yml", "services:\n  web:\n    build: .\n    environment:\n"
                          "      DJANGO_SETTINGS_MODULE: project.settings.{module}\n"), id="settings.test in a test compose"),
    pytest.param("test", ("docker-compose.yml", "services:\n  web:\n    build: .\n    environment:\n"
                          "      DJANGO_SETTINGS_MODULE: project.settings.{module}\n"), id="settings.test in compose"),
    pytest.param("settings_test", ("Procfile", "release: DJANGO_SETTINGS_MODULE=project.settings.{module} "
                                   "python manage.py check\n"), id="settings_test"),
    pytest.param("ci", (".github/workflows/ci.yml", "jobs:\n  test:\n    services:\n      db: {{image: postgres}}\n"
                        "    env:\n      DJANGO_SETTINGS_MODULE: project.settings.{module}\n"), id="named in a workflow"),
])
def test_a_test_only_settings_module_is_never_the_deployed_one(tmp_path, module, named_in):
    name, text = named_in
    files = {**DJANGO, f"project/settings/{module}.py": SETTINGS, name: text.format(module=module)}
    assert found(repo(tmp_path, files)) == []
    files["project/settings/prod.py"] = SETTINGS  # the deployed module itself still counts
    assert found(repo(tmp_path / "prod", files)) == [("project/settings/prod.py", 1, "/var/log/proj/app.log")]


def test_a_module_only_a_test_runner_names_is_not_judged_where_the_platform_chooses(tmp_path):
    """On a platform every settings module is judged, but not one that only pytest.ini or tox.ini points at."""
    files = {"Procfile": "web: gunicorn project.wsgi\n", "project/__init__.py": "",
             "project/settings/__init__.py": "", "project/settings/ci.py": SETTINGS,
             "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = project.settings.ci\n"}
    assert found(repo(tmp_path, files), "--platform", "heroku") == []
    files["project/settings/live.py"] = SETTINGS
    assert found(repo(tmp_path / "live", files), "--platform", "heroku") == [
        ("project/settings/live.py", 1, "/var/log/proj/app.log")]
