"""The hostile inputs of issue 20, each a few hundred bytes that once made fixbot's work grow without bound.

Each builder returns text; `ledgersg_repo` copies the bundled incident into a real git repository, so that a bomb
can be planted beside a real finding and the finding checked to survive it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEDGERSG = ROOT / "examples" / "ledgersg"
BOOT_LOG = LEDGERSG / "logs" / "boot-failure.log"
SERVICE = "apps/backend/config/settings/service.py"


def ini_interpolation(depth: int = 8, fan: int = 10, path: str = "/var/log/app/app.log") -> str:
    """A fileConfig INI whose handler's `level=` refers to `%(l1)s` `fan` times, each `lN` to `lN+1` as often:
    fan**depth characters once interpolated (10**8 by default) from 27 lines."""
    lines = ["[loggers]", "keys=root", "", "[handlers]", "keys=file", "", "[formatters]", "keys=", "",
             "[logger_root]", "level=INFO", "handlers=file", "", "[handler_file]", "class=FileHandler",
             "level=" + "%(l1)s" * fan, f"args=({path!r},)", "", "[DEFAULT]"]
    lines += [f"l{i}=" + f"%(l{i + 1})s" * fan for i in range(1, depth)] + [f"l{depth}=DEBUG"]
    return "\n".join(lines) + "\n"


def ini_long_line(length: int = 40_000, path: str = "/var/log/app/app.log") -> str:
    """A logging INI with one long line of spaces and no delimiter: quadratic in an option pattern `.*?\\s*[=:]`."""
    return ("[loggers]\nkeys=root\n\n[handlers]\nkeys=file\n\n[logger_root]\nhandlers=file\n\n[handler_file]\n"
            f"class=FileHandler\nargs=({path!r},)\n" + "x" + " " * length + "y\n")


def yaml_aliases(keys: int = 30, levels: int = 6) -> str:
    """A 2 KB YAML file of anchors, each level's keys aliasing the level below (keys**levels nodes once
    expanded), beside a `logging:` section that a walk of the file must reach."""
    out = ["a0: &a0 {" + ", ".join(f"k{i}: x" for i in range(keys)) + "}"]
    out += [f"a{n}: &a{n} {{" + ", ".join(f"k{i}: *a{n - 1}" for i in range(keys)) + "}" for n in range(1, levels)]
    out += ["logging:", "  version: 1", "  handlers:", "    file:", "      class: logging.FileHandler",
            "      filename: /var/log/app/app.log", "  root:", "    handlers: [file]", "    level: INFO"]
    return "\n".join(out) + "\n"


def doubling_settings(times: int = 33) -> str:
    """Settings lines that double a string `times` times (2**times characters), 335 bytes for 33."""
    return 'X = "ab"\n' + "X = X + X\n" * times


def mkdir_combinations(values: int = 10, uses: int = 8) -> str:
    """A start script whose `A` takes `values` values and whose `mkdir -p` uses it `uses` times: values**uses paths."""
    return "#!/bin/sh\n" + "".join(f"A=/v{i}\n" for i in range(values)) + "mkdir -p " + "$A" * uses + "\n"


def collapsed_spaces(spaces: int = 100_000) -> str:
    """A traceback collapsed onto one line, with a long run of spaces inside it."""
    return ('Traceback (most recent call last): File "/app/x.py", line 3, in <module>' + " " * spaces
            + "x  FileNotFoundError: [Errno 2] No such file or directory: '/var/log/x/a.log'\n")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)


def ledgersg_repo(path: Path) -> Path:
    """The bundled incident as a real git repository at `path` (its one real finding: service.py's handler)."""
    shutil.copytree(LEDGERSG, path)
    git(path, "init", "-q")
    commit_all(path, "the incident")
    return path


def ledgersg_with(path: Path, files: dict[str, str], start: str = "") -> Path:
    """The incident's repository with `files` added and `start` (a command) run by its entrypoint too."""
    repo = ledgersg_repo(path)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    if start:
        entrypoint = repo / "entrypoint.sh"
        entrypoint.write_text(entrypoint.read_text().replace('wait "${BACKEND_PID}"', f'{start} &\nwait "${{BACKEND_PID}}"'))
    commit_all(repo, "a hostile file beside the incident")
    return repo


def app_repo(path: Path, files: dict[str, str], start: str) -> Path:
    """A small repository: a WSGI app, `files`, and `start.sh` running `start`, as tests/formatsrun.py makes them."""
    path.mkdir(parents=True)
    (path / "app.py").write_text("def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'ok']\n")
    (path / "start.sh").write_text(f"#!/bin/sh\nexec {start}\n")
    for name, text in files.items():
        (path / name).write_text(text)
    git(path, "init", "-q")
    commit_all(path, "app")
    return path


def spending_settings(branches: int = 4) -> str:
    """Settings that build a dict of 37,449 nodes from 8 references each level (under the size bound) and copy and
    join it on each side of `branches` `if`s: more steps than a walk may take, so that what follows is unknown."""
    level = "{" + ", ".join(f"'{k}': M" for k in "abcdefgh") + "}"
    return ("M = " + level.replace("M", "1") + "\n" + f"M = {level}\n" * 4 + "if C:\n    M['x'] = 1\n" * branches)


def plant_settings(repo: Path, lines: str, where: str = "# Logs go") -> Path:
    """`lines` put into the incident's settings module before `where` (before its LOGGING by default), committed."""
    service = repo / SERVICE
    text = service.read_text()
    service.write_text(text.replace(where, lines + where, 1) if where else text + lines)
    commit_all(repo, "settings changed")
    return repo


# Ways a settings module runs code fixbot does not read; each adds the handler the log names, in a file beside it.
EXEC_SHAPES = {
    "exec": "exec(open(os.path.join(os.path.dirname(__file__), 'local_settings.conf')).read())\n",
    "execfile": "execfile(os.path.join(os.path.dirname(__file__), 'local_settings.conf'))\n",
    "runpy": "import runpy\nglobals().update(runpy.run_path(os.path.join(os.path.dirname(__file__), 'local_settings.conf'),"
             " init_globals=globals()))\n",
    "globals().update": "import importlib\nglobals().update(vars(importlib.import_module('config.settings.local')))\n",
    "importlib, computed": "import importlib\nfor name in ['local']:\n    module = importlib.import_module('config.settings.' + name)\n"
                           "    module.extend(LOGGING)\n",
}
ADDS_HANDLER = ("LOGGING['handlers']['file'] = {'class': 'logging.FileHandler', "
                "'filename': '/app/apps/backend/logs/api.log'}\nLOGGING['root']['handlers'].append('file')\n")


def exec_repo(path: Path, shape: str) -> Path:
    """The incident's repository whose settings module no longer names the failing handler, but runs another
    file (one of EXEC_SHAPES) that adds it back."""
    import re

    repo = ledgersg_repo(path)
    service = repo / SERVICE
    text = re.sub(r"        'file': \{.*?\n        \},\n", "", service.read_text(), flags=re.S)
    service.write_text("import os\n" + text.replace("'console', 'file'", "'console'") + "\n" + EXEC_SHAPES[shape])
    (service.parent / "local_settings.conf").write_text(ADDS_HANDLER)
    (service.parent / "local.py").write_text(  # not named LOGGING here: only the settings module runs it
        "def extend(config):\n    " + ADDS_HANDLER.replace("LOGGING", "config").replace("\n", "\n    ").rstrip() + "\n")
    commit_all(repo, "settings run another file")
    return repo
