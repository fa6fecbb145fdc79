"""`fixbot check` on real repositories: each way a directory comes to exist, the incident, --fix, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixbot.cli import main
from tests.support import realrun
from tests.support.repos import git
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "ledgersg"
FIXBOT = Path(sys.executable).parent / "fixbot"
DOCKERFILE = ("FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nENV DJANGO_SETTINGS_MODULE=app.settings\n"
              "CMD [\"./entrypoint.sh\"]\n")
SETTINGS = """\
LOGGING = {
    "version": 1,
    "handlers": {"file": {"class": "logging.FileHandler", "filename": "/var/log/myapp/app.log"}},
    "root": {"handlers": ["file"]},
}
"""


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def check(root: Path, *args: str) -> tuple[int, dict]:
    """The exit code and the findings of `fixbot check --format json` (test_not_judged.py reads the rest)."""
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, {"findings": json.loads(result.stdout)["findings"]}


# --- the incident ------------------------------------------------------------------------------------------


def test_the_incident_is_flagged_at_its_two_sites():
    code, out = check(EXAMPLE)
    assert code == 1
    assert [(f["path"], f["line"], f["log_path"], f["codemod"]) for f in out["findings"]] == [
        ("apps/backend/config/settings/service.py", 28, "/app/apps/backend/logs/api.log", "logging-console"),
        ("entrypoint.sh", 26, "/tmp/backend_logs/error.log", "gunicorn-stdout"),
    ]
    assert out["findings"][0]["evidence"].endswith(
        "entrypoint.sh:8 creates /tmp/backend_logs; nothing in this repository creates /app/apps/backend/logs")
    assert set(out["findings"][0]) == {"path", "line", "log_path", "evidence", "codemod", "rule"}


def test_fix_makes_the_example_boot_and_a_second_check_clean(tmp_path):
    copy = tmp_path / "ledgersg"
    shutil.copytree(EXAMPLE, copy)
    before = realrun.run_gunicorn(copy / "apps" / "backend", env={"DJANGO_SETTINGS_MODULE": "config.settings.service"})
    assert not before.booted and "Unable to configure handler 'file'" in before.output

    fixed = subprocess.run([str(FIXBOT), "check", str(copy), "--fix"], capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "fixed: entrypoint.sh (gunicorn-stdout)" in fixed.stderr
    assert fixed.stdout == "Found 2 findings (2 fixed, 0 remaining)\n"  # ruff's closing line after --fix
    assert check(copy) == (0, {"findings": []})

    # Gunicorn with the flags the fixed entrypoint now gives it, and the fixed settings: it answers.
    from fixbot.formats.deploy.gunicorn import find_invocations
    flags = find_invocations((copy / "entrypoint.sh").read_text(), "entrypoint.sh")[0].flags
    assert {f.value for f in flags} == {"-"}
    run = realrun.run_gunicorn(copy / "apps" / "backend", [*realrun.DEFAULT_GUNICORN_ARGS, "--access-logfile", "-",
                               "--error-logfile", "-", "--capture-output"],
                               env={"DJANGO_SETTINGS_MODULE": "config.settings.service"})
    assert run.status == 200, run.output


# --- each way a directory comes to exist ---------------------------------------------------------------------

MAKERS = {
    "Dockerfile RUN mkdir": {"Dockerfile": DOCKERFILE + "RUN mkdir -p /var/log/myapp\n"},
    "Dockerfile WORKDIR": {"Dockerfile": "FROM python:3.12\nWORKDIR /var/log/myapp\nWORKDIR /app\nCOPY . .\n"},
    "Dockerfile VOLUME": {"Dockerfile": DOCKERFILE + 'VOLUME ["/var/log/myapp"]\n'},
    "Dockerfile chown": {"Dockerfile": DOCKERFILE + "RUN useradd app && install -d /var/log && chown -R app /var/log/myapp\n"},
    "entrypoint mkdir -p": {"entrypoint.sh": "#!/bin/sh\nmkdir -p /var/log/myapp\nexec gunicorn app:app\n"},
    "entrypoint mkdir of an ENV": {"Dockerfile": DOCKERFILE + "ENV LOG_DIR=/var/log/myapp\n",
                                   "entrypoint.sh": '#!/bin/sh\nmkdir -p "$LOG_DIR"\nexec gunicorn app:app\n'},
    "compose volume": {"docker-compose.yml": "services:\n  web:\n    build: .\n    volumes:\n      - ./logs:/var/log/myapp\n"},
    "kubernetes mountPath": {"k8s/deploy.yaml": "spec:\n  containers:\n    - name: web\n      volumeMounts:\n"
                                                "        - name: logs\n          mountPath: /var/log/myapp\n"},
    "settings makedirs": {"app/settings.py": "import os\nos.makedirs('/var/log/myapp', exist_ok=True)\n" + SETTINGS},
}
SITES = {
    "settings LOGGING": ("app/settings.py", SETTINGS, 3, "logging-console"),
    "gunicorn.conf.py": ("gunicorn.conf.py", "bind = '0.0.0.0:8000'\nerrorlog = '/var/log/myapp/error.log'\n", 2,
                         "gunicorn-stdout"),
    "Procfile": ("Procfile", "web: gunicorn app:app --access-logfile /var/log/myapp/access.log\n", 1, "gunicorn-stdout"),
    "supervisord": ("supervisord.conf", "[program:web]\ncommand=gunicorn app:app --log-file=/var/log/myapp/g.log\n", 2,
                    "gunicorn-stdout"),
    "compose command": ("docker-compose.prod.yml", "services:\n  worker:\n    command: celery -A proj worker "
                        "--logfile=/var/log/myapp/celery.log\n", 3, "celery-stderr"),
    "Dockerfile CMD": ("deploy/Dockerfile.web", 'FROM python:3.12\nCMD ["gunicorn", "--error-logfile", '
                       '"/var/log/myapp/e.log", "app:app"]\n', 2, "gunicorn-stdout"),
}


def base_files(site: str) -> dict[str, str]:
    name, text, _, _ = SITES[site]
    files = {"Dockerfile": DOCKERFILE, "entrypoint.sh": "#!/bin/sh\nexec gunicorn app:app\n", name: text}
    return files


@pytest.mark.parametrize("site", SITES)
def test_nothing_creates_the_directory(tmp_path, site):
    name, _, line, codemod = SITES[site]
    code, out = check(repo(tmp_path, base_files(site)))
    assert code == 1
    [finding] = out["findings"]
    assert (finding["path"], finding["line"], finding["codemod"]) == (name, line, codemod)
    assert finding["evidence"].endswith("nothing in this repository creates /var/log/myapp")


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("site", ["settings LOGGING", "Procfile"])
def test_a_directory_the_repository_makes_is_no_finding(tmp_path, maker, site):
    files = base_files(site)
    for name, text in MAKERS[maker].items():
        files[name] = files[name] + text if name.endswith(".py") and name in files else text
    assert check(repo(tmp_path, files)) == (0, {"findings": []})


def test_a_handler_a_derived_settings_module_adds(tmp_path):
    base = SETTINGS.replace('"handlers": {"file": {"class": "logging.FileHandler", "filename": "/var/log/myapp/app.log"}},',
                            '"handlers": {},').replace('"root": {"handlers": ["file"]}', '"root": {"handlers": []}')
    derived = ("from .base import *  # noqa\n\nLOGGING['handlers']['file'] = {\n"
               "    'class': 'logging.FileHandler',\n    'filename': '/var/log/django/app.log',\n}\n")
    files = {"Dockerfile": DOCKERFILE.replace("app.settings", "app.production"), "app/__init__.py": "",
             "app/base.py": base, "app/production.py": derived}
    code, out = check(repo(tmp_path, files))
    assert [(f["path"], f["line"], f["log_path"]) for f in out["findings"]] == [
        ("app/production.py", 5, "/var/log/django/app.log")]
    fixed = CliRunner().invoke(main, ["check", str(tmp_path / "repo"), "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "FileHandler" not in (tmp_path / "repo" / "app" / "production.py").read_text()


DERIVED = {
    "replaces LOGGING": ("LOGGING = {'version': 1, 'handlers': {'console': {'class': 'logging.StreamHandler'}}}\n",
                         None),
    "replaces the handler": ("LOGGING['handlers']['file'] = {'class': 'logging.StreamHandler'}\n", None),
    "moves the filename": ("LOGGING['handlers']['file']['filename'] = '/tmp/app.log'\n", None),
    "moves it to a missing directory": ("LOGGING['handlers']['file']['filename'] = '/var/log/prod/app.log'\n",
                                        ("app/prod.py", 3, "/var/log/prod/app.log")),
    "changes it in a loop fixbot does not follow": ("for h in LOGGING['handlers'].values():\n"
                                                    "    h['filename'] = '/tmp/app.log'\n", None),
    "moves the filename by update()": ("LOGGING['handlers']['file'].update(\n    filename='/var/log/prod/app.log')\n",
                                       ("app/prod.py", 4, "/var/log/prod/app.log")),
    "changes only the level": ("LOGGING['handlers']['file']['level'] = 'INFO'\n",
                               ("app/base.py", 3, "/var/log/myapp/app.log")),
}


@pytest.mark.parametrize("derived", DERIVED)
def test_the_logging_the_deployed_module_produces_is_judged(tmp_path, derived):
    """base.py's file handler is a finding only when it survives into the LOGGING the deployed prod.py produces,
    and a finding is reported where the surviving filename is written."""
    text, found = DERIVED[derived]
    files = {"Dockerfile": DOCKERFILE.replace("app.settings", "app.prod"), "app/__init__.py": "",
             "app/base.py": SETTINGS, "app/prod.py": "from .base import *  # noqa\n\n" + text}
    code, out = check(repo(tmp_path, files))
    assert [(f["path"], f["line"], f["log_path"]) for f in out["findings"]] == ([found] if found else [])
    assert code == (1 if found else 0)


CONFIG_VALUES = {
    "f-string and +, directory made": ('LOG_DIR = "/app/logs"\nerrorlog = f"{LOG_DIR}/error.log"\n'
                                       'accesslog = LOG_DIR + "/access.log"\n', []),
    "f-string and +, directory missing": ('LOG_DIR = "/var/log/web"\nerrorlog = f"{LOG_DIR}/error.log"\n'
                                          'accesslog = os.path.join(LOG_DIR, "access.log")\n',
                                          [(3, "/var/log/web/error.log"), (4, "/var/log/web/access.log")]),
    "a name the module does not set": ('errorlog = f"{LOG_DIR}/error.log"\n', []),
    "a call fixbot cannot evaluate": ('errorlog = log_path("error.log")\n', []),
    "a path or the console": ('accesslog = "/var/log/web/access.log" if os.environ.get("PROD") else "-"\n',
                              [(2, "/var/log/web/access.log")]),
    "a path or an unknown": ('accesslog = "/var/log/web/access.log" if os.environ.get("PROD") else other()\n', []),
    "set again later": ('errorlog = "/var/log/web/error.log"\nerrorlog = "-"\n', []),
    "set again under a condition": ('errorlog = "/var/log/web/error.log"\nif os.environ.get("DEV"):\n'
                                    '    errorlog = "-"\n', [(2, "/var/log/web/error.log")]),
    "two paths": ('accesslog = "/var/log/web/access.log" if os.environ.get("PROD") else "/var/log/x/a.log"\n', []),
}


@pytest.mark.parametrize("case", CONFIG_VALUES)
def test_a_config_module_setting_is_judged_by_its_evaluated_value(tmp_path, case):
    """gunicorn.conf.py's values are Python expressions: evaluated statically, never taken as literal text."""
    text, found = CONFIG_VALUES[case]
    files = {"Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /app/logs\n'
                           'CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]\n',
             "gunicorn.conf.py": "import os\n" + text}
    root = repo(tmp_path, files)
    code, out = check(root)
    assert [(f["line"], f["log_path"]) for f in out["findings"]] == found
    assert all(f["path"] == "gunicorn.conf.py" for f in out["findings"])
    if not found:
        fixed = CliRunner().invoke(main, ["check", str(root), "--fix"])
        assert fixed.exit_code == 0 and (root / "gunicorn.conf.py").read_text() == "import os\n" + text


