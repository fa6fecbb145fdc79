"""A declared environment (.fixbot.yml `deploy:`, `fixbot check --platform`): judged with the facts that hold there."""

from __future__ import annotations

import pytest

from tests.support.checkrun import found, report, repo
from tests.support.cli import fixbot

START = "#!/bin/sh\nexec uvicorn app:app --log-config logging.yaml\n"
YAML = ("version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n    filename: {path}\n"
        "root:\n  handlers: [file]\n")


def native(path: str, **more: str) -> dict[str, str]:
    return {"start.sh": START, "logging.yaml": YAML.format(path=path), **more}


@pytest.mark.parametrize("how", [
    pytest.param(("--platform", "render"), id="--platform"),
    pytest.param((".fixbot.yml", "deploy:\n  platform: render\n"), id=".fixbot.yml"),
    pytest.param((".fixbot.yml", "deploy:\n  image: python:3.12-slim\n"), id="deploy.image"),
])
def test_a_start_script_and_logging_yaml_with_no_dockerfile_is_judged(tmp_path, how):
    args = how if how[0] == "--platform" else ()
    files = native("/var/log/app/u.log", **({how[0]: how[1]} if not args else {}))
    code, out = report(repo(tmp_path, files), *args)
    assert (code, [(f["path"], f["line"]) for f in out["findings"]], out["not_judged"]) == (1, [("logging.yaml", 5)], [])
    del files["start.sh"]  # a config nothing starts is not the deploy's
    assert found(repo(tmp_path / "unstarted", files), *args) == []
    files = native("/tmp/u.log", **({how[0]: how[1]} if not args else {}))
    assert found(repo(tmp_path / "tmp", files), *args) == []


@pytest.mark.parametrize("platform, app", [("render", "/opt/render/project/src"), ("heroku", "/app"),
                                           ("hf-space", "/home/user/app")])
def test_the_checkout_is_where_the_platform_puts_it(tmp_path, platform, app):
    files = native("logs/u.log", **{"logs/.gitkeep": ""})
    assert found(repo(tmp_path, files), "--platform", platform) == []
    del files["logs/.gitkeep"]
    assert found(repo(tmp_path / "untracked", files), "--platform", platform) == [
        ("logging.yaml", 5, f"{app}/logs/u.log")]


def test_an_image_alone_does_not_say_where_the_checkout_is(tmp_path):
    files = native("logs/u.log", **{".fixbot.yml": "deploy:\n  image: python:3.12-slim\n"})
    code, out = report(repo(tmp_path, files))
    assert (code, out["findings"]) == (0, [])
    assert out["not_judged"][0]["why"].startswith("a relative path (logs/u.log)")


def test_a_platform_that_runs_an_image_needs_one(tmp_path):
    code, out = report(repo(tmp_path, native("/var/log/app/u.log")), "--platform", "fly")
    assert (code, out["findings"]) == (0, [])
    assert out["not_judged"] == [{"path": "logging.yaml", "line": 5, "why": "unknown base image the image fly runs "
                                  "(no Dockerfile, no deploy.image)"}]


ROOT_MKDIR = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /app/logs\n"
              'CMD ["gunicorn", "app:app", "--error-logfile", "/app/logs/e.log"]\n')


