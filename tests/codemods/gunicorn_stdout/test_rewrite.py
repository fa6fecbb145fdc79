"""gunicorn-stdout: Gunicorn's log flags become `-` in every file that starts it, and nothing else moves."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixbot.formats import Refusal
from fixbot.codemods.gunicorn_stdout import GunicornStdout
from fixbot.formats.deploy.gunicorn import find_invocations
from tests.support.parsecheck import assert_parses, assert_shell_fixed

SEED_BEFORE = r'''#!/bin/bash
set -e
mkdir -p /tmp/backend_logs
chown user:user /tmp/backend_logs
chmod 755 /tmp/backend_logs

# Start Django with Gunicorn (production WSGI)
sudo -u user nohup bash -c "
source /opt/venv/bin/activate &&
cd /app/apps/backend &&
gunicorn config.wsgi:application \
-b 0.0.0.0:${BACKEND_PORT} \
--workers 2 \
--threads 2 \
--worker-class gthread \
--timeout 60 \
--keep-alive 5 \
--max-requests 1000 \
--max-requests-jitter 50 \
--access-logfile /tmp/backend_logs/access.log \
--error-logfile /tmp/backend_logs/error.log \
--capture-output \
--enable-stdio-inheritance
" > /tmp/backend.log 2>&1 &
BACKEND_PID=$!
echo "✓ Backend PID: ${BACKEND_PID} (Gunicorn: 2 workers, 2 threads)"
'''
SEED_AFTER = SEED_BEFORE.replace("/tmp/backend_logs/access.log", "-").replace("/tmp/backend_logs/error.log", "-")
SEED_AFTER_NO_DIRS = SEED_AFTER.replace(
    "mkdir -p /tmp/backend_logs\nchown user:user /tmp/backend_logs\nchmod 755 /tmp/backend_logs\n", ""
)


def rewrite(source: str, filename: str = "entrypoint.sh", **options) -> str:
    return GunicornStdout.rewrite(source, filename, **options)


# -- shell scripts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        pytest.param("exec gunicorn app:app --access-logfile - --error-logfile -\n", id="already stdout"),
        pytest.param("exec gunicorn app:app --error-logfile='-' --log-file \"-\"\n", id="already stdout, quoted"),
        pytest.param("exec gunicorn app:app --bind :8000 --workers 3\n", id="no log flags"),
        pytest.param("#!/bin/sh\nexec uwsgi --ini uwsgi.ini --logto /var/log/uwsgi.log\n", id="no gunicorn"),
        pytest.param("# gunicorn app --error-logfile /var/log/g.log\nexec gunicorn app\n", id="flag in a comment"),
        pytest.param("echo gunicorn --error-logfile /var/log/g.log\n", id="gunicorn as echo's argument"),
        pytest.param("pip install gunicorn --log-file /tmp/pip.log\n", id="pip's own --log-file"),
        pytest.param("exec gunicorn app --access-logformat '%(h)s --access-logfile x'\n", id="flag inside a value"),
        pytest.param("exec gunicorn app -- --error-logfile /x\n", id="after --"),
        pytest.param("exec gunicorn app $LOG_FLAGS \"$@\"\n", id="flags from outside the file"),
        pytest.param("cat > /etc/supervisor/conf.d/web.conf <<EOF\ncommand=gunicorn app --log-file /l/g.log\nEOF\n",
                     id="heredoc text is not a command"),
        pytest.param("celery -A proj worker --logfile /var/log/celery.log &\nexec gunicorn app\n", id="celery --logfile"),
        pytest.param("exec gunicorn app > /var/log/g.log 2>&1\n", id="shell redirection is not a flag"),
    ],
)
def test_shell_noop(source):
    assert rewrite(source) == source


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(
            "gunicorn app:app --access-logfile /var/log/g/access.log --error-logfile /var/log/g/error.log\n",
            "gunicorn app:app --access-logfile - --error-logfile -\n",
            id="plain",
        ),
        pytest.param(
            "exec gunicorn app:app --error-logfile=/var/log/g/error.log --log-file=/var/log/g/g.log\n",
            "exec gunicorn app:app --error-logfile=- --log-file=-\n",
            id="exec, = form, --log-file alias",
        ),
        pytest.param(
            "exec /opt/venv/bin/python -m gunicorn app:app --access-logfile \"/var/log/my app/a.log\"\n",
            "exec /opt/venv/bin/python -m gunicorn app:app --access-logfile \"-\"\n",
            id="python -m gunicorn, quotes kept",
        ),
        pytest.param(
            "env DJANGO_SETTINGS_MODULE=x.settings /venv/bin/gunicorn x.wsgi --error-logfile '/logs/e.log'\n",
            "env DJANGO_SETTINGS_MODULE=x.settings /venv/bin/gunicorn x.wsgi --error-logfile '-'\n",
            id="env X=1 /venv/bin/gunicorn",
        ),
        pytest.param(
            "exec gunicorn app \\\n    --bind 0.0.0.0:$PORT \\\n    --access-logfile \"$LOG_DIR/access.log\" \\\n"
            "    --error-logfile ${LOG_DIR}/error.log \\\n    --workers 4\n",
            "exec gunicorn app \\\n    --bind 0.0.0.0:$PORT \\\n    --access-logfile \"-\" \\\n"
            "    --error-logfile - \\\n    --workers 4\n",
            id="continuations, paths from variables",
        ),
        pytest.param(
            "exec gunicorn app --error-logfile=\"${LOG_DIR}\"/error.log\n",
            "exec gunicorn app --error-logfile=\"-\"\n",
            id="= form, quoted part then bare part",
        ),
        pytest.param(
            "exec gunicorn app \"--error-logfile=/var/log/e.log\"\n",
            "exec gunicorn app \"--error-logfile=-\"\n",
            id="whole flag quoted",
        ),
        pytest.param(
            "exec gunicorn app --er /var/log/e.log --access-logfi /var/log/a.log\n",
            "exec gunicorn app --er - --access-logfi -\n",
            id="argparse abbreviations",
        ),
        pytest.param(
            "bash -c \"gunicorn app --error-logfile \\\"/var/log/e.log\\\" --bind :80\"\n",
            "bash -c \"gunicorn app --error-logfile \\\"-\\\" --bind :80\"\n",
            id="escaped quotes inside bash -c",
        ),
        pytest.param(
            "sh -c 'exec gunicorn app --access-logfile /var/log/a.log'\n",
            "sh -c 'exec gunicorn app --access-logfile -'\n",
            id="sh -c single quotes",
        ),
        pytest.param(
            "su - app -c \"cd /srv && gunicorn app --error-logfile /var/log/e.log\"\n",
            "su - app -c \"cd /srv && gunicorn app --error-logfile -\"\n",
            id="su -c",
        ),
        pytest.param(
            "su -s /bin/bash -c 'gunicorn app --log-file /l/g.log' www-data\n",
            "su -s /bin/bash -c 'gunicorn app --log-file -' www-data\n",
            id="su -s SHELL -c",
        ),
        pytest.param(
            "sudo -E -u app sh -c 'bash -lc \"gunicorn app --access-logfile /a/b.log\"'\n",
            "sudo -E -u app sh -c 'bash -lc \"gunicorn app --access-logfile -\"'\n",
            id="two levels of nesting",
        ),
        pytest.param(
            "gunicorn app 2>&1 --error-logfile /var/log/e.log | tee -a /var/log/boot.log\n",
            "gunicorn app 2>&1 --error-logfile - | tee -a /var/log/boot.log\n",
            id="arguments after a redirect",
        ),
        pytest.param(
            "start() {\n\tif [ \"$1\" = web ]; then\n\t\tnohup gunicorn app --error-logfile /l/e.log &\n\tfi\n}\n",
            "start() {\n\tif [ \"$1\" = web ]; then\n\t\tnohup gunicorn app --error-logfile - &\n\tfi\n}\n",
            id="inside a function and if, tabs kept",
        ),
        pytest.param(
            "export GUNICORN_CMD_ARGS=\"--bind=0.0.0.0 --access-logfile /var/log/a.log --workers=3\"\nexec gunicorn app\n",
            "export GUNICORN_CMD_ARGS=\"--bind=0.0.0.0 --access-logfile - --workers=3\"\nexec gunicorn app\n",
            id="GUNICORN_CMD_ARGS",
        ),
        pytest.param(
            "GUNICORN_CMD_ARGS='--error-logfile \"/var/log/x y.log\"' gunicorn app\n",
            "GUNICORN_CMD_ARGS='--error-logfile \"-\"' gunicorn app\n",
            id="GUNICORN_CMD_ARGS with shlex quotes",
        ),
        pytest.param(
            "exec gunicorn app --access-logfile /var/log/a.log \\\r\n  --workers 2\r\n",
            "exec gunicorn app --access-logfile - \\\r\n  --workers 2\r\n",
            id="CRLF kept",
        ),
        pytest.param(
            "eval \"gunicorn app --error-logfile /var/log/e.log\"\n",
            "eval \"gunicorn app --error-logfile -\"\n",
            id="eval",
        ),
        pytest.param(
            'exec "${VIRTUAL_ENV}/bin/gunicorn" app --error-logfile /l/e.log\n',
            'exec "${VIRTUAL_ENV}/bin/gunicorn" app --error-logfile -\n',
            id="gunicorn under a variable directory",
        ),
        pytest.param(
            "runuser -u app -- gunicorn -c conf/gunicorn.py --access-logfile /l/a.log app\n",
            "runuser -u app -- gunicorn -c conf/gunicorn.py --access-logfile - app\n",
            id="runuser, gunicorn's own -c is a config file",
        ),
        pytest.param(
            'case "$1" in\n  web) exec gunicorn app --access-logfile=/l/a.log ;;\n  *) exec "$@" ;;\nesac\n',
            'case "$1" in\n  web) exec gunicorn app --access-logfile=- ;;\n  *) exec "$@" ;;\nesac\n',
            id="case branch",
        ),
        pytest.param(
            'GUNICORN_OPTS="--workers 3 --access-logfile /var/log/app/a.log"\nexec gunicorn app $GUNICORN_OPTS\n',
            'GUNICORN_OPTS="--workers 3 --access-logfile -"\nexec gunicorn app $GUNICORN_OPTS\n',
            id="flags in a variable expanded unquoted",
        ),
        pytest.param(
            "ARGS=(\n  --bind 0.0.0.0:8000\n  --error-logfile '/var/log/app/e.log'\n)\nexec gunicorn app \"${ARGS[@]}\"\n",
            "ARGS=(\n  --bind 0.0.0.0:8000\n  --error-logfile '-'\n)\nexec gunicorn app \"${ARGS[@]}\"\n",
            id="flags in an array",
        ),
        pytest.param(
            'OPTS="--log-file /l/g.log"\nsu app -c "gunicorn app $OPTS"\n',
            'OPTS="--log-file -"\nsu app -c "gunicorn app $OPTS"\n',
            id="variable expanded inside su -c",
        ),
        pytest.param(
            "gunicorn app --error-logfile /l/e.log;gunicorn api --log-file /l/g.log\n",
            "gunicorn app --error-logfile -;gunicorn api --log-file -\n",
            id="two invocations on one line",
        ),
        pytest.param(SEED_BEFORE, SEED_AFTER, id="the incident's entrypoint"),
    ],
)
def test_shell_fixes(before, after):
    assert rewrite(before) == after
    assert rewrite(after) == after
    if "\r" not in after:
        assert_shell_fixed(after)


def test_seed_entrypoint_reports_its_invocation():
    [invocation] = find_invocations(SEED_BEFORE, "entrypoint.sh")
    assert invocation.kind == "command" and invocation.line == 11
    assert [(f.flag, f.value, f.line) for f in invocation.flags] == [
        ("--access-logfile", "/tmp/backend_logs/access.log", 20),
        ("--error-logfile", "/tmp/backend_logs/error.log", 21),
    ]


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(SEED_BEFORE, SEED_AFTER_NO_DIRS, id="the incident's mkdir/chown/chmod"),
        pytest.param(
            "mkdir -p /var/log/app /var/log/app/old  # logs\nexec gunicorn app --access-logfile /var/log/app/a.log\n",
            "exec gunicorn app --access-logfile -\n",
            id="trailing comment, two paths under it",
        ),
    ],
)
def test_remove_log_dirs_fixes(before, after):
    assert rewrite(before, remove_log_dirs=True) == after
    assert_shell_fixed(after)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("LOG_DIR=/var/log/app\nmkdir -p /var/log/app\nexec gunicorn app --error-logfile /var/log/app/e.log\n"
                     "tail -F /var/log/app/other.log &\n", id="directory used elsewhere"),
        pytest.param("mkdir -p /var/log/app && chown app /var/log/app\nexec gunicorn app --error-logfile /var/log/app/e.log\n",
                     id="shares its line"),
        pytest.param("if true; then\n  mkdir -p /var/log/app\nfi\nexec gunicorn app --error-logfile /var/log/app/e.log\n",
                     id="only statement of a block"),
        pytest.param("mkdir -p /tmp\nexec gunicorn app --error-logfile /tmp/e.log\n", id="a shared directory"),
    ],
)
def test_remove_log_dirs_keeps_noop(source):
    result = rewrite(source, remove_log_dirs=True)
    assert "mkdir" in result and "--error-logfile -" in result
    assert_shell_fixed(result)


@pytest.mark.parametrize(
    "source, reason",
    [
        pytest.param("exec gunicorn app --error-logfile \"$(mktemp -d)/e.log\"\n", "cannot see into", id="$(…)"),
        pytest.param("exec gunicorn app --access-logfile=`cat /etc/logpath`\n", "cannot see into", id="backticks"),
        pytest.param("exec gunicorn app --error-logfile \"$@\"\n", "cannot see into", id="$@"),
        pytest.param("exec gunicorn app --error-logfile /x/e.log\nif then fi (\n", "does not parse", id="syntax error"),
        pytest.param("bash -c \"gunicorn app --error-logfile /x/e.log ((\"\n", "does not parse: the script of `bash -c`",
                     id="nested syntax error"),
        pytest.param("GUNICORN_CMD_ARGS=\"--error-logfile '/x/e.log\" gunicorn app\n", "no closing quotation",
                     id="GUNICORN_CMD_ARGS unbalanced"),
    ],
)
def test_shell_refuses(source, reason):
    with pytest.raises(Refusal, match=reason.replace("(", r"\(").replace("$", r"\$")):
        rewrite(source)


def test_abbreviations_match_gunicorns_parser():
    """The flags fixbot treats as log flags are exactly the ones Gunicorn's argparse resolves to them."""
    from gunicorn.config import Config

    from fixbot.formats.deploy.scan import _setting

    parser = Config().parser()
    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    for option in ("--access-logfile", "--error-logfile", "--log-file"):
        for n in range(3, len(option) + 1):
            prefix = option[:n]
            unique = [o for o in options if o.startswith(prefix)] == [option]
            expected = {"--access-logfile": "accesslog"}.get(option, "errorlog") if unique else None
            assert _setting(prefix)[0] == expected, prefix
            if unique:
                assert getattr(parser.parse_args(["app", prefix, "/x"]), expected) == "/x"


