"""What the tests share: the repository's root, a runner for the fixbot command, real git repositories, the real programs (Django, Gunicorn, uvicorn, Celery) the failing logs come from, and bounded runs over hostile inputs."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
