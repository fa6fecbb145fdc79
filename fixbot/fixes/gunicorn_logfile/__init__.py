"""Gunicorn's --access-logfile/--error-logfile/--log-file points where it cannot write: point it at stdout (`-`)."""

from __future__ import annotations

import posixpath
import re

from fixbot import commands
from fixbot.fixes import Fix, NoPlan, boots


class GunicornLogfile(Fix):
    KIND = "gunicorn-logfile"
    # "handler" is never a fact of this kind; it stays a key so that fingerprints, and so the pull requests
    # already opened for this kind, stay the same.
    FINGERPRINT_KEYS = ("handler", "path")
    SUBJECTS = {"gunicorn-stdout": "fix(logging): send Gunicorn's logs to stdout"}

    def plan(self, finding, codemod, repo, config):
        from fixbot.model import Step

        target = str(finding.facts.get("path", ""))
        files, unfound, links = _files(repo)  # each candidate parsed once
        options = {path: opts for path, _, opts in files}
        sites = [(path, flags) for path, flags, _ in files if flags]
        exact = [path for path, flags in sites if any(_where(repo, path, f) == target for f in flags)]
        if exact:  # every invocation that names the failing file led to the failure
            _refuse_a_daemon(repo, exact, links)
            return [Step(finding, codemod, path, f"{path} starts Gunicorn with its log at {target}.{_journald(path)}",
                         options[path]) for path in exact], []
        if len(sites) == 1:
            path = sites[0][0]
            _refuse_a_daemon(repo, [path], links)
            why = (f"{path} is the one place whose Gunicorn logs to a file (none names {target} literally)."
                   f"{_journald(path)}")
            return [Step(finding, codemod, path, why, options[path])], []
        if not sites:
            starts = [path for path, _, _ in files]
            if starts and unfound:  # its log may be set there: never a confident already-fixed
                raise NoPlan(f"Gunicorn reads {', '.join(unfound)}, which is not in this repository; "
                             f"no file here logs to {target}")
            if starts:
                # Gunicorn is started here and already logs to stdout (the fix merged): the codemod changes nothing
                # on these files, which makes the result already-fixed rather than an error.
                why = f"{', '.join(starts)} start{'s' if len(starts) == 1 else ''} Gunicorn and no log of it goes to a file."
                return [Step(finding, codemod, path, why, options[path]) for path in starts], []
            raise NoPlan(f"no Gunicorn invocation in this repository writes its logs to a file (looked for {target})")
        raise NoPlan(
            f"{target} is named nowhere and {len(sites)} files start Gunicorn with log files "
            f"({', '.join(p for p, _ in sites)}): run fixbot codemod gunicorn-stdout on the one that failed"
        )

    def notes(self, repo):
        return [
            f"{path}: Gunicorn also writes its logs to files ({', '.join(f'{f.flag} {f.value}' for f in flags)}); "
            f"to send them to stdout too: {commands.fixbot('codemod', 'gunicorn-stdout', path)}"
            for path, flags in _sites(repo)
        ]

    SITE_FILES = ("*",)
    PROGRAM = "gunicorn"

    def site_options(self, repo, site):
        from fixbot.formats.deploy.table import format_of

        found = format_of(repo.read_or_none(site.path) or "", site.path)
        return {"config_module": True} if found is not None and found.name == "python" else {}

    def sites(self, repo, file, text, walks):
        from fixbot.fixes.sites import command_sites
        from fixbot.formats.deploy import gunicorn

        return command_sites(repo, file, text, "Gunicorn", "gunicorn-stdout", gunicorn.find_invocations,
                             config_modules=True)

    def check(self, path, before, after, codemod):
        """A config module not named `.py` (`gunicorn -c gunicorn.conf`) is compiled too, as Gunicorn will."""
        from fixbot.formats.deploy.table import format_of
        from fixbot.verify import compiles

        found = format_of(after, path)
        if path.endswith(".py") or (found is not None and found.name != "python"):
            return []
        return [f"{compiles(path, after)} as Gunicorn's config module"]

    def checklist(self, codemods, start=None):
        return boots(start)


