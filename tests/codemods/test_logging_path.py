"""logging-path: file handlers keep writing, but under a directory that exists at run time."""

from __future__ import annotations

import logging
import logging.config
from textwrap import dedent

import pytest

from fixbot.formats import Refusal
from fixbot.formats.logconfig.check import check_source
from fixbot.codemods.logging_path import LoggingPath, default_log_dir

FIXES = [
    pytest.param(
        dedent(
            """\
            import os
            from pathlib import Path

            BASE_DIR = ROOT

            # Logging
            LOGGING = {
                "version": 1,
                "handlers": {
                    "file": {"class": "logging.handlers.RotatingFileHandler", "filename": BASE_DIR / "logs" / "django.log"},
                    "err": {"class": "logging.FileHandler", "filename": f"{BASE_DIR}/logs/errors.log"},
                    "console": {"class": "logging.StreamHandler"},
                },
            }
            LOGGING["handlers"]["err"]["filename"] = os.path.join(BASE_DIR, "e2.log")
            """
        ),
        dedent(
            """\
            import os
            from pathlib import Path

            BASE_DIR = ROOT

            DJANGO_LOG_DIR = os.environ.get("DJANGO_LOG_DIR", "/tmp/backend_logs")
            os.makedirs(DJANGO_LOG_DIR, exist_ok=True)

            # Logging
            LOGGING = {
                "version": 1,
                "handlers": {
                    "file": {"class": "logging.handlers.RotatingFileHandler", "filename": os.path.join(DJANGO_LOG_DIR, "django.log")},
                    "err": {"class": "logging.FileHandler", "filename": os.path.join(DJANGO_LOG_DIR, "errors.log")},
                    "console": {"class": "logging.StreamHandler"},
                },
            }
            LOGGING["handlers"]["err"]["filename"] = os.path.join(DJANGO_LOG_DIR, "e2.log")
            """
        ),
        {"log_dir": "/tmp/backend_logs"},
        id="pathlib, f-string and a later assignment, with the entrypoint's directory",
    ),
    pytest.param(
        '"""Settings."""\nLOGGING = {\'handlers\': {\'f\': {\'class\': \'logging.FileHandler\', \'filename\': \'/app/logs/api.log\'}}}\n',
        '"""Settings."""\nimport os\nDJANGO_LOG_DIR = os.environ.get(\'DJANGO_LOG_DIR\', \'/tmp/shop-logs\')\n'
        "os.makedirs(DJANGO_LOG_DIR, exist_ok=True)\n"
        "LOGGING = {'handlers': {'f': {'class': 'logging.FileHandler', 'filename': os.path.join(DJANGO_LOG_DIR, 'api.log')}}}\n",
        {"project": "shop"},
        id="import os added after the docstring, single quotes kept, /tmp/<project>-logs",
    ),
]


@pytest.mark.parametrize("before, after, options", FIXES)
def test_logging_path_fixes(before, after, options):
    assert LoggingPath.rewrite(before, "settings.py", **options) == after
    assert LoggingPath.rewrite(after, "settings.py", **options) == after
    assert check_source(after, allow_file_handlers=True) == []


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('LOGGING = {"handlers": {"console": {"class": "logging.StreamHandler"}}}\n', id="no file handler"),
        pytest.param(FIXES[0].values[1], id="already pointed at DJANGO_LOG_DIR"),
    ],
)
def test_logging_path_noop(source):
    assert LoggingPath.rewrite(source, "settings.py") == source


@pytest.mark.parametrize(
    "source, reason",
    [
        pytest.param('LOGGING = {"handlers": {"f": {"class": "logging.FileHandler", "filename": LOG_FILE}}}\n', "not known", id="name"),
        pytest.param(
            'LOGGING = {"handlers": {"f": {"class": "logging.FileHandler", "filename": f"{D}/{ENV}.log"}}}\n', "not known", id="f-string"
        ),
        pytest.param(
            'LOGGING = {"handlers": {"a": {"class": "logging.FileHandler", "filename": "x/a.log"}, '
            '"b": {"class": "logging.FileHandler", "filename": "y/a.log"}}}\n',
            "both write a.log",
            id="two handlers, one file name",
        ),
        pytest.param("LOGGING = build()\n", "not a dict literal", id="built by a function"),
        pytest.param('DJANGO_LOG_DIR = "/x"\nLOGGING = {"handlers": {"f": {"class": "logging.FileHandler", "filename": "a.log"}}}\n',
                     "already set", id="DJANGO_LOG_DIR means something else"),
    ],
)
def test_logging_path_refuses(source, reason):
    with pytest.raises(Refusal, match=reason):
        LoggingPath.rewrite(source, "settings.py")


@pytest.mark.parametrize(
    "filename, project, expected",
    [("config/settings/service.py", None, "/tmp/config-logs"), ("settings.py", None, "/tmp/app-logs"), ("x/y.py", "my shop", "/tmp/my-shop-logs")],
)
def test_default_log_dir(filename, project, expected):
    assert default_log_dir(filename, project) == expected


def test_rewritten_settings_log_into_the_created_directory(tmp_path, monkeypatch):
    log_dir = tmp_path / "created-at-boot"
    monkeypatch.setenv("DJANGO_LOG_DIR", str(log_dir))
    source = "LOGGING = {'version': 1, 'handlers': {'f': {'class': 'logging.FileHandler', 'filename': '/nonexistent/logs/api.log'}}, 'root': {'handlers': ['f']}}\n"
    namespace: dict = {}
    exec(LoggingPath.rewrite(source, "settings.py"), namespace)
    try:
        logging.config.dictConfig(namespace["LOGGING"])
        logging.getLogger().warning("booted")
        assert "booted" in (log_dir / "api.log").read_text()
    finally:
        logging.config.dictConfig({"version": 1, "root": {"handlers": []}})
