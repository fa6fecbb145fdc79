"""Where a repository starts Gunicorn, read for the settings a room asks for: its deploy files, and the config modules their `-c` names.

The rooms of Gunicorn's own failures share it (its pid file, its workers' heartbeat directory, its bind): each
asks for its settings and decides what the plan changes; the readers are fixbot/formats/deploy/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Start:
    """One file that starts or configures Gunicorn: its invocations (with the settings asked for), and whether it
    is a config module a `-c` names (the codemods read it as Python, whatever its name)."""

    path: str
    invocations: tuple
    config_module: bool = False

    @property
    def flags(self) -> list:
        return [flag for invocation in self.invocations for flag in invocation.flags]

    @property
    def options(self) -> dict:
        return {"config_module": True} if self.config_module else {}


def gunicorn_starts(repo, settings) -> list[Start]:
    """Every tracked file that starts Gunicorn, then every config module those name with `-c`, each read for
    `settings`; a file fixbot cannot read is left out (its codemod says why when it is run on it)."""
    from fixbot.formats.deploy import gunicorn

    found: list[Start] = []

    def read(path: str, config_module: bool) -> tuple:
        try:
            return tuple(gunicorn.find_invocations(repo.read_or_none(path) or "", path, config_module, settings))
        except Exception:  # noqa: BLE001 -- unreadable: not a start fixbot can speak for
            return ()

    for path in repo.candidates(gunicorn.files(rewritten=True)):
        invocations = read(path, False)
        if invocations:
            found.append(Start(path, invocations))
    seen = {s.path for s in found}
    for start in list(found):
        for config in dict.fromkeys(i.config for i in start.invocations if i.config):
            path = _config_file(repo, start.path, config)
            if path is not None and path not in seen:
                seen.add(path)
                found.append(Start(path, read(path, True), config_module=True))
    return found


def _config_file(repo, where: str, config: str) -> str | None:
    """The repository file `gunicorn -c CONFIG` in `where` loads (a `python:` module or a path)."""
    if config.startswith("python:"):
        module = config[len("python:"):]
        if not re.fullmatch(r"\w+(\.\w+)*", module):
            return None
        config = module.replace(".", "/") + ".py"
    return repo.named_file(where, config)