# -- other files --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "filename, before, after",
    [
        pytest.param(
            "Dockerfile",
            'FROM python:3.12-slim\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "--error-logfile", "/var/log/e.log", "app.wsgi"]\n',
            'FROM python:3.12-slim\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "--error-logfile", "-", "app.wsgi"]\n',
            id="Dockerfile exec form",
        ),
        pytest.param(
            "Dockerfile",
            'CMD ["sh", "-c", "gunicorn app --bind 0.0.0.0:$PORT --access-logfile \\"/l/a.log\\""]\n',
            'CMD ["sh", "-c", "gunicorn app --bind 0.0.0.0:$PORT --access-logfile \\"-\\""]\n',
            id="Dockerfile exec form sh -c",
        ),
        pytest.param(
            "Dockerfile",
            "FROM python\nRUN mkdir -p /var/log/gunicorn\nCMD exec gunicorn app \\\n  --access-logfile /var/log/gunicorn/a.log \\\n"
            "  --error-logfile=/var/log/gunicorn/e.log\n",
            "FROM python\nRUN mkdir -p /var/log/gunicorn\nCMD exec gunicorn app \\\n  --access-logfile - \\\n"
            "  --error-logfile=-\n",
            id="Dockerfile shell form with continuations",
        ),
        pytest.param(
            "Dockerfile",
            'ENTRYPOINT ["/venv/bin/gunicorn"]\nCMD ["--log-file", "/l/g.log", "app:app"]\n',
            'ENTRYPOINT ["/venv/bin/gunicorn"]\nCMD ["--log-file", "-", "app:app"]\n',
            id="Dockerfile ENTRYPOINT gunicorn + CMD flags",
        ),
        pytest.param(
            "app.Dockerfile",
            'ENV PYTHONUNBUFFERED=1 GUNICORN_CMD_ARGS="--workers 3 --access-logfile /l/a.log"\nCMD gunicorn app\n',
            'ENV PYTHONUNBUFFERED=1 GUNICORN_CMD_ARGS="--workers 3 --access-logfile -"\nCMD gunicorn app\n',
            id="Dockerfile ENV GUNICORN_CMD_ARGS",
        ),
        pytest.param(
            "Procfile",
            "release: python manage.py migrate\nweb: gunicorn proj.wsgi --log-file /tmp/logs/g.log --workers 2\n",
            "release: python manage.py migrate\nweb: gunicorn proj.wsgi --log-file - --workers 2\n",
            id="Procfile",
        ),
        pytest.param(
            "deploy/supervisor/conf.d/web.conf",
            "[program:web]\ncommand=/srv/venv/bin/gunicorn proj.wsgi:application\n    --bind unix:/run/web.sock\n"
            "    --access-logfile /var/log/web/access.log  ; per request\n    --error-logfile /var/log/web/error.log\n"
            "stdout_logfile=/var/log/web/stdout.log\n\n[program:worker]\ncommand=celery -A proj worker --logfile /var/log/w.log\n",
            "[program:web]\ncommand=/srv/venv/bin/gunicorn proj.wsgi:application\n    --bind unix:/run/web.sock\n"
            "    --access-logfile -  ; per request\n    --error-logfile -\n"
            "stdout_logfile=/var/log/web/stdout.log\n\n[program:worker]\ncommand=celery -A proj worker --logfile /var/log/w.log\n",
            id="supervisord continued command, celery and stdout_logfile stay",
        ),
        pytest.param(
            "docker-compose.yml",
            "services:\n  web:\n    command: gunicorn app --error-logfile /logs/e.log  # boot\n"
            "    environment:\n      - GUNICORN_CMD_ARGS=--access-logfile /logs/a.log\n",
            "services:\n  web:\n    command: gunicorn app --error-logfile -  # boot\n"
            "    environment:\n      - GUNICORN_CMD_ARGS=--access-logfile -\n",
            id="compose string command, env list",
        ),
        pytest.param(
            "compose.yaml",
            "services:\n  web:\n    command: [\"gunicorn\", \"--access-logfile\", '/l/a.log']\n"
            "  api:\n    command:\n      - gunicorn\n      - --error-logfile\n      - /l/e.log\n",
            "services:\n  web:\n    command: [\"gunicorn\", \"--access-logfile\", '-']\n"
            "  api:\n    command:\n      - gunicorn\n      - --error-logfile\n      - \"-\"\n",
            id="compose list forms",
        ),
        pytest.param(
            "docker-compose.yml",
            "services:\n  web:\n    command: >\n      sh -c \"python manage.py migrate &&\n"
            "      gunicorn app --error-logfile /logs/e.log\"\n",
            "services:\n  web:\n    command: >\n      sh -c \"python manage.py migrate &&\n"
            "      gunicorn app --error-logfile -\"\n",
            id="compose folded sh -c",
        ),
        pytest.param(
            "gunicorn.conf.py",
            "import os\n\nbind = '0.0.0.0:8000'\naccesslog = '/var/log/gunicorn/access.log'  # requests\n"
            "errorlog = os.path.join(LOG_DIR, 'error.log')\nloglevel = 'info'\npidfile = '/tmp/gunicorn.pid'\n",
            "import os\n\nbind = '0.0.0.0:8000'\naccesslog = '-'  # requests\n"
            "errorlog = \"-\"\nloglevel = 'info'\npidfile = '/tmp/gunicorn.pid'\n",
            id="config module",
        ),
        pytest.param(
            "deploy/gunicorn.conf",
            "[program:gunicorn]\ncommand=/srv/venv/bin/gunicorn app:app\n    --error-logfile /var/log/gunicorn/e.log\n"
            "autostart=true\n",
            "[program:gunicorn]\ncommand=/srv/venv/bin/gunicorn app:app\n    --error-logfile -\n"
            "autostart=true\n",
            id="a supervisord file named gunicorn.conf stays INI",
        ),
        pytest.param(
            "gunicorn.conf",
            "capture_output = True\nerrorlog = '/var/log/gunicorn/e.log'\n",
            "capture_output = True\nerrorlog = '-'\n",
            id="gunicorn.conf as a config module",
        ),
        pytest.param(
            "gunicorn_config.py",
            "if DEBUG:\n    errorlog: str = f\"{BASE}/e.log\"\n\ndef when_ready(server):\n    errorlog = '/x'\n",
            "if DEBUG:\n    errorlog: str = \"-\"\n\ndef when_ready(server):\n    errorlog = '/x'\n",
            id="config module: annotated, in if, function untouched",
        ),
        pytest.param(
            "gunicorn_conf.py",
            "import os\naccesslog = os.environ.get('ACCESS_LOG', '/var/log/a.log')\n"
            "errorlog = '/var/log/e.log' if PROD else '-'\n",
            "import os\naccesslog = \"-\"\nerrorlog = \"-\"\n",
            id="config module: from the environment, conditional",
        ),
        pytest.param(
            "Dockerfile",
            'CMD ["gunicorn", "--name", "caf\u00e9 ☕", "--error-logfile", "/l/caf\u00e9.log", "app"]\n',
            'CMD ["gunicorn", "--name", "caf\u00e9 ☕", "--error-logfile", "-", "app"]\n',
            id="Dockerfile JSON escapes and UTF-8",
        ),
        pytest.param(
            "Dockerfile",
            "RUN apt-get update \\\n    && pip install gunicorn\nENTRYPOINT [\"runuser\", \"-u\", \"app\", \"--\", "
            "\"gunicorn\", \"-c\", \"conf.py\", \"--log-file=/l/g.log\"]\n",
            "RUN apt-get update \\\n    && pip install gunicorn\nENTRYPOINT [\"runuser\", \"-u\", \"app\", \"--\", "
            "\"gunicorn\", \"-c\", \"conf.py\", \"--log-file=-\"]\n",
            id="Dockerfile runuser … gunicorn -c conf.py",
        ),
    ],
)
def test_other_files_fixes(filename, before, after):
    assert rewrite(before, filename) == after
    assert rewrite(after, filename) == after
    assert_parses(after, filename)


