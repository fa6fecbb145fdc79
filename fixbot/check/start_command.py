"""How the failing process starts, as the repository spells it: its start commands, the settings module it runs and the health checks it declares, for the reviewer's checklist."""

from __future__ import annotations

from dataclasses import dataclass

from fixbot.check import deploy
from fixbot.formats.deploy import health as health_mod
from fixbot.formats.deploy import servers

MAX_SHOWN = 3  # a reviewer runs one command; a few show which of the deploy's starts it is


@dataclass(frozen=True)
class Start:
    """What a reviewer runs to see the fixed branch boot: nothing here is made up, each item names where it is."""

    commands: tuple[tuple[str, int, str], ...] = ()  # (file, line, the command as written)
    settings: str | None = None  # the Django settings module the deploy runs, when it is one
    manage: str | None = None  # the repository's manage.py, which checks it
    health: tuple[health_mod.Health, ...] = ()  # the health checks that ask a URL


def start(repo, program: str | None, texts: dict[str, str] | None = None, settings: str | None = None) -> Start:
    """The start commands of `program`'s process (Celery's for a worker, a web server's otherwise) in the files the
    deploy runs, the deployed settings module (`settings`: .fixbot.yml's, when the repository names none) and every health check a deploy
    file of the repository declares; `texts`: files as the fix leaves them (the reviewer runs the fixed ones)."""
    files = list(repo.tracked)
    texts = texts or {}

    def read(file: str) -> str | None:
        return texts[file] if file in texts else repo.read_or_none(file)

    used = sorted(deploy.run_files(files, read, starters=True))
    commands = [(file, s.line, s.command) for file in used for s in servers.read(deploy.live(read(file) or ""))
                if (program == "celery") == (s.program == "celery")]
    modules = set((deploy.settings_modules(repo, files, set(used), read) or {}).values())
    settings = next(iter(modules)) if len(modules) == 1 else settings if not modules else None
    declared = [h for file in used for h in health_mod.read(file, deploy.live(read(file) or ""))]
    manage = min((f for f in files if f.rsplit("/", 1)[-1] == "manage.py" and not deploy.NOT_DEPLOY.search(f)),
                 key=lambda f: (f.count("/"), f), default=None)
    return Start(tuple(commands[:MAX_SHOWN]), settings, manage, tuple(declared[:MAX_SHOWN]))