def _where(repo, path: str, flag) -> str:
    """A log flag's value as the log shows it: a relative one made absolute through the directory the start runs in
    (`--chdir`, a `cd`, WORKDIR), the value as written when the file does not say."""
    from fixbot.formats.deploy import workdir

    line = getattr(flag, "line", None)
    if flag.value.startswith("/") or flag.value == "-" or not line:
        return flag.value
    return workdir.absolute(path, repo.read_or_none(path) or "", line, flag.value) or flag.value


def _journald(path: str) -> str:
    """What becomes of `-` when systemd starts Gunicorn: journald keeps the service's stdout and stderr."""
    if not path.lower().endswith(".service"):
        return ""
    unit = posixpath.basename(path)
    return f" systemd hands the service's stdout and stderr to journald: `journalctl -u {unit}` shows the logs."


def _refuse_a_daemon(repo, paths: list[str], links: list) -> None:
    """NoPlan when a Gunicorn whose logs are in `paths` daemonises by a setting in the other file of a
    `gunicorn -c CONFIG` pair (`-D` in the script, `daemon = True` in the config module, -R in neither): its
    stdout and stderr are /dev/null, so '-' would lose every line. Within one file the codemod refuses it."""
    from fixbot.formats.deploy import gunicorn

    for where, invocation, config in links:
        if where not in paths and config not in paths:
            continue
        try:
            settings = gunicorn.daemon_settings(repo.read_or_none(config) or "", config, config_module=True)
        except Exception:  # a config module it cannot read: the codemod refuses it on its own
            settings = []
        told = [(invocation, where), *((s, config) for s in settings)]
        daemon = [f"{i.daemon} in {f}" for i, f in told if i.daemon]
        if daemon and not any(i.inherits for i, _ in told):
            raise NoPlan(f"the Gunicorn started in {where} on line {invocation.line} with -c {config} runs as a daemon "
                         f"({daemon[0]}), which sends its stdout and stderr to /dev/null: logs pointed at '-' would "
                         "be lost; run it in the foreground or add --enable-stdio-inheritance, then rerun fixbot")


def _files(repo) -> tuple[list[tuple[str, list, dict]], list[str], list]:
    """Every file that starts or configures Gunicorn, with the log flags that write to files (maybe none) and the
    codemod's options for it: a file named by `gunicorn -c FILE` in another is read as a config module whatever
    its name (`-c deploy/web.conf`, `-c python:config.gunicorn`). Also the `-c` files it could not find, and
    each (file, invocation, config module in the repository) that `-c` ties together."""
    from fixbot.formats.deploy import gunicorn

    found: list[tuple[str, list, dict]] = []
    unfound: list[str] = []  # -c files not found in the repository: their logs are unknown
    named: list[tuple[str, str]] = []  # (the file that names it, the -c value)
    invocations_of: dict[str, list] = {}

    def read(path: str, options: dict) -> None:
        try:
            invocations = gunicorn.find_invocations(repo.read_or_none(path) or "", path, **options)
        except Exception:  # a file it cannot read is not a site we can speak for
            return
        if invocations:
            found.append((path, [flag for inv in invocations for flag in inv.flags if flag.value != "-"], options))
        named.extend((path, inv.config) for inv in invocations if inv.config)
        invocations_of[path] = invocations

    for path in repo.candidates(gunicorn.files(rewritten=True)):
        read(path, {})
    links = []
    for where, config in dict.fromkeys(named):
        path = _config_file(repo, where, config)
        if path is None:
            unfound.append(f"{config} (named in {where})")
            continue
        if path not in {p for p, _, _ in found}:
            read(path, {"config_module": True})
        links += [(where, inv, path) for inv in invocations_of.get(where, []) if inv.config == config]
    return found, unfound, links


def _config_file(repo, where: str, config: str) -> str | None:
    """The repository file `gunicorn -c CONFIG` in `where` loads: a `python:` module or a path, relative to the
    repository's top or to `where`'s directory, a deploy's absolute path by its longest suffix, or the one tracked
    file that ends with it (`cd apps/backend && gunicorn -c gunicorn.conf`)."""
    if config.startswith("python:"):
        module = config[len("python:"):]
        if not re.fullmatch(r"\w+(\.\w+)*", module):
            return None
        config = module.replace(".", "/") + ".py"
    return repo.named_file(where, config)


def _sites(repo) -> list[tuple[str, list]]:
    return [(path, flags) for path, flags, _ in _files(repo)[0] if flags]


FIX = GunicornLogfile()