@pytest.mark.parametrize(
    "filename, source",
    [
        pytest.param("gunicorn.conf.py", "accesslog = None\nerrorlog = '-'\n", id="config already"),
        pytest.param("Dockerfile", "FROM python\nRUN pip install gunicorn\nCMD [\"gunicorn\", \"app\"]\n", id="Dockerfile"),
        pytest.param("docker-compose.yml", "services:\n  db:\n    image: postgres\n", id="compose without gunicorn"),
        pytest.param("supervisord.conf", "[program:web]\ncommand=gunicorn app\nstdout_logfile=/var/log/x.log\n",
                     id="supervisord's own logs"),
        pytest.param("README.md", "nothing to see\n", id="unknown kind, no gunicorn"),
    ],
)
def test_other_files_noop(filename, source):
    assert rewrite(source, filename) == source


@pytest.mark.parametrize(
    "filename, source, reason",
    [
        pytest.param("gunicorn.conf.py", "accesslog = make_log_dir() + '/a.log'\n", "code fixbot will not drop",
                     id="config path from the project's code"),
        pytest.param("gunicorn.conf.py", "accesslog = pidfile = '/x/a'\n", "together with other names",
                     id="config chained assignment"),
        pytest.param("gunicorn.conf.py", "accesslog = \n", "does not parse", id="config syntax error"),
        pytest.param("docker-compose.yml", "services:\n  web: [gunicorn\n", "does not parse", id="compose syntax error"),
        pytest.param("notes.txt", "gunicorn app --error-logfile /x\n", "cannot tell", id="unknown file kind"),
    ],
)
def test_other_files_refuses(filename, source, reason):
    with pytest.raises(Refusal, match=reason):
        rewrite(source, filename)


