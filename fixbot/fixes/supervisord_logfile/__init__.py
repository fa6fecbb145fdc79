"""supervisord cannot write its own log or pid file, or a program's log: its files and its programs' logs go to the console."""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatch

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "supervisord-stdout"
# Debian's and Alpine's supervisor packages make /var/log/supervisor: a log there exists in such an image.
_PACKAGED = re.compile(r"(?m)\b(?:apt-get|apt|apk|yum|dnf|microdnf)\b[^\n]*(?:\\\n[^\n]*)*\bsupervisor\b")


class SupervisordLogfile(Fix):
    KIND = "supervisord-logfile"
    FINGERPRINT_KEYS = ("path", "program")
    SUBJECTS = {CODEMOD: "fix(deploy): supervisord and its programs log to the container's stdout"}
    SITE_FILES = ("supervisor*.conf", "supervisor*/*.conf", "*/supervisor*/*.conf", "*.ini", "*.conf")

    def plan(self, finding, codemod, repo, config):
        from fixbot.model import Step

        path, program = str(finding.facts.get("path", "")), finding.facts.get("program")
        found = _configs(repo)
        if not found:
            raise NoPlan("no supervisord configuration in this repository (a file with a [supervisord] or "
                         "[program:x] section)")
        failing = [f for f, secs in found if path and path in _written(secs)]
        if not failing and program:
            failing = [f for f, secs in found if any(s.program == program for s in secs)]
        mains = [f for f, secs in found if any(s.name == "supervisord" for s in secs)]
        if not failing:
            if len(mains) != 1:
                where = ", ".join(mains or [f for f, _ in found])
                raise NoPlan(f"{path or program} is named in no supervisord file, and the one supervisord runs "
                             f"cannot be told among {where}: run fixbot codemod {codemod} on it")
            failing = mains
        options = {"programs": (program,)} if program else {}
        steps = [Step(finding, codemod, f, _why(f, path, program), dict(options),
                      still_failing=f"{path} is still written there" if path in _written(dict(found)[f]) else "")
                 for f in failing]
        # One deploy, one fix: the program files the failing supervisord includes write where it does.
        included = {f for main in failing if main in mains for f in _included(dict(found)[main], main, found)}
        steps += [Step(finding, codemod, f, f"{f} holds programs the same supervisord starts; their logs go to the "
                       "console too.") for f in sorted(included - set(failing)) if _writes_files(dict(found)[f])]
        return steps, []

    def notes(self, repo):
        return [f"{f}: supervisord writes logs to files ({', '.join(sorted(_written(secs)))}); to send them to the "
                f"console too: fixbot codemod {CODEMOD} {f}" for f, secs in _configs(repo) if _writes_files(secs)]

    def sites(self, repo, file, text, walks):
        from fixbot.fixes.sites import Site
        from fixbot.formats.deploy.supervisord import sections

        if "[supervisord]" not in text and "[program:" not in text and "[fcgi-program:" not in text:
            return
        packaged = any(_PACKAGED.search(repo.read_or_none(f) or "") for f in repo.candidates(("dockerfile*",)))
        for section in sections(text):
            keys = ("logfile",) if section.name == "supervisord" else \
                ("stdout_logfile", "stderr_logfile") if section.program is not None else ()
            for key in keys:
                setting = section.settings.get(key)
                value = setting.value.strip() if setting else ""
                if not value.startswith("/") or "%(" in value or value.startswith("/dev/"):
                    continue  # relative to a directory fixbot does not know, expanded at run time, or a device
                if packaged and value.startswith("/var/log/supervisor/"):
                    continue
                what = f"supervisord {key}" if section.program is None else f"supervisord program '{section.program}' {key}"
                yield Site(file, setting.line, setting.value, posixpath.normpath(value), CODEMOD, what)

    def check(self, path, before, after, codemod):
        import configparser

        from fixbot.codemods.supervisord_stdout import changes as left
        from fixbot.formats.deploy.supervisord import sections
        from fixbot.verify import VerifyFailed

        try:
            configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False).read_string(after)
        except configparser.Error as error:
            raise VerifyFailed(f"{path} no longer reads as supervisord's INI: {error}") from None
        if left(sections(after)):
            raise VerifyFailed(f"{path} still writes supervisord's files where the deploy may give no place")
        return [f"{path} reads as supervisord's INI, and supervisord and its programs write no log file"]

    def checklist(self, codemods, start=None):
        return [
            *boots(start),
            "- [ ] supervisord starts in the foreground and its programs run: it prints `supervisord started` and "
            "`entered RUNNING state` for each program",
            "- [ ] The programs' output is in the container's log now: `supervisorctl tail` has no file to show, "
            "and nothing else (logrotate, a sidecar, a shipper) reads the old log files",
        ]


def _configs(repo) -> list[tuple[str, list]]:
    """Every tracked supervisord file, with its sections."""
    from fixbot.formats.deploy.supervisord import sections

    out = []
    for file in repo.candidates(SupervisordLogfile.SITE_FILES):
        text = repo.read_or_none(file) or ""
        if "[supervisord]" in text or "program:" in text:
            found = sections(text)
            if any(s.name == "supervisord" or s.program is not None for s in found):
                out.append((file, found))
    return out


def _written(secs) -> set[str]:
    """The files a supervisord file names for supervisord's log and pid and its programs' logs."""
    keys = ("logfile", "pidfile", "stdout_logfile", "stderr_logfile")
    return {s.get(k).strip() for s in secs for k in keys if s.get(k) and s.get(k).strip().startswith("/")}


def _writes_files(secs) -> bool:
    from fixbot.codemods.supervisord_stdout import changes

    try:
        return bool(changes(secs))
    except Exception:  # a daemonising supervisord: the codemod refuses it with the reason when run
        return True


def _included(secs, main: str, found: list[tuple[str, list]]) -> set[str]:
    """The repository's supervisord files that `[include] files=` of `main` may name: the same file-name pattern
    in a folder of the same name (`/etc/supervisor/conf.d/*.conf` → `deploy/conf.d/web.conf`)."""
    patterns = [p for s in secs if s.name == "include" for p in (s.get("files") or "").split()]
    out = set()
    for pattern in patterns:
        folder, name = posixpath.split(pattern)
        for file, _ in found:
            there, base = posixpath.split(file)
            if file != main and fnmatch(base, name) and posixpath.basename(there) == posixpath.basename(folder):
                out.add(file)
    return out


def _why(file: str, path: str, program: str | None) -> str:
    if program:
        return f"{file} starts the program '{program}', whose log supervisord could not open."
    return f"{file} is the supervisord configuration that writes {path}." if path else \
        f"{file} is the one supervisord configuration here."


FIX = SupervisordLogfile()
