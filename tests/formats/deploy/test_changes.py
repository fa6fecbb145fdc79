"""What a deploy codemod's rewrite changed, said as the commit body says it: the flag, its old value, its new one."""

from __future__ import annotations

import pytest

from fixbot import codemods


@pytest.mark.parametrize("name, source, filename, expected", [
    ("gunicorn-stdout", "exec gunicorn app:app --error-logfile /var/log/app/error.log --access-logfile /var/log/a.log\n",
     "start.sh", ["Gunicorn's --error-logfile /var/log/app/error.log is now - (the console)",
                  "Gunicorn's --access-logfile /var/log/a.log is now - (the console)"]),
    ("gunicorn-stdout", "errorlog = '/var/log/web/error.log'\n", "gunicorn.conf.py",
     ["Gunicorn's errorlog /var/log/web/error.log is now - (the console)"]),
    ("celery-stderr", "worker: celery -A proj worker -f /var/log/c.log -l info\n", "Procfile",
     ["Celery's -f /var/log/c.log removed (it logs to stderr)"]),
])
def test_a_rewrite_is_described_flag_by_flag(name, source, filename, expected):
    codemod = codemods.get(name)
    after = codemod.rewrite(source, filename)
    assert after != source
    assert codemod.describe(source, after, filename) == expected


def test_no_change_and_an_unreadable_file_say_nothing():
    codemod = codemods.get("gunicorn-stdout")
    same = "exec gunicorn app:app --log-file -\n"
    assert codemod.describe(same, same, "start.sh") == []
    unreadable = 'exec gunicorn app:app --error-logfile "$(mktemp -d)/e.log"\n'
    assert codemod.describe(unreadable, unreadable, "start.sh") == []


@pytest.mark.parametrize("name, source, filename, expected", [
    ("gunicorn-no-pidfile", "exec gunicorn app:app --pid /run/g.pid\n", "start.sh",
     ["Gunicorn's --pid /run/g.pid removed (no pid file)"]),
    ("gunicorn-worker-tmp-dir", "exec gunicorn app:app --workers 2\n", "start.sh",
     ["Gunicorn's --worker-tmp-dir /dev/shm added"]),
    ("gunicorn-no-control-socket", "exec gunicorn app:app\n", "start.sh", ["Gunicorn's --no-control-socket added"]),
    ("celery-schedule-tmp", "beat: celery -A proj beat -s /app/celerybeat-schedule\n", "Procfile",
     ["Celery's -s /app/celerybeat-schedule is now /tmp/celerybeat-schedule"]),
])
def test_the_new_rooms_codemods_say_what_they_added_removed_or_moved(name, source, filename, expected):
    codemod = codemods.get(name)
    after = codemod.rewrite(source, filename)
    assert codemod.describe(source, after, filename) == expected
