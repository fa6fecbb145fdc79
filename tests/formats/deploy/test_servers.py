"""The start lines a deploy file holds, as the file spells them (formats/deploy/servers.py)."""

from __future__ import annotations

import pytest

from fixbot.formats.deploy import servers

CASES = [
    ("web: gunicorn mysite.wsgi --log-file -\nworker: celery -A mysite worker -l info\n",
     [(1, "gunicorn", "gunicorn mysite.wsgi --log-file -"), (2, "celery", "celery -A mysite worker -l info")]),
    ("[program:web]\ncommand=/app/.venv/bin/gunicorn mysite.wsgi:application -c /etc/gunicorn.py\n",
     [(2, "gunicorn", "/app/.venv/bin/gunicorn mysite.wsgi:application -c /etc/gunicorn.py")]),
    ("[Service]\nExecStart=/opt/venv/bin/uvicorn app.main:app --host 0.0.0.0\n",
     [(2, "uvicorn", "/opt/venv/bin/uvicorn app.main:app --host 0.0.0.0")]),
    ('RUN pip install gunicorn uvicorn\nCMD ["gunicorn", "mysite.wsgi:application", "--bind", "0.0.0.0:8000"]\n',
     [(2, "gunicorn", "gunicorn mysite.wsgi:application --bind 0.0.0.0:8000")]),
    ("python manage.py migrate && python manage.py runserver 0.0.0.0:8000\n",
     [(1, "runserver", "python manage.py runserver 0.0.0.0:8000")]),
    ("exec python -m gunicorn app:app \\\n    --workers 2 \\\n    --bind :$PORT\n",
     [(1, "gunicorn", "python -m gunicorn app:app --workers 2 --bind :$PORT")]),
    ("celery -A proj worker --logfile=../logging/celery.log &\nexec gunicorn proj.wsgi\n",
     [(1, "celery", "celery -A proj worker --logfile=../logging/celery.log"), (2, "gunicorn", "gunicorn proj.wsgi")]),
    ("echo starting gunicorn app:app\nwhich gunicorn\ngunicorn --version\n", []),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_each_start_line_is_read_as_written(text, expected):
    assert [(s.line, s.program, s.command) for s in servers.read(text)] == expected
