"""Gunicorn cannot write its pid file (--pid, `pidfile =`) where the container gives no place: drop it."""

from __future__ import annotations

import posixpath

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "gunicorn-no-pidfile"
SETTINGS = ("pidfile",)


class GunicornPidfile(Fix):
    KIND = "gunicorn-pidfile"
    PROGRAM = "gunicorn"
    FINGERPRINT_KEYS = ("dir",)
    SUBJECTS = {CODEMOD: "fix(deploy): Gunicorn writes no pid file"}
    SITE_FILES = ("*",)

    def plan(self, finding, codemod, repo, config):
        from fixbot.fixes.starts import gunicorn_starts
        from fixbot.model import Step

        where = str(finding.facts.get("dir", "")).rstrip("/")
        starts = gunicorn_starts(repo, SETTINGS)
        sites = [(s, f) for s in starts for f in s.flags]
        named = [s for s, f in sites if posixpath.dirname(f.value) == where]
        chosen = list({s.path: s for s in (named or [s for s, _ in sites])}.values())
        if not named and len(chosen) > 1:
            raise NoPlan(f"no pid file of Gunicorn here is in {where}, and {len(chosen)} files start it with one "
                         f"({', '.join(s.path for s in chosen)}): run fixbot codemod {codemod} on the one that failed")
        if not chosen:
            if starts:  # Gunicorn starts here with no pid file (the fix merged): the codemod changes nothing
                return [Step(finding, codemod, s.path, f"{s.path} starts Gunicorn with no pid file.", s.options)
                        for s in starts], []
            raise NoPlan(f"nothing in this repository starts Gunicorn with a pid file (looked for one in {where})")
        for start in chosen:
            for flag in (f for s, f in sites if s is start):
                reader = _reader_of(repo, flag.value, {start.path})
                if reader:
                    raise NoPlan(f"{reader} reads Gunicorn's pid file {flag.value}: dropping it would break that; "
                                 f"point --pid at a directory the deploy can write (/tmp, a volume) by hand")
        return [Step(finding, codemod, s.path, f"{s.path} starts Gunicorn with its pid file in "
                     f"{posixpath.dirname(next(f.value for t, f in sites if t is s))}, where the deploy gives no place.",
                     s.options) for s in chosen], []

    def sites(self, repo, file, text, walks):
        from fixbot.fixes.sites import command_sites
        from fixbot.formats.deploy import gunicorn

        def find(source, name, config=False):
            return gunicorn.find_invocations(source, name, config, SETTINGS)

        return (s for s in command_sites(repo, file, text, "Gunicorn", CODEMOD, find, config_modules=True)
                if not s.captures)

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] Nothing reads the old pid file (a `kill -HUP $(cat …)`, a health check, monitoring)"]


def _reader_of(repo, pidfile: str, exclude: set[str]) -> str | None:
    """A tracked file other than the starts that names the pid file (so something reads it), if any."""
    if "$" in pidfile or not pidfile:
        return None
    found = repo.grep(pidfile)
    return next((f for f in sorted(found) if f not in exclude and not f.lower().endswith((".md", ".rst", ".txt"))), None)


FIX = GunicornPidfile()
