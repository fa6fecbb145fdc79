"""What a logging codemod's rewrite changed, in a reviewer's words: handlers removed or on the console, loggers moved."""

from __future__ import annotations

from fixbot import codemods
from fixbot.formats.logconfig.changes import described
from tests.support import ROOT

SETTINGS = ROOT / "examples" / "ledgersg" / "apps" / "backend" / "config" / "settings" / "service.py"


def test_django_logging_names_the_removed_handler_and_where_the_loggers_now_log():
    before = SETTINGS.read_text()
    after = codemods.get("logging-console").rewrite(before, "service.py")
    assert described(before, after, "service.py") == [
        "handler 'file' removed (a FileHandler writing /app/apps/backend/logs/api.log)",
        "the root logger, logger 'django' and logger 'django.request' now log to 'console' only",
    ]


def test_a_yaml_handler_sent_to_the_console_says_what_it_was():
    before = (ROOT / "examples" / "orders-api" / "logging.yaml").read_text()
    after = codemods.get("logging-console").rewrite(before, "logging.yaml")
    lines = codemods.get("logging-console").describe(before, after, "logging.yaml")
    assert lines and all("now writes to the console" in line and "it was a " in line for line in lines), lines


def test_a_moved_path_is_said_and_what_cannot_be_read_says_nothing():
    before = "LOGGING = {'version': 1, 'handlers': {'f': {'class': 'logging.FileHandler', 'filename': '/a/x.log'}}}\n"
    after = before.replace("/a/x.log", "/tmp/x.log")
    assert described(before, after, "settings.py") == ["handler 'f' now writes /tmp/x.log (it wrote /a/x.log)"]
    assert described("LOGGING = (", "LOGGING = {", "settings.py") == []
    assert described(before, before, "settings.py") == []


YAML = """\
version: 1
handlers:
  console: {class: logging.StreamHandler}
  file: {class: logging.FileHandler, filename: /var/log/app/app.log}
root: {level: INFO, handlers: [console, file]}
loggers:
  app: {level: DEBUG, handlers: [file]}
"""


def test_a_yaml_configs_handler_lists_are_said_too_an_emptied_one_as_printing_through_its_ancestors():
    after = codemods.get("logging-console").rewrite(YAML, "logging.yaml")
    assert described(YAML, after, "logging.yaml")[1:] == [
        "logger 'app' now has no handler of its own: records print through the ancestors' handlers",
        "the root logger now logs to 'console' only",
    ]
    assert described(YAML, YAML.replace("[console, file]", "[file, console]"), "logging.json") == []  # not JSON