LOGGING_FILES = {
    "logging.ini": ("[loggers]\nkeys=root\n\n[handlers]\nkeys=file\n\n[formatters]\nkeys=\n\n[logger_root]\n"
                    "handlers=file\n\n[handler_file]\nclass=FileHandler\nargs=('/var/log/myapp/g.log', 'a')\n", 15,
                    "gunicorn --log-config logging.ini app:app"),
    "logging.yaml": ("version: 1\nhandlers:\n  file:\n    class: logging.FileHandler\n"
                     "    filename: /var/log/myapp/u.log\nroot:\n  handlers: [file]\n", 5,
                     "uvicorn app:app --log-config logging.yaml"),
    "log_config.json": ('{\n  "version": 1,\n  "handlers": {\n    "file": {\n      "class": "logging.FileHandler",\n'
                        '      "filename": "/var/log/myapp/j.log"\n    }\n  },\n  "root": {"handlers": ["file"]}\n}\n', 6,
                        "gunicorn --log-config-json log_config.json app:app"),
}


@pytest.mark.parametrize("name", LOGGING_FILES)
def test_yaml_json_and_ini_logging_configs_the_deploy_names(tmp_path, name):
    text, line, command = LOGGING_FILES[name]
    files = {"Dockerfile": DOCKERFILE, "entrypoint.sh": f"#!/bin/sh\nexec {command}\n", name: text}
    code, out = check(repo(tmp_path, files))
    assert [(f["path"], f["line"], f["codemod"]) for f in out["findings"]] == [(name, line, "logging-console")]
    fixed = CliRunner().invoke(main, ["check", str(tmp_path / "repo"), "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert "FileHandler" not in (tmp_path / "repo" / name).read_text()
    files["Dockerfile"] += "RUN mkdir -p /var/log/myapp\n"
    assert check(repo(tmp_path / "made", files)) == (0, {"findings": []})
    del files["entrypoint.sh"]  # a logging config nothing names is not judged
    files["Dockerfile"] = DOCKERFILE
    assert check(repo(tmp_path / "unused", files)) == (0, {"findings": []})


def test_fix_names_a_formatter_its_rewrite_leaves_unused_as_fixbot_codemod_does(tmp_path):
    settings = """\
LOGGING = {
    "version": 1,
    "formatters": {"full": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "stamped": {"format": "%(asctime)s %(levelname)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "full"},
                 "file": {"class": "logging.FileHandler", "filename": "/var/log/myapp/app.log", "formatter": "stamped"}},
    "root": {"handlers": ["console", "file"]},
}
"""
    root = repo(tmp_path, {"Dockerfile": DOCKERFILE, "app/__init__.py": "", "app/settings.py": settings})
    fixed = subprocess.run([str(FIXBOT), "check", str(root), "--fix"], capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stderr.splitlines()[:2] == [
        "fixbot: fixed: app/settings.py (logging-console)",
        "fixbot: app/settings.py: formatter 'stamped' is no longer used: the lines it formatted are printed with"
        " another handler's format",
    ]


@pytest.mark.parametrize("name, text, line", [
    pytest.param("logging.ini", LOGGING_FILES["logging.ini"][0].replace("args=('/var/log/myapp/g.log', 'a')",
                 "kwargs={'filename': '/var/log/myapp/g.log'}"), 15, id="an INI handler's filename in kwargs"),
    pytest.param("logging.yaml", LOGGING_FILES["logging.yaml"][0].replace("logging.FileHandler", "myapp.Rotating"), 5,
                 id="a handler of its own class with a filename"),
])
def test_a_file_handler_logging_console_rewrites_is_a_finding_though_the_old_check_reader_missed_it(
        tmp_path, name, text, line):
    command = f"gunicorn --log-config {name} app:app"
    files = {"Dockerfile": DOCKERFILE, "entrypoint.sh": f"#!/bin/sh\nexec {command}\n", name: text}
    assert [(f["path"], f["line"]) for f in check(repo(tmp_path, files))[1]["findings"]] == [(name, line)]


def test_gunicorns_logconfig_dict_writing_to_a_directory_nothing_makes_is_a_finding(tmp_path):
    conf = ('logconfig_dict = {\n    "version": 1,\n    "handlers": {\n        "file": {\n'
            '            "class": "logging.FileHandler",\n            "filename": "/var/log/app/x.log",\n'
            '        },\n    },\n    "root": {"handlers": ["file"]},\n}\n')
    dockerfile = 'FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\nCMD ["gunicorn", "app:app"]\n'
    files = {"Dockerfile": dockerfile, "gunicorn.conf.py": conf, "app.py": "app = None\n"}
    code, out = check(repo(tmp_path, files))
    assert code == 1
    assert [(f["path"], f["line"], f["log_path"], f["codemod"]) for f in out["findings"]] == [
        ("gunicorn.conf.py", 6, "/var/log/app/x.log", "logging-console")]
    files["Dockerfile"] = dockerfile.replace("WORKDIR", "RUN mkdir -p /var/log/app\nWORKDIR")
    assert check(repo(tmp_path / "made", files)) == (0, {"findings": []})


def test_a_tracked_directory_copied_into_the_image_exists(tmp_path):
    settings = SETTINGS.replace("/var/log/myapp/app.log", "/app/logs/app.log")
    files = {"Dockerfile": DOCKERFILE, "app/settings.py": settings}
    assert check(repo(tmp_path, files))[0] == 1
    files["logs/.gitkeep"] = ""
    assert check(repo(tmp_path / "tracked", files)) == (0, {"findings": []})


def test_an_environment_default_is_judged_and_said(tmp_path):
    settings = "import os\nLOG_DIR = os.environ.get('LOG_DIR', '/var/log/myapp')\n" + SETTINGS.replace(
        '"/var/log/myapp/app.log"', 'os.path.join(LOG_DIR, "app.log")')
    code, out = check(repo(tmp_path, {"Dockerfile": DOCKERFILE, "app/settings.py": settings}))
    assert code == 1
    assert "LOG_DIR is set nowhere in the repository: judged by its default '/var/log/myapp/app.log'" in \
        out["findings"][0]["evidence"]
    set_by_image = {"Dockerfile": DOCKERFILE + "ENV LOG_DIR=/tmp\n", "app/settings.py": settings}
    assert check(repo(tmp_path / "set", set_by_image)) == (0, {"findings": []})


def test_a_shell_default_is_judged_and_said(tmp_path):
    script = '#!/bin/sh\nexec gunicorn app:app --error-logfile "${LOG_DIR:-/var/log/myapp}/e.log"\n'
    code, out = check(repo(tmp_path, {"Dockerfile": DOCKERFILE, "entrypoint.sh": script}))
    assert code == 1 and out["findings"][0]["log_path"] == "/var/log/myapp/e.log"
    assert "LOG_DIR is set nowhere in the repository: judged by its default" in out["findings"][0]["evidence"]
    compose = "services:\n  web:\n    build: .\n    environment:\n      LOG_DIR: /tmp\n"
    files = {"Dockerfile": DOCKERFILE, "entrypoint.sh": script, "docker-compose.yml": compose}
    assert check(repo(tmp_path / "set", files)) == (0, {"findings": []})


@pytest.mark.parametrize("files", [
    pytest.param({"Dockerfile": "FROM acme/django-base:3\nCOPY . /app\n", "app/settings.py": SETTINGS},
                 id="a base image fixbot does not know"),
    pytest.param({"app/settings.py": SETTINGS}, id="no container described"),
    pytest.param({"Dockerfile": DOCKERFILE, "app/settings.py": "from pathlib import Path\nBASE_DIR = "
                  "Path(__file__).resolve().parent\n" + SETTINGS.replace('"/var/log/myapp/app.log"',
                                                                         'BASE_DIR / "logs" / "a.log"')},
                 id="a path from __file__"),
    pytest.param({"Dockerfile": DOCKERFILE, "start.sh": "exec gunicorn app:app --error-logfile $LOGS/e.log\n"},
                 id="a variable without a default"),
])
def test_what_fixbot_cannot_evaluate_gets_no_finding(tmp_path, files):
    assert check(repo(tmp_path, files)) == (0, {"findings": []})


@pytest.mark.parametrize("files", [
    pytest.param({"Dockerfile": DOCKERFILE, "app/settings.py": "", "app/production.py": SETTINGS},
                 id="settings the deploy does not run"),
    pytest.param({"Dockerfile": DOCKERFILE, "entrypoint.sh": "#!/bin/sh\nexec gunicorn -c deploy/web.py app:app\n",
                  "deploy/gunicorn_old.py": "errorlog = '/var/log/myapp/e.log'\n"}, id="a Gunicorn config nothing reads"),
    pytest.param({"Dockerfile": DOCKERFILE, "deploy/vm-start.sh": "gunicorn app:app --error-logfile /var/log/myapp/e\n"},
                 id="a script the container does not run"),
])
def test_files_the_deploy_does_not_run_are_not_judged(tmp_path, files):
    assert check(repo(tmp_path, files)) == (0, {"findings": []})
    files["Dockerfile"] += "ENV DJANGO_SETTINGS_MODULE=app.production\nRUN sh deploy/vm-start.sh\n"
    files["entrypoint.sh"] = "#!/bin/sh\nexec gunicorn -c deploy/gunicorn_old.py app:app\n"
    assert check(repo(tmp_path / "run", files))[0] == 1


RELATIVE = 'FROM python:3.12\nWORKDIR /srv/web\nCOPY . .\nCMD ["gunicorn", "--error-logfile", "logs/e.log", "app:app"]\n'


@pytest.mark.parametrize("files, found", [
    pytest.param({"Dockerfile": RELATIVE}, True, id="nothing makes WORKDIR/logs"),
    pytest.param({"Dockerfile": RELATIVE, "logs/.gitkeep": ""}, False, id="tracked and copied"),
    pytest.param({"Dockerfile": RELATIVE.replace('CMD ["gunicorn"', 'CMD ["gunicorn", "--chdir", "/srv"')}, False,
                 id="--chdir: relative to something else"),
    pytest.param({"Dockerfile": RELATIVE, "compose.yml": "services:\n  web:\n    build: .\n    working_dir: /x\n"},
                 False, id="compose working_dir"),
])
def test_a_relative_path_is_judged_from_workdir(tmp_path, files, found):
    code, out = check(repo(tmp_path, files))
    assert [f["log_path"] for f in out["findings"]] == (["/srv/web/logs/e.log"] if found else [])
    if found:
        assert "(relative to WORKDIR /srv/web)" in out["findings"][0]["evidence"]


def test_text_from_the_repository_is_printed_inert_and_on_one_line(tmp_path):
    """A log path holding newlines, workflow commands and an escape sequence: no line of the output starts a
    command the Actions runner would run, and each finding is one line (the way fixbot's other output is)."""
    word = '"/var/log/a\n::error file=app.py,line=1::PWNED\n##[error]legacy \x1b[31mred/e.log"'
    files = {"Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["./entrypoint.sh"]\n',
             "entrypoint.sh": f"#!/bin/sh\nexec gunicorn --error-logfile {word} app:app\n"}
    root = repo(tmp_path, files)
    for fmt in ("text", "json", "sarif"):
        result = CliRunner().invoke(main, ["check", str(root), "--format", fmt])
        assert result.exit_code == 1, result.output
        assert "##[" not in result.stdout and "\x1b" not in result.stdout
        assert not any(line.lstrip().startswith("::") for line in result.stdout.splitlines())
    text = CliRunner().invoke(main, ["check", str(root)]).stdout.splitlines()
    assert len(text) == 3 and text[0].startswith("entrypoint.sh:2: log-dir-missing ") and "\\n::error file=app.py" in text[0]
    assert text[1:] == ["  fix: fixbot codemod gunicorn-stdout entrypoint.sh", "Found 1 finding (1 fixable with --fix)"]


# --- the user the container runs as --------------------------------------------------------------------------

AS_APP = "FROM python:3.12-slim\nRUN useradd app && mkdir -p /var/log/myapp\nCOPY . /app\n" \
         "ENV DJANGO_SETTINGS_MODULE=app.settings\nUSER app\nCMD [\"gunicorn\", \"app.wsgi\"]\n"


@pytest.mark.parametrize("dockerfile, settings, unwritable", [
    pytest.param(AS_APP, SETTINGS, True, id="RUN mkdir as root, USER app"),
    pytest.param(AS_APP.replace("&& mkdir", "&& install -d -o app /var/log/myapp && chown app"), SETTINGS, False,
                 id="chown to the user"),
    pytest.param(AS_APP.replace("mkdir -p /var/log/myapp", "mkdir -p /var/log/myapp && chmod 777 /var/log/myapp"),
                 SETTINGS, False, id="chmod"),
    pytest.param(AS_APP, SETTINGS.replace("/var/log/myapp/app.log", "/var/log/app.log"), True, id="/var/log itself"),
    pytest.param(AS_APP, SETTINGS.replace("/var/log/myapp/app.log", "/tmp/app.log"), False, id="/tmp"),
    pytest.param(AS_APP.replace("USER app\n", ""), SETTINGS, False, id="runs as root"),
    pytest.param(AS_APP.replace("COPY . /app", "COPY --chown=app . /app"),
                 SETTINGS.replace("/var/log/myapp/app.log", "/app/logs/app.log"), False, id="COPY --chown"),
    pytest.param(AS_APP, SETTINGS.replace("/var/log/myapp/app.log", "/app/logs/app.log"), True,
                 id="a tracked directory copied as root"),
    pytest.param(AS_APP.replace('CMD ["gunicorn", "app.wsgi"]', 'ENTRYPOINT ["gosu", "app"]'), SETTINGS, False,
                 id="gosu: fixbot does not follow"),
    pytest.param(AS_APP.replace("mkdir -p", "install -d -o app -g app"), SETTINGS, False, id="install -o the user"),
    pytest.param(AS_APP.replace("mkdir -p", "install -d --owner=app"), SETTINGS, False, id="install --owner="),
    pytest.param(AS_APP.replace("mkdir -p", "install -d -o root -g app"), SETTINGS, True, id="install -o root"),
    pytest.param(AS_APP.replace("mkdir -p", "install -d -g app"), SETTINGS, True, id="install -g alone"),
    pytest.param(AS_APP.replace("mkdir -p", "install -d -m 1777"), SETTINGS, False, id="install -d -m 1777"),
    pytest.param(AS_APP.replace("mkdir -p", "mkdir -m 777 -p"), SETTINGS, False, id="mkdir -m 777"),
    pytest.param(AS_APP.replace("mkdir -p", "mkdir -p -m0777"), SETTINGS, False, id="mkdir -m0777"),
    pytest.param(AS_APP.replace("mkdir -p", "mkdir -p --mode=a+w"), SETTINGS, False, id="mkdir --mode=a+w"),
    pytest.param(AS_APP.replace("mkdir -p", "mkdir -m 755 -p"), SETTINGS, True, id="mkdir -m 755"),
])
def test_a_directory_only_root_may_write(tmp_path, dockerfile, settings, unwritable):
    code, out = check(repo(tmp_path, {"Dockerfile": dockerfile, "app/settings.py": settings, "logs/.keep": ""}))
    assert [f["rule"] for f in out["findings"]] == (["log-dir-unwritable"] if unwritable else [])
    if unwritable:
        assert "as root and nothing hands it to app" in out["findings"][0]["evidence"] or \
            "belongs to root in the base image" in out["findings"][0]["evidence"]


def test_a_user_that_does_not_own_the_directory_cannot_configure_the_handler(tmp_path):
    """What the finding claims, for real: dictConfig run as another user than the directory's owner fails."""
    import os
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="fixbot-owner-"))
    try:
        shared.chmod(0o755)
        (shared / "logs").mkdir(mode=0o755)  # made by root, as `RUN mkdir` makes it
        script = ("import logging.config; logging.config.dictConfig({'version': 1, 'handlers': {'file': {"
                  f"'class': 'logging.FileHandler', 'filename': '{shared}/logs/app.log'}}}}}})")
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script]
        if os.geteuid() != 0 or not Path("/usr/bin/python3").exists() or not shutil.which("setpriv"):
            pytest.skip("needs root, setpriv and a system python3")
        failed = subprocess.run(as_nobody, capture_output=True, text=True)
        assert failed.returncode == 1 and "Unable to configure handler 'file'" in failed.stderr
        os.chown(shared / "logs", 65534, 65534)  # what `chown app /var/log/myapp` does
        assert subprocess.run(as_nobody, capture_output=True, text=True).returncode == 0
    finally:
        shutil.rmtree(shared)


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "file").write_text("")
    for path in (tmp_path / "missing", tmp_path / "file"):
        done = subprocess.run([str(FIXBOT), "check", str(path)], capture_output=True, text=True)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# --- SARIF for GitHub code scanning ---------------------------------------------------------------------------


