"""Which settings module failed, by the log's evidence: ranking, ties broken by deploy files anywhere, ambiguity, --settings and `settings:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixbot.config import ConfigError, parse_config
from fixbot.errors import BadInput
from fixbot.settings_find import Ambiguous, locate, settings_module
from fixbot.settings_walk import Walk
from tests.support.repos import make_repo

S = "config/settings"
MANAGE = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.base')\n"
CONSOLE = "LOGGING = {'version': 1, 'handlers': {'console': {'class': 'logging.StreamHandler'}}}\n"
PATH = "/app/logs/app.log"


def file_logging(filename: str = "os.path.join(BASE_DIR, 'logs', 'app.log')", handler: str = "file") -> str:
    return (
        "import os\nfrom .base import *\n"
        f"LOGGING = {{'version': 1, 'handlers': {{'{handler}': {{'class': 'logging.FileHandler', 'filename': {filename}}}}}}}\n"
    )


def project(tmp_path: Path, modules: dict[str, str], extra: dict[str, str] | None = None):
    files = {
        "manage.py": MANAGE,
        "config/__init__.py": "",
        "config/wsgi.py": MANAGE,
        f"{S}/__init__.py": "",
        f"{S}/base.py": "import os\nBASE_DIR = os.path.dirname(os.path.dirname(__file__))\n" + CONSOLE,
    }
    files.update({f"{S}/{name}.py": text for name, text in modules.items()})
    files.update(extra or {})
    return make_repo(tmp_path, files)


def where(view, handler="file", path=PATH, forced=None):
    return locate(view, {"handler": handler, "path": path}, [], forced)


# --- ranking ------------------------------------------------------------------------------------------------------


def test_module_set_outside_the_repository_is_found_by_its_handler_and_path(tmp_path):
    view = project(tmp_path, {"prod": file_logging(), "dev": "from .base import *\nDEBUG = True\n"})
    found = where(view)
    assert (found.module, found.file) == ("config.settings.prod", f"{S}/prod.py")
    assert "defaults DJANGO_SETTINGS_MODULE to config.settings.base, but its LOGGING has no handler 'file'" \
        in found.why and "set outside this repository" in found.why
    assert found.still_failing


@pytest.mark.parametrize(
    "filename",
    [
        pytest.param("os.path.join(BASE_DIR, 'logs', 'app.log')", id="os.path.join"),
        pytest.param("Path(BASE_DIR) / 'logs' / 'app.log'", id="pathlib"),
        pytest.param("f'{BASE_DIR}/logs/app.log'", id="f-string"),
        pytest.param("os.environ.get('LOG_FILE', '/app/logs/app.log')", id="environment default"),
        pytest.param("'logs/app.log'", id="relative"),
        pytest.param("LOG_DIR + '/app.log'", id="a variable of the module"),
    ],
)
def test_path_written_many_ways_beats_the_same_handler_elsewhere(tmp_path, filename):
    view = project(tmp_path, {
        "prod": "LOG_DIR = os.path.join(BASE_DIR, 'logs')\n" + file_logging(filename).replace("import os\n", "import os\nfrom pathlib import Path\n"),
        "staging": file_logging("'/var/log/staging/other.log'"),
    })
    found = where(view)
    assert found.file == f"{S}/prod.py", found.why


def test_handler_only_beats_path_only(tmp_path):
    view = project(tmp_path, {
        "prod": file_logging("get_log_file()"),  # the handler, its file unknown
        "staging": file_logging("'/app/logs/app.log'", handler="other"),  # the path, another handler
    })
    assert where(view).file == f"{S}/prod.py"
    assert where(view, handler="gone").file == f"{S}/staging.py"


def test_handler_added_by_assignment_in_a_derived_module_is_fixed_there(tmp_path):
    derived = (
        "from .base import *\n"
        "LOGGING['handlers']['app_file'] = {'class': 'logging.FileHandler', 'filename': '/app/logs/app.log'}\n"
    )
    found = where(project(tmp_path, {"prod": derived}), handler="app_file")
    assert found.file == f"{S}/prod.py" and f"added in {S}/prod.py, after {S}/base.py defines LOGGING" in found.why


@pytest.mark.parametrize(
    "derived",
    [
        pytest.param("LOGGING['handlers'].update({'app_file': HANDLER})\n", id=".update"),
        pytest.param("LOGGING = {**LOGGING, 'handlers': {**LOGGING['handlers'], 'app_file': HANDLER}}\n", id="spread"),
        pytest.param("if not DEBUG:\n    LOGGING['handlers']['app_file'] = HANDLER\n", id="under an if"),
    ],
)
def test_handler_added_other_ways_is_found(tmp_path, derived):
    text = ("from .base import *\nDEBUG = False\n"
            "HANDLER = {'class': 'logging.FileHandler', 'filename': '/app/logs/app.log'}\n" + derived)
    assert where(project(tmp_path, {"prod": text}), handler="app_file").file == f"{S}/prod.py"


# --- ambiguity and how to choose ------------------------------------------------------------------------------


def test_two_modules_with_the_same_evidence_and_no_deploy_file_is_exit_2_naming_them(tmp_path):
    view = project(tmp_path, {"prod": file_logging(), "staging": file_logging()})
    with pytest.raises(Ambiguous) as info:
        where(view)
    message = str(info.value)
    assert info.value.exit_code == 2 and "\n" not in message
    assert "config.settings.prod" in message and "config.settings.staging" in message
    assert "--settings MODULE" in message and "settings: MODULE" in message


def test_modules_sharing_one_definition_are_no_ambiguity(tmp_path):
    view = project(tmp_path, {"prod": "from .common import *\n", "staging": "from .common import *\n",
                              "common": file_logging()})
    assert where(view).file == f"{S}/common.py"


def test_settings_given_chooses_among_equals(tmp_path):
    view = project(tmp_path, {"prod": file_logging(), "staging": file_logging()})
    found = where(view, forced="config.settings.staging")
    assert found.file == f"{S}/staging.py" and "given as config.settings.staging" in found.why


def test_settings_given_that_lacks_the_handler_while_another_holds_it_is_exit_2(tmp_path):
    view = project(tmp_path, {"prod": file_logging(), "dev": "from .base import *\n"})
    with pytest.raises(Ambiguous, match=r"config.settings.dev was given .* config.settings.prod \(config/settings/prod.py\) does"):
        where(view, forced="config.settings.dev")


def test_settings_given_that_does_not_exist_is_one_line(tmp_path):
    with pytest.raises(BadInput, match="^settings module config.settings.nope: no such module"):
        where(project(tmp_path, {}), forced="config.settings.nope")


# --- deploy files anywhere (shape 2) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        pytest.param("bin/start-web", "#!/bin/sh\nexport DJANGO_SETTINGS_MODULE=config.settings.prod\nexec gunicorn x\n", id="bin"),
        pytest.param("scripts/deploy/run.sh", "DJANGO_SETTINGS_MODULE=config.settings.prod gunicorn x\n", id="scripts"),
        pytest.param("deploy/supervisor/web.conf",
                     '[program:web]\ncommand=gunicorn x\nenvironment=DEBUG="0",DJANGO_SETTINGS_MODULE="config.settings.prod"\n',
                     id="supervisord pairs"),
        pytest.param("deploy/web.service", "[Service]\nEnvironment=DJANGO_SETTINGS_MODULE=config.settings.prod\n", id="systemd"),
        pytest.param("deploy/web.service", '[Service]\nEnvironment="DEBUG=0 DJANGO_SETTINGS_MODULE=config.settings.prod"\n',
                     id="systemd several"),
        pytest.param("k8s/web/deployment.yaml",
                     "spec:\n  containers:\n    - env:\n        - name: DJANGO_SETTINGS_MODULE\n          value: config.settings.prod\n",
                     id="kubernetes"),
        pytest.param("ops/compose.prod.yml", "services:\n  web:\n    environment:\n      - DJANGO_SETTINGS_MODULE=config.settings.prod\n",
                     id="compose list"),
        pytest.param("ops/compose.prod.yml", "services:\n  web:\n    environment:\n      DJANGO_SETTINGS_MODULE: config.settings.prod\n",
                     id="compose mapping"),
        pytest.param("Makefile", "run:\n\tDJANGO_SETTINGS_MODULE=config.settings.prod gunicorn x\n", id="Makefile"),
        pytest.param("deploy/Procfile", "web: DJANGO_SETTINGS_MODULE=config.settings.prod gunicorn x\n", id="Procfile"),
        pytest.param("deploy/prod/.env", "DJANGO_SETTINGS_MODULE=config.settings.prod\n", id=".env"),
    ],
)
def test_a_deploy_file_anywhere_breaks_the_tie(tmp_path, name, text):
    view = project(tmp_path, {"prod": file_logging(), "staging": file_logging()}, {name: text})
    assert settings_module(view, []).module == "config.settings.prod"
    found = where(view)
    assert found.file == f"{S}/prod.py" and found.why.startswith(f"{name} sets DJANGO_SETTINGS_MODULE=config.settings.prod")


@pytest.mark.parametrize(
    "name, text",
    [
        pytest.param("docs/deploy.md", "export DJANGO_SETTINGS_MODULE=config.settings.prod\n", id="documentation"),
        pytest.param("pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings.prod\n", id="test runner"),
        pytest.param("tests/run.sh", "export DJANGO_SETTINGS_MODULE=config.settings.prod\n", id="tests directory"),
    ],
)
def test_files_that_do_not_start_the_app_break_no_tie(tmp_path, name, text):
    view = project(tmp_path, {"prod": file_logging(), "staging": file_logging()}, {name: text})
    with pytest.raises(Ambiguous):
        where(view)


# --- never a wrong already-fixed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prod, failing",
    [
        pytest.param(file_logging(), True, id="the handler and its path are there"),
        pytest.param(file_logging().replace("logging.FileHandler', 'filename': os.path.join(BASE_DIR, 'logs', 'app.log')",
                                            "logging.StreamHandler'"), False, id="made a console handler"),
        pytest.param(file_logging("'/tmp/app/app.log'"), False, id="moved to another directory"),
        pytest.param("from .base import *\nLOGGING = make_logging()\n", True, id="built by a function"),
        pytest.param("from .base import *\nfor name in NAMES:\n    LOGGING['handlers'][name] = {}\n", True, id="changed in a loop"),
    ],
)
def test_the_chosen_module_still_failing_is_known(tmp_path, prod, failing):
    found = where(project(tmp_path, {"prod": prod}, {"Procfile": "web: DJANGO_SETTINGS_MODULE=config.settings.prod gunicorn x\n"}))
    assert found.module == "config.settings.prod"
    assert bool(found.still_failing) is failing, found.still_failing


# --- newer syntax ----------------------------------------------------------------------------------------------


def test_walk_reads_python_3_12_syntax(tmp_path):
    view = project(tmp_path, {"prod": "type Pair = tuple[int, int]\n" + file_logging()})
    assert where(view).file == f"{S}/prod.py"


def test_walk_refuses_deep_nesting_in_one_line(tmp_path):
    view = project(tmp_path, {"prod": "type Pair = int\nX = " + "[" * 5000 + "]" * 5000 + "\n" + file_logging()})
    walk = Walk(view)
    with pytest.raises(BadInput, match=f"^{S}/prod.py: settings file does not parse: nested too deeply$"):
        walk.visit(f"{S}/prod.py", "config.settings.prod", ())


# --- settings: in .fixbot.yml --------------------------------------------------------------------------------------


def test_settings_key_is_read():
    assert parse_config("logging: console\nsettings: config.settings.prod\n").settings == "config.settings.prod"


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("settings: 3\n", ".fixbot.yml:1: settings must be a string, not a number", id="number"),
        pytest.param("\nsettings: config/settings/prod.py\n",
                     ".fixbot.yml:2: settings 'config/settings/prod.py' is not a dotted Python module name", id="a path"),
        pytest.param("setting: config.settings.prod\n", ".fixbot.yml:1: unknown key setting; did you mean settings?", id="typo"),
    ],
)
def test_settings_key_errors_name_key_and_line(text, message):
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert str(info.value).startswith(message)


def test_a_deploy_file_naming_a_module_without_the_handler_does_not_win_over_the_evidence(tmp_path):
    view = project(tmp_path, {"prod": file_logging(), "staging": "from .base import *\n"},
                   {"Procfile": "web: DJANGO_SETTINGS_MODULE=config.settings.staging gunicorn x\n"})
    found = where(view)
    assert found.file == f"{S}/prod.py"
    assert found.why.startswith("Procfile sets DJANGO_SETTINGS_MODULE=config.settings.staging, but its LOGGING has no")


def test_a_deployed_module_whose_logging_cannot_be_read_is_no_reason_to_fix_another(tmp_path):
    view = project(tmp_path, {"prod": file_logging(), "staging": "from .base import *\nLOGGING = make_logging()\n"},
                   {"Procfile": "web: DJANGO_SETTINGS_MODULE=config.settings.staging gunicorn x\n"})
    with pytest.raises(Ambiguous, match=r"Procfile sets DJANGO_SETTINGS_MODULE=config.settings.staging, whose LOGGING "
                                        r"cannot be read statically .* config.settings.prod"):
        where(view)


def test_no_holder_and_no_module_named_but_unreadable_logging_is_exit_2(tmp_path):
    files = {f"{S}/__init__.py": "", "config/__init__.py": "", f"{S}/prod.py": "LOGGING = make_logging()\n"}
    with pytest.raises(Ambiguous, match=r"the LOGGING of config.settings.prod \(config/settings/prod.py\) cannot be read"):
        where(make_repo(tmp_path, files))


def test_the_deployed_module_with_the_handler_writing_somewhere_unknown_is_not_overruled_by_a_path(tmp_path):
    view = project(tmp_path, {"prod": file_logging("get_log_file()"), "local": file_logging()},
                   {"Procfile": "web: DJANGO_SETTINGS_MODULE=config.settings.prod gunicorn x\n"})
    with pytest.raises(Ambiguous, match=r"Procfile sets .*config.settings.prod, which defines handler 'file' .*"
                                        r"config.settings.local \(config/settings/local.py\) defines handler 'file'"):
        where(view)
