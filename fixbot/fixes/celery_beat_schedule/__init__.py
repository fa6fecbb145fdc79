"""Celery beat cannot write its schedule file where the container gives no place: keep it in /tmp (-s/--schedule)."""

from __future__ import annotations

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "celery-schedule-tmp"
SETTINGS = frozenset({"schedule"})


class CeleryBeatSchedule(Fix):
    KIND = "celery-beat-schedule"
    PROGRAM = "celery"
    FINGERPRINT_KEYS = ("path",)
    SUBJECTS = {CODEMOD: "fix(deploy): Celery beat keeps its schedule file in /tmp"}

    def plan(self, finding, codemod, repo, config):
        from fixbot.formats.deploy import celery
        from fixbot.model import Step

        target = str(finding.facts.get("path", ""))
        beats = []
        for path in repo.candidates(tuple(p for f in celery.FORMATS for p in f.files)):
            try:
                found = celery.find_invocations(repo.read_or_none(path) or "", path, SETTINGS)
            except Exception:  # noqa: BLE001 -- a file it cannot read is not a start it can speak for
                continue
            found = [i for i in found if i.command == "beat"]
            if found:
                beats.append((path, [f.value for i in found for f in i.flags]))
        if not beats:
            raise NoPlan(f"nothing in this repository starts Celery beat (its schedule file was {target})")
        named = [p for p, values in beats if target in values]
        default = [p for p, values in beats if not values]  # the schedule in the working directory
        chosen = named or default or [p for p, _ in beats]
        if not named and not default and len(chosen) > 1:
            raise NoPlan(f"{target} is named by no Celery beat here, and {len(chosen)} start one with another "
                         f"schedule file ({', '.join(chosen)}): run fixbot codemod {codemod} on the one that failed")
        return [Step(finding, codemod, p, f"{p} starts Celery beat with its schedule file at "
                     f"{target if p in named else 'celerybeat-schedule in its working directory'}.") for p in chosen], []

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] beat ticks: it logs `Scheduler: Sending due task`",
                "- [ ] /tmp is writable where beat runs (a volume there if the root is read-only); a restart forgets "
                "when each task last ran, as a new container does"]


FIX = CeleryBeatSchedule()