def test_find_invocations_across_formats():
    [config] = find_invocations("errorlog = '/l/e.log'\n", "gunicorn.conf.py")
    assert config.kind == "config" and config.flags[0].setting == "errorlog" and config.flags[0].line == 1
    found = find_invocations('ENV GUNICORN_CMD_ARGS="--log-file /l/g.log"\nCMD ["gunicorn", "-c", "conf/g.py", "app"]\n',
                             "Dockerfile")
    assert [(i.kind, i.line, i.config) for i in found] == [("env", 1, None), ("command", 2, "conf/g.py")]
    assert found[0].flags[0].setting == "errorlog" and found[0].flags[0].value == "/l/g.log"


# -- property: generated command lines ---------------------------------------------------------------------------
_path = st.builds(
    lambda var, parts: ("${LOG_DIR}/" if var else "/var/log/") + "/".join(parts) + ".log",
    st.booleans(),
    st.lists(st.text("abcxyz_-.", min_size=1, max_size=6).filter(lambda s: s not in (".", "..", "-")), min_size=1,
             max_size=3),
)
_log_flag = st.tuples(
    st.sampled_from(["--access-logfile", "--error-logfile", "--log-file", "--er", "--access-logfi"]),
    st.one_of(_path, st.just("-")),
    st.sampled_from(["space", "eq", "whole"]),  # --f PATH, --f=PATH, "--f=PATH"
    st.sampled_from(["", "'", '"']),
)
_other = st.sampled_from(["--workers 2", "-b 0.0.0.0:${PORT}", "--timeout=60", "--capture-output", "-k gthread",
                          "--access-logformat '%(h)s %(r)s'", "--name web"])