@pytest.mark.parametrize("dockerfile, declared, rule", [
    pytest.param(ROOT_MKDIR, None, None, id="root writes its own directory"),
    pytest.param(ROOT_MKDIR, "--platform hf-space", "log-dir-unwritable", id="a Space runs as UID 1000"),
    pytest.param(ROOT_MKDIR.replace("mkdir -p /app/logs", "mkdir -p /app/logs && chmod 777 /app/logs"),
                 "--platform hf-space", None, id="a Space, chmod 777"),
    pytest.param(ROOT_MKDIR.replace("/app/logs/e.log", "/data/e.log"), "--platform hf-space", None,
                 id="a Space's /data"),
    pytest.param(ROOT_MKDIR, "deploy:\n  user: 1000\n", "log-dir-unwritable", id="deploy.user"),
    pytest.param(ROOT_MKDIR, "deploy:\n  user: app\n  platform: kubernetes\n", "log-dir-unwritable",
                 id="deploy.user on kubernetes"),
    # on a read-only root Gunicorn's workers also find no /tmp for their heartbeat files (gunicorn-worker-tmp)
    pytest.param(ROOT_MKDIR, "deploy:\n  read_only_root: true\n", "log-dir-unwritable gunicorn-worker-tmp-read-only",
                 id="a read-only root"),
    pytest.param(ROOT_MKDIR.replace("RUN mkdir", 'VOLUME ["/app/logs"]\nRUN mkdir'), "deploy:\n  read_only_root: true\n",
                 "gunicorn-worker-tmp-read-only", id="a read-only root with a volume there"),
    pytest.param(ROOT_MKDIR.replace('"app:app",', '"app:app", "--worker-tmp-dir", "/dev/shm",').replace(
        "RUN mkdir", 'VOLUME ["/app/logs"]\nRUN mkdir'), "deploy:\n  read_only_root: true\n", None,
                 id="a read-only root, a volume for the logs and /dev/shm for the workers"),
    pytest.param(ROOT_MKDIR, "--platform heroku", "log-dir-unwritable", id="heroku runs containers as non-root"),
    pytest.param(ROOT_MKDIR, "--platform cloud-run", None, id="cloud run runs the image's USER"),
])
def test_who_runs_and_what_they_may_write(tmp_path, dockerfile, declared, rule):
    files = {"Dockerfile": dockerfile}
    args = tuple(declared.split()) if declared and declared.startswith("--") else ()
    if declared and not args:
        files[".fixbot.yml"] = declared
    code, out = report(repo(tmp_path, files), *args)
    assert sorted(f["rule"] for f in out["findings"]) == sorted(rule.split() if rule else [])


@pytest.mark.parametrize("tmpfs", ["tmpfs:\n      - /tmp:size=64m\n", "tmpfs: [/run, /tmp]\n", "tmpfs: /tmp\n"])
def test_a_tmpfs_on_tmp_gives_gunicorns_workers_their_place_on_a_read_only_root(tmp_path, tmpfs):
    files = {"Dockerfile": ROOT_MKDIR, ".fixbot.yml": "deploy:\n  read_only_root: true\n",
             "docker-compose.yml": "services:\n  web:\n    build: .\n    " + tmpfs}
    code, out = report(repo(tmp_path, files))
    assert [f["rule"] for f in out["findings"]] == ["log-dir-unwritable"]


def test_a_platform_that_chooses_the_settings_module_has_every_non_test_one_judged(tmp_path):
    logging = ('LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", '
               '"filename": "/var/log/proj/app.log"}}}\n')
    files = {"Procfile": "web: gunicorn proj.wsgi\n", "proj/__init__.py": "", "proj/settings/__init__.py": "",
             "proj/settings/base.py": "DEBUG = False\n", "proj/settings/production.py": logging,
             "proj/settings/test.py": logging}
    assert found(repo(tmp_path, files)) == []  # no platform, nothing names a module: nothing judged
    assert found(repo(tmp_path / "heroku", files), "--platform", "heroku") == [
        ("proj/settings/production.py", 1, "/var/log/proj/app.log")]


@pytest.mark.parametrize("text, message", [
    ("deploy:\n  platform: herokuu\n", ".fixbot.yml:2: deploy.platform must be one of heroku, render, fly, hf-space, "
     "cloud-run, kubernetes, not 'herokuu'; did you mean heroku?"),
    ("deploy:\n  image: acme/base:1\n", ".fixbot.yml:2: deploy.image 'acme/base:1' is not an image fixbot knows"),
    ("deploy:\n  user: [app]\n", ".fixbot.yml:2: deploy.user must be a user name or a UID, not a list"),
    ("deploy:\n  read_only_root: yes please\n", ".fixbot.yml:2: deploy.read_only_root must be true or false, not a string"),
    ("deploy:\n  platfrom: fly\n", ".fixbot.yml:2: unknown key deploy.platfrom; did you mean platform?"),
    ("deploy: heroku\n", ".fixbot.yml:1: deploy must be a mapping of image, user, read_only_root, platform, not a string"),
])
def test_a_bad_deploy_section_is_one_line_naming_key_and_line_and_exit_2(tmp_path, text, message):
    root = repo(tmp_path, {".fixbot.yml": text, "Dockerfile": "FROM python:3.12\n"})
    done = fixbot("check", str(root))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("fixbot: " + message) or done.stderr.startswith(message), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_an_unknown_platform_on_the_command_line_is_exit_2(tmp_path):
    done = fixbot("check", str(repo(tmp_path, {"app.py": ""})), "--platform", "vercel")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not one of heroku, render" in done.stderr
