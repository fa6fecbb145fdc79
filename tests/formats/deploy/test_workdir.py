"""The directory a start line runs in, as the deploy file spells it (formats/deploy/workdir.py); unknown stays None."""

from __future__ import annotations

import pytest

from fixbot.formats.deploy import workdir

CASES = [
    ("entrypoint.sh", "#!/bin/sh\ncd /srv/app/src\nexec celery -A proj worker -f ../logging/c.log\n", 3, "/srv/app/logging/c.log"),
    ("entrypoint.sh", "#!/bin/sh\ncd /srv/app && cd src && exec celery -A p worker -f ../l/c.log\n", 2, "/srv/app/l/c.log"),
    ("entrypoint.sh", '#!/bin/sh\ncd "$(dirname "$0")"\nexec gunicorn app:app --error-logfile log/e.log\n', 3, None),
    ("entrypoint.sh", "#!/bin/sh\nexec gunicorn --chdir /srv/app app:app --error-logfile log/e.log\n", 2, "/srv/app/log/e.log"),
    ("entrypoint.sh", "#!/bin/sh\ncd /srv\nexec celery --workdir app -A p worker -f c.log\n", 3, "/srv/app/c.log"),
    ("Dockerfile", "FROM python\nWORKDIR /app\nWORKDIR src\nCMD celery -A p worker -f ../logs/c.log\n", 4, "/app/logs/c.log"),
    ("docker-compose.yml", "services:\n  worker:\n    command: celery -A p worker -f logs/c.log\n    working_dir: /code\n"
     "  web:\n    working_dir: /other\n", 3, "/code/logs/c.log"),
    ("Procfile", "worker: celery -A p worker -f logs/c.log\n", 1, None),
]


@pytest.mark.parametrize("file,text,line,expected", CASES)
def test_a_relative_path_is_made_absolute_only_where_the_file_says_where_it_runs(file, text, line, expected):
    assert workdir.absolute(file, text, line, text.splitlines()[line - 1].rsplit(" ", 1)[-1]) == expected
