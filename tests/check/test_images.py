"""The base images `fixbot check` knows by their facts (check/images.py), and what an unknown one means."""

from __future__ import annotations

import pytest

from fixbot.check.images import IMAGES, lookup
from tests.support.checkrun import found, report, repo


@pytest.mark.parametrize("name, family, user", [
    ("python:3.12-slim", "python", "root"),
    ("python:3.13-alpine3.21@sha256:" + "a" * 64, "python", "root"),
    ("docker.io/library/python:3.11-bookworm", "python", "root"),
    ("python", "python", "root"),
    ("public.ecr.aws/docker/library/python:3.13.2", "python", "root"),
    ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "uv", "root"),
    ("ghcr.io/astral-sh/uv:0.5.11-python3.12-alpine", "uv", "root"),
    ("ghcr.io/astral-sh/uv:bookworm-slim", "uv", "root"),
    ("ghcr.io/astral-sh/uv:latest", None, None),  # the distroless one holds the binaries only
    ("debian:bookworm-slim", "debian", "root"),
    ("ubuntu:24.04", "ubuntu", "root"),
    ("alpine:3.20", "alpine", "root"),
    ("gcr.io/distroless/python3-debian12", "distroless", "root"),
    ("gcr.io/distroless/python3-debian12:nonroot", "distroless", "65532"),
    ("nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", "nvidia-cuda", "root"),
    ("registry.hf.space/acme-demo:latest", "hf-space", "1000"),
    ("postgres:16", "service", "root"),
    ("acme/django-base:3", None, None),
])
def test_an_image_is_known_by_its_name(name, family, user):
    image = lookup(name)
    assert (image.family if image else None, image.user if image else None) == (family, user)


def test_every_row_says_where_its_facts_come_from():
    assert all(len(image.source) > 30 for image in IMAGES)


SETTINGS = ('LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", '
            '"filename": "/var/log/myapp/app.log"}}}\n')


@pytest.mark.parametrize("base", ["ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
                                  "gcr.io/distroless/python3-debian12"])
def test_a_known_base_is_judged(tmp_path, base):
    files = {"Dockerfile": f"FROM {base}\nCOPY . /app\nENV DJANGO_SETTINGS_MODULE=app.settings\n",
             "app/__init__.py": "", "app/settings.py": SETTINGS}
    assert found(repo(tmp_path, files)) == [("app/settings.py", 1, "/var/log/myapp/app.log")]


def test_an_image_that_starts_as_uid_1000_in_its_own_workdir(tmp_path):
    """A Space's image: a relative log path is under /home/user/app, and root's /var/log is not its to write."""
    files = {"Dockerfile": 'FROM registry.hf.space/acme-demo:latest\nCOPY . .\n'
                           'CMD ["gunicorn", "--error-logfile", "/var/log/e.log", "--access-logfile", "logs/a.log", "app:app"]\n'}
    code, out = report(repo(tmp_path, files))
    assert sorted((f["log_path"], f["rule"]) for f in out["findings"]) == [
        ("/home/user/app/logs/a.log", "log-dir-missing"), ("/var/log/e.log", "log-dir-unwritable")]


def test_a_stage_built_above_starts_where_it_ended(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim AS base\nWORKDIR /srv\nFROM base\nCOPY . .\n"
                           'CMD ["gunicorn", "--error-logfile", "logs/e.log", "app:app"]\n', "logs/.gitkeep": ""}
    assert found(repo(tmp_path, files)) == []
    del files["logs/.gitkeep"]
    assert found(repo(tmp_path / "untracked", files)) == [("Dockerfile", 5, "/srv/logs/e.log")]
