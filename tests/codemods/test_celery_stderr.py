"""celery-stderr in every deploy-file format it reads, its refusals, and real workers started from what it wrote."""

from __future__ import annotations

import re
import shlex

import pytest

from fixbot.formats import Refusal
from fixbot.codemods.celery_stderr import CeleryStderr
from fixbot.formats.deploy.celery import find_invocations
from tests.support import celeryrun

FIXES = [
    pytest.param("start.sh", "exec celery -A proj worker --logfile /var/log/celery/w.log -l info\n",
                 "exec celery -A proj worker -l info\n", id="shell"),
    pytest.param("start.sh", "celery -A proj worker \\\n    -l info \\\n    -f /var/log/celery/w.log\n",
                 "celery -A proj worker \\\n    -l info\n", id="shell, last flag of a continued line"),
    pytest.param("start.sh", 'bash -c "celery --app=proj worker --logfile=\'/var/log/c/w.log\' -l info"\n',
                 'bash -c "celery --app=proj worker -l info"\n', id="bash -c string, quoted value"),
    pytest.param("start.sh", 'OPTS="--logfile /var/log/c/w.log --concurrency 2"\ncelery -A proj worker $OPTS\n',
                 'OPTS="--concurrency 2"\ncelery -A proj worker $OPTS\n', id="flags from a variable"),
    pytest.param("start.sh", 'ARGS=(-f "$LOG_DIR/w.log" -l info)\ncelery -A proj worker "${ARGS[@]}"\n',
                 'ARGS=(-l info)\ncelery -A proj worker "${ARGS[@]}"\n', id="flags from an array, value unknown"),
    pytest.param("start.sh", "python -m celery -A proj beat -f/var/log/beat.log -s /tmp/beat\n",
                 "python -m celery -A proj beat -s /tmp/beat\n", id="python -m, beat, attached -f"),
    pytest.param("start.sh", "celery -A proj events --camera x.Cam --logfile /var/log/ev.log\n",
                 "celery -A proj events --camera x.Cam\n", id="events"),
    pytest.param("start.sh", "celery -A proj worker -f - -l info\n", "celery -A proj worker -l info\n",
                 id="`-f -` writes a file named '-'"),
    pytest.param("Dockerfile", "FROM python\nRUN celery -A proj worker -f /l/w.log & sleep 1\n",
                 "FROM python\nRUN celery -A proj worker & sleep 1\n", id="Dockerfile RUN"),
    pytest.param("Dockerfile", "CMD celery -A proj worker \\\n  --logfile /l/w.log \\\n  -l info\n",
                 "CMD celery -A proj worker \\\n  -l info\n", id="Dockerfile CMD shell form, continued"),
    pytest.param("Dockerfile", 'ENTRYPOINT ["celery", "-A", "proj", "worker", "--logfile=/l/w.log"]\n',
                 'ENTRYPOINT ["celery", "-A", "proj", "worker"]\n', id="Dockerfile ENTRYPOINT exec form"),
    pytest.param("Dockerfile", 'ENTRYPOINT ["celery", "-A", "proj"]\nCMD ["worker", "-f", "/l/w.log"]\n',
                 'ENTRYPOINT ["celery", "-A", "proj"]\nCMD ["worker"]\n', id="Dockerfile CMD appended to ENTRYPOINT",
                 # Known gap: once CMD holds no flag, the worker split over ENTRYPOINT and CMD is not found again,
                 # so the room cannot tell that this file starts Celery with no log file (it plans on the others).
                 marks=pytest.mark.xfail(strict=True, reason="find_invocations misses ENTRYPOINT+CMD without flags")),
    pytest.param("Procfile", "web: gunicorn app:app\nworker: celery -A proj worker --logfile /l/w.log\n",
                 "web: gunicorn app:app\nworker: celery -A proj worker\n", id="Procfile"),
    pytest.param("supervisord.conf", "[program:worker]\ncommand=celery -A proj worker\n  --logfile=/l/w.log\n"
                 "  -l info ; the worker\nautostart=true\n",
                 "[program:worker]\ncommand=celery -A proj worker\n  -l info ; the worker\nautostart=true\n",
                 id="supervisord command= over lines"),
    pytest.param("docker-compose.yml", "services:\n  worker:\n    command: celery -A proj worker -f /l/w.log\n",
                 "services:\n  worker:\n    command: celery -A proj worker\n", id="compose command string"),
    pytest.param("compose.yaml", 'services:\n  worker:\n    entrypoint: ["celery", "-A", "proj"]\n'
                 '    command: ["worker", "--logfile", "/l/w.log", "-l", "info"]\n',
                 'services:\n  worker:\n    entrypoint: ["celery", "-A", "proj"]\n    command: ["worker", "-l", "info"]\n',
                 id="compose entrypoint + command lists"),
    pytest.param("compose.yml", "services:\n  w:\n    command: >\n      celery -A proj worker\n      -f /l/w.log\n"
                 "      -l info\n",
                 "services:\n  w:\n    command: >\n      celery -A proj worker\n      -l info\n", id="compose folded"),
]

