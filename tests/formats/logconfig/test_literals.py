"""logging-console on every dictConfig literal of a Python file, not only a module-level LOGGING (issue 13): a config
returned by a function, filled into `global LOGGING`, passed to dictConfig, Gunicorn's logconfig_dict, LOGGING_CONFIG."""

from __future__ import annotations

from textwrap import dedent

import pytest

from fixbot.formats import NothingToDo, Refusal
from fixbot.codemods.logging_console import LoggingConsole

FIXES = [
    pytest.param(
        dedent(
            """\
            import os

            HANDLER_CLASS = "logging.handlers.RotatingFileHandler"
            LOGGING = None


            def setup(log_dir):
                global LOGGING
                LOGGING = {"version": 1,
                           "handlers": {"main": {"class": HANDLER_CLASS, "filename": os.path.join(log_dir, "main.log")}},
                           "root": {"handlers": ["main"], "level": "INFO"}}
            """
        ),
        dedent(
            """\
            import os

            HANDLER_CLASS = "logging.handlers.RotatingFileHandler"
            LOGGING = None


            def setup(log_dir):
                global LOGGING
                LOGGING = {"version": 1,
                           "handlers": {"main": {"class": "logging.StreamHandler"}},
                           "root": {"handlers": ["main"], "level": "INFO"}}
            """
        ),
        id="LOGGING = None filled by a function: the handler with a filename and a class from a variable converts",
    ),
    pytest.param(
        dedent(
            """\
            def build_logging(log_dir):
                return {
                    "version": 1,
                    "handlers": {
                        "console": {"class": "logging.StreamHandler", "level": "INFO"},
                        "app": {"class": "logging.FileHandler", "filename": f"{log_dir}/app.log", "level": "INFO"},  # the app
                    },
                    "root": {"handlers": ["console", "app"], "level": "INFO"},
                }
            """
        ),
        dedent(
            """\
            def build_logging(log_dir):
                return {
                    "version": 1,
                    "handlers": {
                        "console": {"class": "logging.StreamHandler", "level": "INFO"},
                        "app": {"class": "logging.StreamHandler", "level": "INFO"},  # the app
                    },
                    "root": {"handlers": ["console"], "level": "INFO"},
                }
            """
        ),
        id="a config returned by a function: converted in place, the duplicate console goes from its list",
    ),
    pytest.param(
        dedent(
            """\
            import logging.config

            logging.config.dictConfig({
                "version": 1,
                "handlers": {"file": {"class": "logging.FileHandler", "filename": "/var/log/app/app.log"}},
                "root": {"handlers": ["file"], "level": "INFO"},
            })
            """
        ),
        dedent(
            """\
            import logging.config

            logging.config.dictConfig({
                "version": 1,
                "handlers": {"file": {"class": "logging.StreamHandler"}},
                "root": {"handlers": ["file"], "level": "INFO"},
            })
            """
        ),
        id="a literal passed to dictConfig",
    ),
    pytest.param(
        dedent(
            """\
            from logging.config import dictConfig

            CONFIG = {"handlers": {"f": {"class": "logging.handlers.WatchedFileHandler", "filename": "/x/a.log", "level": "ERROR"}},
                      "root": {"handlers": ["f"]}}
            dictConfig(CONFIG)
            """
        ),
        dedent(
            """\
            from logging.config import dictConfig

            CONFIG = {"handlers": {"f": {"class": "logging.StreamHandler", "level": "ERROR"}},
                      "root": {"handlers": ["f"]}}
            dictConfig(CONFIG)
            """
        ),
        id="a module-level dict passed to dictConfig by name",
    ),
    pytest.param(
        dedent(
            """\
            bind = "0.0.0.0:8000"
            logconfig_dict = {
                # Gunicorn adds version and its own loggers
                "handlers": {"error_file": {"class": "logging.FileHandler", "filename": "/var/log/gunicorn/error.log"}},
                "loggers": {"gunicorn.error": {"handlers": ["error_file"], "level": "INFO"}},
            }
            """
        ),
        dedent(
            """\
            bind = "0.0.0.0:8000"
            logconfig_dict = {
                # Gunicorn adds version and its own loggers
                "handlers": {"error_file": {"class": "logging.StreamHandler"}},
                "loggers": {"gunicorn.error": {"handlers": ["error_file"], "level": "INFO"}},
            }
            """
        ),
        id="Gunicorn's logconfig_dict, without a version",
    ),
    pytest.param(
        dedent(
            '''\
            """Logging for the workers; each handler is a RotatingFileHandler of ours."""
            from logging.handlers import RotatingFileHandler

            CLASS = 'workers.logs.SizedFileHandler'


            class SizedFileHandler(RotatingFileHandler):
                def __init__(self, filename, **kwargs):
                    super().__init__(filename=filename, maxBytes=1 << 20, **kwargs)


            def config(log_dir):
                return {'version': 1, 'handlers': {'w': {'class': CLASS, 'filename': log_dir + '/w.log'}}}
            '''
        ),
        dedent(
            '''\
            """Logging for the workers; each handler is a RotatingFileHandler of ours."""
            from logging.handlers import RotatingFileHandler

            CLASS = 'workers.logs.SizedFileHandler'


            class SizedFileHandler(RotatingFileHandler):
                def __init__(self, filename, **kwargs):
                    super().__init__(filename=filename, maxBytes=1 << 20, **kwargs)


            def config(log_dir):
                return {'version': 1, 'handlers': {'w': {'class': 'logging.StreamHandler'}}}
            '''
        ),
        id="a docstring, a handler class defined here and the variable that named it are no handlers left behind",
    ),
    pytest.param(
        'def build(d):\n    return {"version": 1, "handlers": make_handlers(d)}\n\n\n'
        'def make_handlers(d):\n    if d:\n        return {"f": {"class": "logging.FileHandler", "filename": d}}\n    return {}\n',
        'def build(d):\n    return {"version": 1, "handlers": make_handlers(d)}\n\n\n'
        'def make_handlers(d):\n    if d:\n        return {"f": {"class": "logging.StreamHandler"}}\n    return {}\n',
        id="handlers returned by a function of this module: every dict it returns is followed",
    ),
    pytest.param(
        'def build_logging(log_dir):\n    return {"version": 1, "handlers": {"f": {"class": "logging.FileHandler", "filename": log_dir + "/a.log"}}}\n\n\n'
        'LOGGING = build_logging("/var/log/shop")\n',
        'def build_logging(log_dir):\n    return {"version": 1, "handlers": {"f": {"class": "logging.StreamHandler"}}}\n\n\n'
        'LOGGING = build_logging("/var/log/shop")\n',
        id="LOGGING built by a function of this module: the literal it returns is the fix",
    ),
    pytest.param(
        'LOGGING_CONFIG = {"version": 1, "handlers": {"task": {"class": "logging.FileHandler", "filename": "t.log"}}}\n',
        'LOGGING_CONFIG = {"version": 1, "handlers": {"task": {"class": "logging.StreamHandler"}}}\n',
        id="Airflow and Celery style LOGGING_CONFIG",
    ),
]

