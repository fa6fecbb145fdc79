"""The health checks a deploy file declares (formats/deploy/health.py): only URLs the file asks, never one made up."""

from __future__ import annotations

import pytest

from fixbot.formats.deploy import health

CASES = [
    ("Dockerfile", "FROM python\nHEALTHCHECK --interval=5s \\\n  CMD curl -f http://localhost:8000/health/ || exit 1\n",
     [(2, "http://localhost:8000/health/")]),
    ("Dockerfile", "FROM python\nHEALTHCHECK NONE\nHEALTHCHECK CMD python /app/check.py\n", []),
    ("Dockerfile", 'HEALTHCHECK CMD ["python", "-c", "import urllib.request as u; u.urlopen(\'http://127.0.0.1:8080/ping\')"]\n',
     [(1, "http://127.0.0.1:8080/ping")]),
    ("docker-compose.yml", "services:\n  web:\n    healthcheck:\n      test: [\"CMD-SHELL\", \"wget -qO- http://localhost:5000/up || exit 1\"]\n",
     [(4, "http://localhost:5000/up")]),
    ("docker-compose.yml", "services:\n  db:\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n", []),
    ("deploy/app.yaml", "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n"
     "          livenessProbe:\n            httpGet: {path: /live, port: 9000, scheme: HTTPS}\n",
     [(8, "https://127.0.0.1:9000/live")]),
    ("deploy/app.yaml", "livenessProbe:\n  httpGet:\n    path: /live\n    port: metrics\n", []),  # a port it does not name
    ("deploy/app.yaml", "livenessProbe:\n  httpGet: {{ .Values.probe }}\n", []),  # a template, not YAML
    ("Procfile", "web: gunicorn app:app  # curl http://localhost:8000/health\n", []),
]


@pytest.mark.parametrize("file,text,expected", CASES)
def test_a_health_check_is_the_url_the_file_asks(file, text, expected):
    assert [(h.line, h.url) for h in health.read(file, text)] == expected