NOOPS = [
    pytest.param("start.sh", "exec celery -A proj worker -l info\n", id="already on stderr"),
    pytest.param("start.sh", "celery -A proj inspect ping\ncelery -A proj purge -f\n", id="commands without a log"),
    pytest.param("start.sh", "pip install celery\necho celery worker -f /x\n", id="celery named, not run"),
    pytest.param("start.sh", "gunicorn app:app --log-file /l/g.log\n", id="gunicorn's log is not ours"),
    pytest.param("celeryconfig.py", "worker_logfile = '/var/log/celery.log'\n", id="Python settings"),
]

REFUSALS = [
    pytest.param("start.sh", "celery multi start w1 w2 -A proj --logfile=/var/log/celery/%n%I.log\n",
                 "celery multi on line 1 detaches", id="multi start"),
    pytest.param("Dockerfile", 'CMD ["celery", "multi", "restart", "w1", "-f", "/var/log/celery/%n%I.log"]\n',
                 "without --logfile they log to /var/log/celery/%n%I.log", id="multi restart, exec form"),
    pytest.param("start.sh", "celery -A proj worker -f /l/w.log -D\n", "runs detached", id="worker -D"),
    pytest.param("notes.txt", "celery -A proj worker -f /l/w.log\n", "cannot tell what kind of file", id="unknown file"),
]


@pytest.mark.parametrize("filename, before, after", FIXES)
def test_celery_stderr_fixes(filename, before, after):
    assert CeleryStderr.rewrite(before, filename) == after
    assert CeleryStderr.rewrite(after, filename) == after
    found = find_invocations(after, filename)
    assert found and all(not inv.flags for inv in found), "Celery is still found, with no --logfile left"


@pytest.mark.parametrize("filename, before", NOOPS)
def test_celery_stderr_noop(filename, before):
    assert CeleryStderr.rewrite(before, filename) == before


@pytest.mark.parametrize("filename, before, reason", REFUSALS)
def test_celery_stderr_refuses(filename, before, reason):
    with pytest.raises(Refusal, match=re.escape(reason)):
        CeleryStderr.rewrite(before, filename)


def test_invocations_report_the_flag_as_written():
    found = find_invocations("celery -A p worker --logfile=/l/%n.log\ncelery -A p beat -f/l/b.log\n", "run.sh")
    assert [[(f.flag, f.value, f.line) for f in inv.flags] for inv in found] == [
        [("--logfile", "/l/%n.log", 1)], [("-f", "/l/b.log", 2)]]


# --- real workers --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return celeryrun.make_app(tmp_path_factory.mktemp("celery"))


def test_dash_is_a_file_named_dash_not_stderr(app):
    run = celeryrun.run_celery(app, "celery -A tasks worker --pool solo -l info -f -", log=app / "-")
    assert run.ready, run.output
    assert celeryrun.READY in (app / "-").read_text()
    assert celeryrun.READY not in run.stderr


@pytest.mark.parametrize("filename, line", [
    ("start.sh", "exec celery -A tasks worker --pool solo --logfile {gone} -l info\n"),
    ("Procfile", "worker: celery -A tasks worker --pool=solo -f {gone} --loglevel=INFO\n"),
])
def test_fixed_worker_starts_and_logs_to_stderr(app, filename, line):
    before = line.format(gone=app / "gone" / "w.log")
    command = before.split(": ", 1)[-1].removeprefix("exec ")
    failed = celeryrun.run_celery(app, command)
    assert not failed.ready and failed.returncode != 0 and "FileNotFoundError" in failed.output, failed.output

    after = CeleryStderr.rewrite(before, filename)
    run = celeryrun.run_celery(app, after.split(": ", 1)[-1].removeprefix("exec "))
    assert run.ready, run.output
    assert celeryrun.READY in run.stderr, run.output
    assert "--logfile" not in shlex.split(after) and "-f" not in shlex.split(after)
    assert not (app / "gone").exists()
