"""Locating the logging configuration that failed by the log's evidence, the kind's old name, and the room's post-check."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from fixbot import fixes
from fixbot.formats import NothingToDo
from fixbot.formats.logconfig.files import rewrite_config
from fixbot.fixes.logging_handler.check import check_config
from fixbot.formats.logconfig.configs import handlers_of
from fixbot.fixes.logging_handler.locate import Ambiguous, locate
from fixbot.model import Finding, Step
from fixbot.verify import VerifyFailed
from tests.support.repos import make_repo

YAML = """\
version: 1
handlers:
  # kept for the auditors
  file: {class: logging.FileHandler, filename: /var/log/app/access.log}
root: {handlers: [file]}
"""
INI = """\
[loggers]
keys=root
[handlers]
keys=error_file
[formatters]
keys=
[logger_root]
handlers=error_file
[handler_error_file]
class=FileHandler
args=('/var/log/app/gunicorn.error.log', 'a')
"""
GUNICORN_CONF = """\
logconfig_dict = {"version": 1, "handlers": {"error_file": {"class": "logging.FileHandler", "filename": "/var/log/x.log"}}}
"""


def facts(**given):
    return {"program": "uvicorn", **given}


def test_the_config_holding_the_handler_and_its_path_wins_over_one_holding_only_the_handler(tmp_path):
    view = make_repo(tmp_path, {"deploy/logging.yaml": YAML,
                                "other/logging.yaml": YAML.replace("/var/log/app/access.log", "/elsewhere/a.log")})
    found = locate(view, facts(handler="file", path="/var/log/app/access.log"), [])
    assert found.file == "deploy/logging.yaml" and found.django is None and found.still_failing


def test_the_file_the_start_script_names_breaks_a_tie(tmp_path):
    view = make_repo(tmp_path, {"a/logging.yaml": YAML, "b/logging.yaml": YAML,
                                "start.sh": "exec uvicorn app:app --log-config b/logging.yaml\n"})
    found = locate(view, facts(handler="file", path="/var/log/app/access.log"), [])
    assert found.file == "b/logging.yaml" and "start.sh names it" in found.why


def test_the_config_the_logs_command_line_names_breaks_a_tie(tmp_path):
    view = make_repo(tmp_path, {"a/logging.yaml": YAML, "b/logging.yaml": YAML})
    found = locate(view, facts(handler="file", path="/var/log/app/access.log", config="/srv/b/logging.yaml"), [])
    assert found.file == "b/logging.yaml" and "command line" in found.why


def test_two_equal_configs_and_no_evidence_is_exit_2_naming_both_and_how_to_choose(tmp_path):
    view = make_repo(tmp_path, {"a/logging.yaml": YAML, "b/logging.json":
                                '{"version": 1, "handlers": {"file": {"class": "logging.FileHandler",'
                                ' "filename": "/var/log/app/access.log"}}}'})
    with pytest.raises(Ambiguous) as raised:
        locate(view, facts(handler="file", path="/var/log/app/access.log"), [])
    assert raised.value.exit_code == 2
    assert "a/logging.yaml" in str(raised.value) and "b/logging.json" in str(raised.value)
    assert "fixbot codemod logging-console FILE" in str(raised.value)


def test_an_ini_config_is_found_by_the_path_alone(tmp_path):
    view = make_repo(tmp_path, {"logging.ini": INI, "tests/logging.ini": INI})  # tests/ deploys nothing
    found = locate(view, facts(program="gunicorn", path="/var/log/app/gunicorn.error.log"), [])
    assert found.file == "logging.ini"


def test_gunicorn_logconfig_dict_is_found_by_the_handler_name_alone(tmp_path):
    view = make_repo(tmp_path, {"gunicorn.conf.py": GUNICORN_CONF, "app.py": "app = None\n"})
    assert locate(view, {"program": "gunicorn", "handler": "error_file"}, []).file == "gunicorn.conf.py"


def test_a_console_only_logconfig_dict_that_gunicorn_c_names_is_already_fixed_not_unknown(tmp_path):
    fixed = GUNICORN_CONF.replace('"class": "logging.FileHandler", "filename": "/var/log/x.log"', '"class": "logging.StreamHandler"')
    view = make_repo(tmp_path, {"deploy/gunicorn.conf.py": fixed, "start.sh": "gunicorn -c deploy/gunicorn.conf.py app:app\n"})
    found = locate(view, {"program": "gunicorn", "handler": "error_file"}, [])
    assert (found.file, found.still_failing) == ("deploy/gunicorn.conf.py", "")
    assert "start.sh names it (gunicorn -c deploy/gunicorn.conf.py)" in found.why


def test_the_module_that_called_dictconfig_names_its_json(tmp_path):
    view = make_repo(tmp_path, {
        "serve.py": "import json, logging.config\nlogging.config.dictConfig(json.load(open('conf/logging.json')))\n",
        "conf/logging.json": '{"version": 1, "handlers": {"h": {"class": "logging.StreamHandler"}}}',
    })
    found = locate(view, {"program": "python", "handler": "file", "config": "/srv/app/serve.py"}, [])
    assert found.file == "conf/logging.json" and found.still_failing == ""  # already console-only: already fixed


def test_the_old_kind_name_finds_the_same_room():
    assert fixes.for_kind("django-logging-handler") is fixes.for_kind("logging-handler")
    assert fixes.canonical("django-logging-handler") == "logging-handler"


def test_a_django_fix_keeps_the_branch_name_and_fingerprint_it_had_before_the_rename():
    finding = Finding("logging-handler", "", {"handler": "file", "path": "/app/logs/api.log"}, (), ("logging-console",))
    step = Step(finding, "logging-console", "config/settings/base.py", "", published_as="django-logging-handler")
    before = hashlib.sha256("\0".join(["django-logging-handler", "config/settings/base.py", "handler=file",
                                       "path=/app/logs/api.log"]).encode()).hexdigest()[:10]
    from fixbot.plan import _fingerprint

    assert _fingerprint(fixes.for_kind("logging-handler"), step) == before
    assert step.branch_kind == "django-logging-handler"
    assert Step(finding, "logging-console", "logging.yaml", "").branch_kind == "logging-handler"


def test_the_post_check_refuses_a_config_that_still_writes_a_file_or_no_longer_loads():
    fixed = YAML.replace("{class: logging.FileHandler, filename: /var/log/app/access.log}", "{class: logging.StreamHandler}")
    assert check_config("logging.yaml", YAML, fixed)
    with pytest.raises(VerifyFailed, match="still writes to a file"):
        check_config("logging.yaml", YAML, YAML)
    with pytest.raises(VerifyFailed, match="does not parse as YAML"):
        check_config("logging.yaml", YAML, fixed + "  - [\n")
    with pytest.raises(VerifyFailed, match="removed handler 'error_file'"):
        check_config("logging.ini", INI, INI.replace("keys=error_file", "keys="))


def test_fixbot_codemods_lists_the_files_each_understands_from_its_own_metadata():
    from fixbot import codemods

    listed = subprocess.run([sys.executable, "-m", "fixbot.cli", "codemods"], capture_output=True, text=True).stdout
    lines = {line.split()[0]: line for line in listed.splitlines() if not line.startswith(" ")}
    assert set(lines) == set(codemods.all_codemods())
    for name, codemod in codemods.all_codemods().items():
        assert lines[name].split(None, 1)[1] == codemod.understands()
    assert all(word in lines["logging-console"] for word in ("YAML", "JSON", "INI", "Python"))


def test_a_config_returned_by_a_factory_function_is_found(tmp_path):
    view = make_repo(tmp_path, {"app/logs.py": "def config(level):\n    return {'version': 1, 'handlers': {'file': "
                                               "{'class': 'logging.FileHandler', 'filename': '/var/log/app/access.log'}}}\n"})
    assert locate(view, facts(handler="file", path="/var/log/app/access.log"), []).file == "app/logs.py"


def test_a_flask_style_module_passing_its_dict_to_dictconfig_is_a_candidate_but_djangos_logging_alone_is_not(tmp_path):
    handler = "{'version': 1, 'handlers': {'file': {'class': 'logging.FileHandler', 'filename': '/var/log/app/access.log'}}}"
    view = make_repo(tmp_path, {"app/log.py": f"import logging.config\nCONFIG = {handler}\nlogging.config.dictConfig(CONFIG)\n",
                                "site/settings.py": f"LOGGING = {handler}\n"})
    found = locate(view, facts(handler="file", path="/var/log/app/access.log"), [])
    assert found.file == "app/log.py"


def test_the_post_check_passes_an_ini_rewrite_that_keeps_a_syslog_handler_whose_address_is_a_path():
    before = INI.replace("keys=error_file", "keys=error_file,syslog", 1) + (
        "[handler_syslog]\nclass=handlers.SysLogHandler\nargs=('/dev/log',)\n")
    after = rewrite_config(before, "logging.ini")
    assert "('/dev/log',)" in after  # logging-console leaves a socket alone, so the post-check must too
    assert check_config("logging.ini", before, after)[0] == "logging.ini loads and none of its 2 handlers writes to a file"


def test_a_versionless_handlers_mapping_inside_an_app_config_is_no_logging_config_for_the_locator_either():
    text = "app:\n  logging:\n    handlers:\n      file: {class: logging.FileHandler, filename: /var/log/a.log}\n"
    assert handlers_of(text, "settings.yaml") is None  # dictConfig needs `version` below the top of a file
    with pytest.raises(NothingToDo):
        rewrite_config(text, "settings.yaml")
