"""Celery's --logfile/-f points where it cannot write: drop the flag, so the worker, beat or events logs to stderr."""

from __future__ import annotations

import re

from fixbot import commands
from fixbot.fixes import Fix, NoPlan


class CeleryLogfile(Fix):
    KIND = "celery-logfile"
    FINGERPRINT_KEYS = ("path",)
    SUBJECTS = {"celery-stderr": "fix(logging): send Celery's logs to stderr"}

    def plan(self, finding, codemod, repo, config):
        from fixbot.model import Step

        target = str(finding.facts.get("path", ""))
        starts = _starts(repo)
        sites = [(path, flags) for path, flags in starts if flags]
        named = [path for path, flags in sites if any(_names(_where(repo, path, flag), target) for flag in flags)]
        if named:  # every start that names the failing file (`%n`-style node names read as wildcards) led to it
            return [Step(finding, codemod, path, f"{path} starts Celery with its log at {target}.") for path in named], []
        # A log file named at run time (`$LOG_DIR/worker.log`) may be the one; a literal other path is not.
        unknown = [path for path, flags in sites if any("$" in flag.value or "`" in flag.value for flag in flags)]
        if len(unknown) == 1:
            why = f"{unknown[0]} is the one place that starts Celery with a log file named at run time (maybe {target})."
            return [Step(finding, codemod, unknown[0], why)], []
        if unknown:
            raise NoPlan(f"{target} may be the log file of {len(unknown)} Celery starts ({', '.join(unknown)}): "
                         "run fixbot codemod celery-stderr on the one that failed")
        fixed = [path for path, flags in starts if not flags]
        if fixed:
            # Celery starts here and already logs to stderr (the fix merged): nothing changes, so already-fixed.
            why = "{} start{} Celery with no log file.".format(", ".join(fixed), "s" if len(fixed) == 1 else "")
            return [Step(finding, codemod, path, why) for path in fixed], []
        others = "; ".join(f"{path}: {', '.join(f.value for f in flags)}" for path, flags in sites)
        raise NoPlan(f"no Celery worker, beat or events in this repository writes its log to {target}"
                     + (f" (other log files: {others})" if others else ""))

    def notes(self, repo):
        return [
            f"{path}: Celery also writes its log to a file ({', '.join(f'{f.flag} {f.value}' for f in flags)}); "
            f"to send it to stderr too: {commands.fixbot('codemod', 'celery-stderr', path)}"
            for path, flags in _starts(repo) if flags
        ]

    SITE_FILES = ("*",)
    PROGRAM = "celery"

    def sites(self, repo, file, text, walks):
        from fixbot.fixes.sites import command_sites
        from fixbot.formats.deploy import celery

        return command_sites(repo, file, text, "Celery", "celery-stderr", celery.find_invocations)

    def check(self, path, before, after, codemod):
        from fixbot.formats.deploy.celery import find_invocations
        from fixbot.verify import VerifyFailed

        left = [f"{flag.flag} {flag.value}" for inv in find_invocations(after, path) for flag in inv.flags]
        if left:
            raise VerifyFailed(f"{path} still starts Celery with a log file: {', '.join(left)}")
        return [f"{path} starts no Celery with --logfile/-f"]

    def checklist(self, codemods, start=None):
        from fixbot.fixes import boots

        return [
            *boots(start),
            "- [ ] The worker logs to stderr: it prints `ready.` there once it has started",
            "- [ ] Nothing else names a log file: without the flag Celery reads `CELERY_WORKER_LOGFILE` (or "
            "`CELERY_BEAT_LOGFILE`) from the environment (click's `auto_envvar_prefix`, celery/bin/celery.py), then "
            "`worker_logfile`/`beat_logfile` from the app's settings (`DaemonOption.daemon_setting`, celery/bin/base.py)",
            "- [ ] Whatever read the old log file (logrotate, a sidecar, a shipper) reads the container's stderr now",
        ]


def _starts(repo) -> list[tuple[str, list]]:
    """Every deploy file that starts a Celery worker, beat, events or multi, with its --logfile flags (maybe none)."""
    from fixbot.formats.deploy import celery
    from fixbot.formats.deploy.celery import find_invocations

    found = []
    for path in repo.candidates(tuple(p for f in celery.FORMATS for p in f.files)):
        try:
            invocations = find_invocations(repo.read_or_none(path) or "", path)
        except Exception:  # a file it cannot read is not a start we can speak for
            continue
        if invocations:
            found.append((path, [flag for inv in invocations for flag in inv.flags]))
    return found


def _where(repo, path: str, flag) -> str:
    """A --logfile value as the log shows it: a relative one made absolute through the directory the start runs in
    (Celery's handler opens `os.path.abspath` of it), the value as written when the file does not say."""
    from fixbot.formats.deploy import workdir

    if flag.value.startswith("/"):
        return flag.value
    return workdir.absolute(path, repo.read_or_none(path) or "", flag.line, flag.value) or flag.value


def _names(value: str, target: str) -> bool:
    """Whether a --logfile value names `target`; Celery fills in %n, %h, %d, %i, %I (node name, host, worker index)."""
    parts = re.split(r"(%[a-zA-Z%])", value)
    pattern = "".join(re.escape(p) if not p.startswith("%") else "%" if p == "%%" else ".*" for p in parts)
    return bool(target) and re.fullmatch(pattern, target) is not None


FIX = CeleryLogfile()
