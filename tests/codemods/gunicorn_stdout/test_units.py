"""gunicorn-stdout on systemd units, on daemonised Gunicorn, and on config modules told by their content."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fixbot.formats import Refusal
from fixbot.codemods.celery_stderr import CeleryStderr
from fixbot.codemods.gunicorn_stdout import GunicornStdout
from fixbot.formats.deploy.gunicorn import find_invocations
from tests.support.parsecheck import assert_shell_fixed


def rewrite(source: str, filename: str = "app.service", **options) -> str:
    return GunicornStdout.rewrite(source, filename, **options)


# -- systemd units ------------------------------------------------------------------------------------------------
UNIT = "[Unit]\nDescription=web\n\n[Service]\n{service}\n[Install]\nWantedBy=multi-user.target\n"


@pytest.mark.parametrize(
    "service, fixed",
    [
        pytest.param('Environment=APP_LOG=/var/log/app/app.log\nExecStart=/srv/venv/bin/gunicorn app:app \\\n'
                     '    --workers 2 --log-file "${APP_LOG}"\n',
                     'Environment=APP_LOG=/var/log/app/app.log\nExecStart=/srv/venv/bin/gunicorn app:app \\\n'
                     '    --workers 2 --log-file "-"\n', id="continuation, value from Environment="),
        pytest.param("ExecStart=-/srv/venv/bin/gunicorn app:app --error-logfile=/var/log/app/e.log\n",
                     "ExecStart=-/srv/venv/bin/gunicorn app:app --error-logfile=-\n", id="prefix -"),
        pytest.param("ExecStart=@/srv/venv/bin/gunicorn web-gunicorn app:app --access-logfile /var/log/a.log\n",
                     "ExecStart=@/srv/venv/bin/gunicorn web-gunicorn app:app --access-logfile -\n",
                     id="prefix @ names argv[0]"),
        pytest.param("ExecStart=+!/srv/venv/bin/gunicorn app:app --log-file /var/log/g.log\n",
                     "ExecStart=+!/srv/venv/bin/gunicorn app:app --log-file -\n", id="prefixes +!"),
        pytest.param('Environment="OPTS=--workers 2 --access-logfile /var/log/a.log" PORT=8000\n'
                     "ExecStart=/srv/venv/bin/gunicorn $OPTS -b 127.0.0.1:${PORT} app:app\n",
                     'Environment="OPTS=--workers 2 --access-logfile -" PORT=8000\n'
                     "ExecStart=/srv/venv/bin/gunicorn $OPTS -b 127.0.0.1:${PORT} app:app\n",
                     id="$OPTS is split into words: the flag is edited in Environment="),
        pytest.param('Environment="GUNICORN_CMD_ARGS=--error-logfile /var/log/e.log"\n'
                     "ExecStart=/srv/venv/bin/gunicorn app:app\n",
                     'Environment="GUNICORN_CMD_ARGS=--error-logfile -"\n'
                     "ExecStart=/srv/venv/bin/gunicorn app:app\n", id="GUNICORN_CMD_ARGS in Environment="),
        pytest.param("EnvironmentFile=/etc/web.env\nExecStart=/srv/venv/bin/gunicorn app:app \\\n"
                     "# the log\n    --error-logfile ${LOG_DIR}/e.log \\\n    --workers 2\n",
                     "EnvironmentFile=/etc/web.env\nExecStart=/srv/venv/bin/gunicorn app:app \\\n"
                     "# the log\n    --error-logfile - \\\n    --workers 2\n",
                     id="comment inside a continuation, variable from EnvironmentFile="),
        pytest.param("ExecStart=/bin/bash -c 'cd /srv/app && exec venv/bin/gunicorn app:app --log-file \"$LOG\"'\n",
                     "ExecStart=/bin/bash -c 'cd /srv/app && exec venv/bin/gunicorn app:app --log-file \"-\"'\n",
                     id="bash -c"),
        pytest.param("ExecStartPre=/bin/mkdir -p /var/log/app\r\nExecStart=/usr/bin/gunicorn a:b \\\r\n"
                     "  --error-logfile /var/log/app/e.log\r\n",
                     "ExecStartPre=/bin/mkdir -p /var/log/app\r\nExecStart=/usr/bin/gunicorn a:b \\\r\n"
                     "  --error-logfile -\r\n", id="CRLF"),
    ],
)
def test_systemd_fixes(service, fixed):
    before, after = UNIT.format(service=service), UNIT.format(service=fixed)
    assert rewrite(before) == after
    assert rewrite(after) == after
    assert all(flag.value == "-" for inv in find_invocations(after, "app.service") for flag in inv.flags)


def test_systemd_reports_the_variables_value():
    source = UNIT.format(service="Environment=LOG=/var/log/app/app.log\nExecStart=/usr/bin/gunicorn a:b "
                                 "--log-file ${LOG}\n")
    [invocation] = find_invocations(source, "web.service")
    assert [(f.flag, f.value, f.line) for f in invocation.flags] == [("--log-file", "/var/log/app/app.log", 6)]


@pytest.mark.parametrize(
    "service",
    [
        pytest.param("ExecStart=/usr/bin/gunicorn app:app --log-file -\n", id="already on stderr"),
        pytest.param("ExecStartPre=/bin/mkdir -p /var/log/gunicorn\nExecStart=/usr/bin/gunicorn app:app\n",
                     id="no log flag"),
        pytest.param("ExecStart=/usr/bin/uwsgi --ini app.ini\nExecReload=/bin/kill -HUP $MAINPID\n",
                     id="gunicorn named only in Description"),
        pytest.param("#ExecStart=/usr/bin/gunicorn app:app --log-file /var/log/g.log\nExecStart=/usr/bin/gunicorn a\n",
                     id="commented out"),
    ],
)
def test_systemd_noop(service):
    source = UNIT.replace("Description=web", "Description=gunicorn web").format(service=service)
    assert rewrite(source) == source


def test_an_exec_line_outside_service_is_not_read():
    source = "[X-Notes]\nExecStart=/usr/bin/gunicorn app --log-file /var/log/g.log\n[Service]\nExecStart=/bin/true\n"
    assert rewrite(source) == source


def test_systemd_refuses_an_unclosed_quote():
    with pytest.raises(Refusal, match="no closing quotation"):
        rewrite(UNIT.format(service='ExecStart=/usr/bin/gunicorn app --log-file "/var/log/g.log\n'))


def test_celery_reads_systemd_units_through_the_same_table():
    before = UNIT.format(service="Environment=LOG=/var/log/celery/w.log\nExecStart=/srv/venv/bin/celery -A proj "
                                 "worker \\\n    --logfile=${LOG} -l info\n")
    after = UNIT.format(service="Environment=LOG=/var/log/celery/w.log\nExecStart=/srv/venv/bin/celery -A proj "
                                "worker -l info\n")
    assert CeleryStderr.rewrite(before, "worker.service") == after


# -- daemon: Gunicorn's daemonize() points stdout and stderr at /dev/null ------------------------------------------
@pytest.mark.parametrize(
    "filename, source",
    [
        pytest.param("start.sh", "exec gunicorn app:app -D --error-logfile /var/log/e.log\n", id="-D"),
        pytest.param("start.sh", "gunicorn --daemon app:app --access-logfile /var/log/a.log &\n", id="--daemon"),
        pytest.param("start.sh", "gunicorn --da app:app --log-file /var/log/g.log\n", id="--da, argparse's prefix"),
        pytest.param("start.sh", 'OPTS="-D --log-file /var/log/g.log"\ngunicorn app:app $OPTS\n', id="from $OPTS"),
        pytest.param("start.sh", 'GUNICORN_CMD_ARGS="--daemon --log-file /l/g.log" gunicorn app\n',
                     id="GUNICORN_CMD_ARGS"),
        pytest.param("web.service", "[Service]\nType=forking\nExecStart=/usr/bin/gunicorn -D app --log-file /l/g.log\n",
                     id="systemd Type=forking"),
        pytest.param("gunicorn.conf.py", "daemon = True\nerrorlog = '/var/log/e.log'\n", id="config module"),
        pytest.param("gunicorn.conf", "daemon = 'true'\nerrorlog = '/var/log/e.log'\n", id="'true', as validate_bool reads it"),
        pytest.param("gunicorn.conf.py", "import os\ndaemon = os.environ.get('DAEMON', True)\nerrorlog = '/l/e.log'\n",
                     id="config module, daemon decided at run time"),
        pytest.param("gunicorn.conf.py", "daemon = True\nenable_stdio_inheritance = INHERIT\nerrorlog = '/l/e.log'\n",
                     id="config module, inheritance not literally True"),
    ],
)
def test_a_daemon_is_refused(filename, source):
    with pytest.raises(Refusal, match="daemon .*/dev/null"):
        rewrite(source, filename)


@pytest.mark.parametrize(
    "filename, before, after",
    [
        pytest.param("start.sh", "gunicorn app:app -D -R --error-logfile /var/log/e.log\n",
                     "gunicorn app:app -D -R --error-logfile -\n", id="-D -R"),
        pytest.param("start.sh", "gunicorn app:app --daemon --enable-s --log-file /l/g.log\n",
                     "gunicorn app:app --daemon --enable-s --log-file -\n", id="--enable-stdio-inheritance prefix"),
        pytest.param("gunicorn.conf.py", "daemon = True\nenable_stdio_inheritance = True\nerrorlog = '/l/e.log'\n",
                     "daemon = True\nenable_stdio_inheritance = True\nerrorlog = '-'\n", id="config inherits stdio"),
        pytest.param("gunicorn.conf.py", "daemon = False\nerrorlog = '/l/e.log'\n", "daemon = False\nerrorlog = '-'\n",
                     id="daemon = False"),
        pytest.param("gunicorn.py", "daemon = ' False'\nerrorlog = '/l/e.log'\n", "daemon = ' False'\nerrorlog = '-'\n",
                     id="daemon = ' False', a string validate_bool reads as false"),
        pytest.param("gunicorn.conf.py", "daemon = True\nenable_stdio_inheritance = 'TRUE'\nerrorlog = '/l/e.log'\n",
                     "daemon = True\nenable_stdio_inheritance = 'TRUE'\nerrorlog = '-'\n", id="'TRUE' inherits"),
        pytest.param("start.sh", "gunicorn app:app --dogstatsd-tags a:b --log-file /l/g.log\n",
                     "gunicorn app:app --dogstatsd-tags a:b --log-file -\n", id="--d… is not --daemon"),
    ],
)
def test_a_daemon_that_keeps_stdio_or_no_daemon_is_fixed(filename, before, after):
    assert rewrite(before, filename) == after
    assert rewrite(after, filename) == after


@pytest.mark.parametrize("filename, source", [
    pytest.param("start.sh", "exec gunicorn app:app -D --error-logfile -\n", id="command line"),
    pytest.param("gunicorn.conf.py", "daemon = True\nerrorlog = '-'\n", id="config module"),
])
def test_a_daemon_with_nothing_to_change_is_left_alone(filename, source):
    assert rewrite(source, filename) == source


def test_daemon_flags_match_gunicorns_parser():
    """-D/--daemon and -R/--enable-stdio-inheritance are recognised exactly as Gunicorn's argparse takes them."""
    from gunicorn.config import Config

    from fixbot.formats.deploy.scan import _switch

    parser = Config().parser()
    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    for short, option, dest, shortest in (("-D", "--daemon", "daemon", 4),
                                          ("-R", "--enable-stdio-inheritance", "enable_stdio_inheritance", 10)):
        assert getattr(parser.parse_args(["app", short]), dest) is True
        for n in range(3, len(option) + 1):
            prefix = option[:n]
            unique = [o for o in options if o.startswith(prefix)] == [option]
            assert _switch(prefix.encode(), short.encode(), option.encode(), shortest) == unique, prefix
            if unique:
                assert getattr(parser.parse_args(["app", prefix]), dest) is True