def _render(prefix, parts, sep, wrap, dash: bool) -> str:
    args = []
    for part in parts:
        if isinstance(part, str):
            args.append(part)
            continue
        flag, value, form, quote = part
        value = "-" if dash else value
        if form == "space":
            args.append(f"{flag} {quote}{value}{quote}")
        elif form == "eq":
            args.append(f"{flag}={quote}{value}{quote}")
        else:
            args.append(f'"{flag}={value}"')
    command = sep.join([f"{prefix}gunicorn app:app", *args])
    if wrap in ("bash -c", "su app -c"):
        return wrap + ' "' + command.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\\n", "\\\n") + '"\n'
    if wrap == "sh -c":
        return "sh -c '" + command.replace("'", "'\\''") + "'\n"
    return command + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["", "exec ", "env A=1 ", "/opt/venv/bin/", "python -m ", "nohup "]),
    parts=st.lists(st.one_of(_log_flag, _other), max_size=7).flatmap(st.permutations),
    sep=st.sampled_from([" ", " \\\n  ", "\t"]),
    wrap=st.sampled_from(["", "bash -c", "sh -c", "su app -c"]),
)
def test_generated_command_lines(prefix, parts, sep, wrap):
    before = _render(prefix, parts, sep, wrap, dash=False)
    after = rewrite(before)  # every generated shape is a plain command line: a refusal is a bug
    assert after == _render(prefix, parts, sep, wrap, dash=True)  # log flags at `-`, every other byte kept
    assert rewrite(after) == after
    assert_shell_fixed(after)


# -- real Gunicorn: a broken script fails, the fixed one serves --------------------------------------------------
APP = "def app(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fixed_script_boots_gunicorn(tmp_path: Path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    (tmp_path / "hello.py").write_text(APP)
    port = _free_port()
    script = tmp_path / "entrypoint.sh"
    script.write_text(
        "#!/bin/bash\nmkdir -p /tmp/fixbot-unused\n"
        f'PORT={port}\nbash -c "\ncd {shlex.quote(str(tmp_path))} &&\nexec {gunicorn} hello:app \\\n'
        "-b 127.0.0.1:${PORT} \\\n--workers 1 \\\n--access-logfile /nonexistent-dir/x/access.log \\\n"
        '--error-logfile /nonexistent-dir/x/error.log\n"\n'
    )
    broken = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=30)
    assert broken.returncode == 1
    assert "Error: Error: '/nonexistent-dir/x/error.log' isn't writable [FileNotFoundError" in broken.stderr

    script.write_text(rewrite(script.read_text(), "entrypoint.sh"))
    server = subprocess.Popen(["bash", str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        deadline, status = time.monotonic() + 20, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.2)
        assert status == 200, server.stdout.read().decode() if server.poll() is not None else "no answer"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
