"""What a room tells `fixbot check`: each log file a repository's configuration names, as a `Site`, with the values it is judged by.

A room's FIX lists the files it reads (`SITE_FILES`) and yields the Sites of one file (`sites`), naming its own
codemod; check/ judges every room's Sites the same way (does the directory exist when the process starts, can
its user write there) and knows no codemod or kind itself. The helpers here evaluate what the readers of
fixbot/formats/ return: a shell word, a Gunicorn config module's setting, an environment default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from fixbot.formats import Refusal, named
from fixbot.formats.python_eval import UNKNOWN, Alt


@dataclass(frozen=True)
class Site:
    """One log file a configuration names. `value` is the path as evaluated (a str when fixbot knows it, else
    None); `written` how the file writes it; `default_of` the environment variable whose default it is."""

    path: str  # repo-relative
    line: int
    written: str
    value: str | None
    codemod: str
    what: str  # "handler 'file'", "Gunicorn --error-logfile"
    default_of: str | None = None
    captures: bool = False  # Gunicorn's --capture-output / capture_output = True sends the app's output here
    # a place the process writes by default, writable everywhere but on a read-only root: only seen there, and
    # judged under this rule (check.RULES) rather than as a log directory
    read_only_rule: str | None = None


_ENV_CALL = re.compile(r"(?:environ\.get|getenv|environ\[|\benv(?:\.\w+)?\(|\bconfig\()\s*\(?\s*['\"](\w+)['\"]")


def env_in(code: str, text: str) -> str | None:
    """The environment variable a value's default comes from: in `code`, or in a module-level name it uses."""
    found = _ENV_CALL.search(code)
    if found:
        return found.group(1)
    for name in re.findall(r"\b([A-Z_][A-Z0-9_]*)\b", code):
        assigned = re.search(rf"(?m)^{name}\s*(?::[^=\n]*)?=(.*)$", text)
        if assigned and (found := _ENV_CALL.search(assigned.group(1))):
            return found.group(1)
    return None


def known(value) -> str | None:
    """The path when every piece of it is known (an Alt only when all branches agree)."""
    if isinstance(value, Alt):
        options = {known(v) for v in value.options}
        return options.pop() if len(options) == 1 else None
    return value if isinstance(value, str) else None


_CAPTURE = re.compile(r"(?m)--capture-output\b|^capture_output\s*=\s*True\b")
_EXPANSION = re.compile(r"\$\{(\w+):?-([^}$`]*)\}")


def command_sites(repo, file: str, text: str, program: str, codemod: str, find: Callable[..., list],
                  config_modules: bool = False) -> Iterator[Site]:
    """`program`'s log flags wherever the deploy-file readers (fixbot/formats/deploy/) find it started, fixed by
    `codemod`; with `config_modules`, also the settings of a Python config module (Gunicorn's `-c` file)."""
    from fixbot.formats.deploy.table import format_of

    found = format_of(text, file)
    if found is None or (found.name == "python" and not named(file, found.files)):
        return
    config = found.name == "python"  # gunicorn.conf.py: Gunicorn's settings, whether or not it names gunicorn
    if config and not config_modules:
        return
    if program.lower() not in text.lower() and not config:
        return
    try:
        invocations = find(text, file, config) if config_modules else find(text, file)
    except (Refusal, RecursionError):
        return
    captures = config_modules and len(invocations) == 1 and bool(_CAPTURE.search(text))
    assigned = config_values(repo, file) if config else None
    for invocation in invocations:
        for flag in invocation.flags:
            if flag.value == "-" and config_modules:
                continue
            value, env = shell_value(flag.value) if assigned is None else \
                config_value(assigned.get((file, flag.line), UNKNOWN), flag.value, text,
                             assigned.get(flag.setting, UNKNOWN))
            yield Site(file, flag.line, flag.value, value, codemod, f"{program} {flag.flag}", env,
                       captures and flag.setting == "errorlog")


def config_values(repo, file: str) -> dict:
    """{(file, line): value} of the assignments a Python config module runs, evaluated statically (module-level
    names, f-strings, `+`, os.path.join, environment defaults; settings_walk), and {name: value} of what the module
    ends with; {} when it does not parse."""
    from fixbot.settings_find import module_name
    from fixbot.settings_walk import Walk

    walk = Walk(repo)
    walk.assigned = {}
    try:
        walk.visit(file, module_name(repo, file), ())
    except Exception:  # a module that does not parse: nothing in it is known
        return {}
    return {**walk.assigned, **walk.env}


def config_value(value, shown: str, text: str, final=UNKNOWN) -> tuple[str | None, str | None]:
    """A config module setting's value (`errorlog = f"{LOG_DIR}/error.log"`) as evaluated, None when it is not
    known or when what the module ends with (`final`) is known not to be it (a later `errorlog = "-"`). A value
    chosen at run time (`"/var/log/a.log" if PROD else "-"`) is judged by its one path when every branch is known
    and the others are the console; two different paths, or an unknown branch, are None."""
    options = value.options if isinstance(value, Alt) else (value,)
    ends = final.options if isinstance(final, Alt) else (final,)
    if final is not UNKNOWN and not any(v in ends for v in options if isinstance(v, str)):
        return None, None
    if not all(isinstance(v, str) or v is None for v in options):
        return None, None
    paths = {v for v in options if v is not None and v not in ("-", "/dev/stdout", "/dev/stderr")}
    if len(paths) != 1:
        return None, None
    return paths.pop(), env_in(shown, text)


def shell_value(shown: str) -> tuple[str | None, str | None]:
    """A shell word's value: literal text, or one `${VAR:-default}` judged by its default; None when unknown."""
    env = None
    if "$" in shown:
        match = _EXPANSION.search(shown)
        if match is None or "$" in shown.replace(match.group(0), "") or "`" in shown:
            return None, None
        env, shown = match.group(1), shown.replace(match.group(0), match.group(2))
    if not shown or "*" in shown or "%" in shown or "~" in shown:
        return None, None  # celery's %n/%I, globs, a home directory: not one path
    return shown, env


