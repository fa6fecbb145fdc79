"""Celery cannot write its --pidfile where the container gives no place: drop it."""

from __future__ import annotations

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "celery-no-pidfile"
SETTINGS = frozenset({"pidfile"})


class CeleryPidfile(Fix):
    KIND = "celery-pidfile"
    PROGRAM = "celery"
    FINGERPRINT_KEYS = ("path",)
    SUBJECTS = {CODEMOD: "fix(deploy): Celery writes no pid file"}
    SITE_FILES = ("*",)

    def plan(self, finding, codemod, repo, config):
        from fixbot.formats.deploy import celery
        from fixbot.model import Step

        target = str(finding.facts.get("path", ""))
        starts = []
        for path in repo.candidates(tuple(p for f in celery.FORMATS for p in f.files)):
            try:
                found = celery.find_invocations(repo.read_or_none(path) or "", path, SETTINGS)
            except Exception:  # noqa: BLE001 -- a file it cannot read is not a start it can speak for
                continue
            if found:
                starts.append((path, [f.value for i in found for f in i.flags]))
        named = [p for p, values in starts if target in values]
        if not named:
            if starts and not any(values for _, values in starts):  # no pid file any more: the fix merged
                return [Step(finding, codemod, p, f"{p} starts Celery with no pid file.") for p, _ in starts], []
            raise NoPlan(f"no Celery start in this repository writes its pid file to {target}")
        readers = sorted(f for f in repo.grep(target) if f not in named and not f.lower().endswith((".md", ".rst")))
        if readers:
            raise NoPlan(f"{readers[0]} reads Celery's pid file {target}: dropping it would break that; point "
                         "--pidfile at a directory the deploy can write by hand")
        return [Step(finding, codemod, p, f"{p} starts Celery with its pid file at {target}.") for p in named], []

    def sites(self, repo, file, text, walks):
        from fixbot.fixes.sites import command_sites
        from fixbot.formats.deploy import celery

        return command_sites(repo, file, text, "Celery", CODEMOD,
                             lambda source, name: celery.find_invocations(source, name, SETTINGS))

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] A worker prints `ready.` once it has started, beat logs `Sending due task`",
                "- [ ] Nothing reads the old pid file (a `celery multi` stop, monitoring)"]


FIX = CeleryPidfile()
