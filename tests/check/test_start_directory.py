"""Where the process starts, for a relative log path: what moves it, and what does not (shapes seen in public repositories)."""

from __future__ import annotations

from tests.support.checkrun import found, repo

APP = 'FROM python:3.12-slim\nWORKDIR /srv/app\nCOPY . .\nCMD ["./start.sh"]\n'
START = "#!/bin/sh\nexec gunicorn app:app --error-logfile logs/error.log\n"


def test_an_nginx_dockerfile_beside_the_apps_does_not_hide_its_workdir(tmp_path):
    files = {"Dockerfile": APP, "nginx/Dockerfile": "FROM nginx:1.27\nCOPY nginx.conf /etc/nginx/conf.d/\n",
             "start.sh": START}
    assert found(repo(tmp_path, files)) == [("start.sh", 2, "/srv/app/logs/error.log")]
    files["logs/.gitkeep"] = ""
    assert found(repo(tmp_path / "tracked", files)) == []


def test_supervisords_directory_moves_its_own_programs_only(tmp_path):
    supervisord = ("[program:worker]\ndirectory = /elsewhere\n"
                   "command = celery -A tasks worker --logfile logs/celery.log\n")
    files = {"Dockerfile": APP, "start.sh": "#!/bin/sh\nsupervisord -c supervisord.conf\n" + START.split("\n", 1)[1],
             "supervisord.conf": supervisord}
    assert found(repo(tmp_path, files)) == [("start.sh", 3, "/srv/app/logs/error.log")]  # the worker's is not judged


def test_a_cd_in_a_comment_moves_nothing(tmp_path):
    files = {"Dockerfile": APP, "start.sh": "#!/bin/sh\n# cd /somewhere if you run it by hand\n" + START.split("\n", 1)[1]}
    assert found(repo(tmp_path, files)) == [("start.sh", 3, "/srv/app/logs/error.log")]