# -- a config module named without .py, told by its content ------------------------------------------------------
def _codemod(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fixbot.cli", "codemod", "gunicorn-stdout", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_the_cli_rewrites_a_config_module_whatever_its_name(tmp_path):
    (tmp_path / "deploy").mkdir()
    conf = tmp_path / "deploy/web.conf"
    conf.write_text("bind = '0.0.0.0:8000'\nworkers = 2\nerrorlog = '/var/log/web/error.log'  # errors\n")
    run = _codemod("deploy/web.conf", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert conf.read_text() == "bind = '0.0.0.0:8000'\nworkers = 2\nerrorlog = '-'  # errors\n"


def test_the_cli_still_refuses_a_file_that_is_neither(tmp_path):
    conf = tmp_path / "web.conf"
    text = "upstream gunicorn {\n  server 127.0.0.1:8000;\n}\naccess_log /var/log/nginx/a.log;\n"
    conf.write_text(text)
    run = _codemod("web.conf", cwd=tmp_path)
    assert (run.returncode, conf.read_text()) == (2, text)
    assert "cannot tell what kind of file web.conf is" in run.stderr


def test_a_shell_script_of_assignments_is_not_a_config_module():
    source = "#!/bin/sh\nbind=0.0.0.0:8000\nworkers=2\nexec gunicorn app -b $bind --error-logfile /l/e.log\n"
    after = rewrite(source, "deploy/launch")
    assert after.endswith("--error-logfile -\n")
    assert_shell_fixed(after, "deploy/launch")