def test_sarif_is_valid_2_1_0_that_code_scanning_takes():
    from sarif_pydantic import Sarif

    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "--format", "sarif"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    log = Sarif.model_validate(document)  # types, required fields and enums of the SARIF 2.1.0 model
    # What the model leaves open and GitHub's upload checks: the version, a tool named fixbot with its rules,
    # every result's ruleId among them, a message, a relative URI and a 1-based start line.
    assert document["version"] == "2.1.0" and len(log.runs) == 1
    driver = log.runs[0].tool.driver
    assert driver.name == "fixbot"
    rules = {rule.id for rule in driver.rules}
    assert [r.rule_id for r in log.runs[0].results] == ["log-dir-missing", "gunicorn-output-in-file"]
    for result in document["runs"][0]["results"]:
        assert result["ruleId"] in rules and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert location["region"]["startLine"] >= 1
    assert document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "apps/backend/config/settings/service.py"


def test_the_sarif_validator_rejects_what_github_would():
    from pydantic import ValidationError
    from sarif_pydantic import Sarif

    document = json.loads(CliRunner().invoke(main, ["check", str(EXAMPLE), "--format", "sarif"]).stdout)
    del document["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(ValidationError):
        Sarif.model_validate(document)


# --- pre-commit ------------------------------------------------------------------------------------------------


def test_pre_commit_try_repo_runs_the_hook(tmp_path):
    """pre-commit installs this repository's hook into its own environment (from the package registry, like any
    python hook) and runs `fixbot check` on another repository: failing on a missing directory, then passing."""
    project = ROOT
    app = repo(tmp_path, {"Dockerfile": DOCKERFILE, "app/settings.py": SETTINGS})
    env = {**realrun.clean_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "HOME": str(tmp_path)}
    command = [str(Path(sys.executable).parent / "pre-commit"), "try-repo", str(project), "fixbot-check", "--all-files"]
    failed = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "nothing in this repository creates /var/log/myapp" in failed.stdout
    (app / "Dockerfile").write_text(DOCKERFILE + "RUN mkdir -p /var/log/myapp\n")
    git(app, "add", "-A")
    passed = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=300)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
