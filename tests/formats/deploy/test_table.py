"""The package of gunicorn-stdout: its one table of deploy-file formats, and how fixbot and libcst.tool find it."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

from fixbot import codemods
from fixbot.codemods import Codemod, logging_console
from fixbot.codemods.gunicorn_stdout import GunicornStdout
from fixbot.formats.deploy.table import FORMATS, files, format_of
from fixbot.repo import _matcher
from tests.support import ROOT

REPO = ROOT

# Changing a line here changes which files fixbot reads in a repository: say why in the commit.
PINNED = {
    "python": ("gunicorn*.py", "*gunicorn*.conf.py", "gunicorn*.conf"),
    "dockerfile": ("dockerfile*", "*.dockerfile", "containerfile*"),
    "procfile": ("procfile*",),
    "compose": ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml"),
    "supervisord": ("supervisor*.conf", "supervisor*/*.conf", "*/supervisor*/*.conf", "supervisor*/*.ini",
                    "*/supervisor*/*.ini"),
    "systemd": ("*.service", "*.service.d/*.conf"),
    "env-file": (".env", "*.env", ".env.*"),
    "shell": ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "startup", "run"),
}

# A file named like one of these is looked for in a repository; the format it is read as (None: read only for
# DJANGO_SETTINGS_MODULE). Every name the three lists this table replaced had is here.
FOUND = [
    ("Dockerfile", "dockerfile"), ("Dockerfile.prod", "dockerfile"), ("dockerfile", "dockerfile"),
    ("web.Dockerfile", "dockerfile"), ("web.dockerfile", "dockerfile"), ("Containerfile", "dockerfile"),
    ("Procfile", "procfile"), ("Procfile.dev", "procfile"),
    ("docker-compose.yml", "compose"), ("docker-compose.prod.yaml", "compose"), ("compose.yaml", "compose"),
    ("gunicorn.conf.py", "python"), ("gunicorn_config.py", "python"), ("prod.gunicorn.conf.py", "python"),
    ("gunicorn.conf", "python"),
    ("supervisord.conf", "supervisord"), ("supervisor.conf", "supervisord"), ("supervisor/web.conf", "supervisord"),
    ("deploy/supervisor/web.conf", "supervisord"), ("supervisor/web.ini", "supervisord"),
    ("etc/supervisord.d/web.ini", "supervisord"),
    ("gunicorn.service", "systemd"), ("deploy/systemd/web@.service", "systemd"),
    ("etc/systemd/system/web.service.d/override.conf", "systemd"),
    ("entrypoint.sh", "shell"), ("entrypoint", "shell"), ("docker-entrypoint", "shell"), ("start", "shell"),
    ("startup", "shell"), ("start.sh", "shell"), ("run", "shell"), ("boot.bash", "shell"),
    (".env", None), ("prod.env", None), (".env.local", None),
]
# Read when handed to `fixbot codemod`, but not looked for in a repository.
NAMED_ONLY = [("settings.py", "python"), ("deploy/web.yml", "compose"), ("uwsgi.ini", "supervisord")]


def found_in_a_repository(path: str) -> bool:
    by_name, by_path = _matcher(files())
    return bool(by_name.match(path.rpartition("/")[2]) or by_path.match(path))


def test_the_table_is_pinned():
    assert {f.name: f.files for f in FORMATS} == PINNED


@pytest.mark.parametrize("path, kind", FOUND, ids=[p for p, _ in FOUND])
def test_deploy_files_are_found_and_read_as_their_format(path, kind):
    assert found_in_a_repository(path)
    found = format_of("", path)
    assert (found.name if found else None) == kind


@pytest.mark.parametrize("path, kind", NAMED_ONLY, ids=[p for p, _ in NAMED_ONLY])
def test_some_names_are_read_only_when_named(path, kind):
    assert not found_in_a_repository(path)
    assert format_of("", path).name == kind


@pytest.mark.parametrize(
    "path, text, kind",
    [
        pytest.param("entrypoint.py", "", "python", id="a name is tried against the formats in order"),
        pytest.param("start.ini", "", "supervisord", id="start.ini is an ini file"),
        pytest.param("dockerfiles/web.yml", "", "compose", id="a name pattern is not matched against the path"),
        pytest.param("boot", "#!/bin/sh\ncat >/etc/x.conf <<EOF\n[program:web]\nEOF\n", "shell", id="shebang first"),
        pytest.param("web", "; supervisord\n[program:web]\ncommand=gunicorn x\n", "supervisord", id="program section"),
        pytest.param("web", "gunicorn x\n", None, id="nothing tells"),
        pytest.param(".env", "#!/bin/sh\n", "shell", id="an env file is read by content"),
        pytest.param("deploy/gunicorn.conf", "[program:gunicorn]\ncommand=gunicorn app:app\n", "supervisord",
                     id="a gunicorn.conf holding a program section is supervisord's"),
        pytest.param("gunicorn.conf", "capture_output = True\nerrorlog = '/var/log/g/e.log'\n", "python",
                     id="a gunicorn.conf of settings is a config module"),
        pytest.param("gunicorn.conf", "# like [program:web] in supervisord\nbind = ':80'\n", "python",
                     id="a section named in a comment is no section"),
        pytest.param("gunicorn.conf.py", "[program:gunicorn]\n", "python", id="a .py name decides"),
        pytest.param("deploy/web.conf", "bind = ':80'\nworkers = 2\n", "python",
                     id="Python assigning Gunicorn's settings is a config module, whatever its name"),
        pytest.param("deploy/web.conf", "errorlog = '/var/log/web/error.log'\n", "python",
                     id="one log setting is enough"),
        pytest.param("deploy/web.conf", "workers = 2\n", None, id="one other setting is not"),
        pytest.param("deploy/web.conf", "[uwsgi]\nbind = :80\nworkers = 2\n", None, id="an ini file is not Python"),
        pytest.param("deploy/web.conf", "errorlog = /var/log/e.log\n", None, id="nor is a key = path line"),
        pytest.param("deploy/web", "# unit\n[Service]\nExecStart=/srv/bin/gunicorn app\n", "systemd",
                     id="a [Service] section is a systemd unit"),
    ],
)
def test_format_of_a_file(path, text, kind):
    found = format_of(text, path)
    assert (found.name if found else None) == kind


def test_the_codemod_looks_for_what_the_table_says():
    assert set(files()) - set(GunicornStdout.FILES) == set(PINNED["env-file"])


def test_the_walk_registers_a_codemod_package_once():
    found = [c for c in codemods.all_codemods().values() if c.__module__.startswith(logging_console.__name__)]
    assert found == [logging_console.LoggingConsole]
    for info in pkgutil.iter_modules(logging_console.__path__):
        module = importlib.import_module(f"{logging_console.__name__}.{info.name}")
        assert not [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Codemod)
                    and v.__module__ == module.__name__], info.name


def test_the_libcst_tool_still_finds_the_config_command(tmp_path):
    # libcst.tool imports `codemods.gunicorn_stdout` and asks the package for the command by name.
    config = tmp_path / "gunicorn.conf.py"
    config.write_text("bind = ':8000'\nerrorlog = '/var/log/app/error.log'\n")
    command = ["codemod", "--no-format", "--hide-progress", "gunicorn_stdout.GunicornConfigCommand", str(config)]
    run = subprocess.run([sys.executable, "-m", "libcst.tool", *command], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert config.read_text() == "bind = ':8000'\nerrorlog = '-'\n"