NOOPS = [
    pytest.param('logconfig_dict = {"handlers": {"c": {"class": "logging.StreamHandler"}}}\n', id="console only"),
]

REFUSALS = [
    pytest.param("import logging.config\nlogging.config.dictConfig(load_config())\n", "calls dictConfig on load_config()", id="a config built out of sight"),
    pytest.param(
        'from .logs import make_handlers\n\nFILE = {"class": "logging.FileHandler", "filename": "/x/a.log"}\n\n\n'
        'def build():\n    return {"version": 1, "handlers": make_handlers(FILE)}\n',
        "built by make_handlers", id="handlers built by a function of another module",
    ),
]


@pytest.mark.parametrize("before, after", FIXES)
def test_dictconfig_literals_fixes(before, after):
    assert LoggingConsole.rewrite(before, "app.py") == after
    assert LoggingConsole.rewrite(after, "app.py") == after


@pytest.mark.parametrize("source", NOOPS)
def test_dictconfig_literals_noop(source):
    assert LoggingConsole.rewrite(source, "app.py") == source


@pytest.mark.parametrize("source, reason", REFUSALS)
def test_dictconfig_literals_refuses(source, reason):
    with pytest.raises(Refusal, match=reason) as refused:
        LoggingConsole.rewrite(source, "app.py")
    assert not isinstance(refused.value, NothingToDo)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("import logging\nlog = logging.getLogger(__name__)\n", id="no config at all"),
        pytest.param('CONFIG = {"handlers": {"f": {"class": "logging.FileHandler", "filename": "a.log"}}}\n', id="a dict nobody passes to dictConfig"),
    ],
)
def test_a_file_with_no_logging_config_is_nothing_to_do(source):
    with pytest.raises(NothingToDo):
        LoggingConsole.rewrite(source, "app.py")
