"""Gunicorn's workers find no writable directory for their heartbeat file: give them /dev/shm (--worker-tmp-dir)."""

from __future__ import annotations

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "gunicorn-worker-tmp-dir"
SETTINGS = ("worker_tmp_dir",)


class GunicornWorkerTmp(Fix):
    KIND = "gunicorn-worker-tmp"
    PROGRAM = "gunicorn"
    FINGERPRINT_KEYS = ("dir", "tried")
    SUBJECTS = {CODEMOD: "fix(deploy): Gunicorn's workers keep their heartbeat file in /dev/shm"}
    SITE_FILES = ("*",)

    def plan(self, finding, codemod, repo, config):
        from fixbot.fixes.starts import gunicorn_starts
        from fixbot.model import Step

        starts = gunicorn_starts(repo, SETTINGS)
        if not starts:
            raise NoPlan("nothing in this repository starts Gunicorn")
        where = finding.facts.get("dir")
        named = [s for s in starts if where and any(f.value.rstrip("/") == where for f in s.flags)]
        # Every start of the deploy's Gunicorn gets it: a command line's option wins over a config module's.
        chosen = named or [s for s in starts if s.flags or not s.config_module]
        why = (f"names {where} for the heartbeat files" if named else "starts Gunicorn, whose workers find no "
               "writable temporary directory")
        return [Step(finding, codemod, s.path, f"{s.path} {why}.", s.options) for s in chosen], []

    def sites(self, repo, file, text, walks):
        """A start with no --worker-tmp-dir: its workers' heartbeat files go to /tmp, writable everywhere but on a
        read-only root, so check sees the site only where the deploy declares one (Site.read_only_rule)."""
        from fixbot.fixes.sites import Site
        from fixbot.formats.deploy import gunicorn
        from fixbot.formats.deploy.table import format_of

        found = format_of(text, file)
        if found is None or found.name == "python" or "gunicorn" not in text.lower():
            return
        try:
            invocations = gunicorn.find_invocations(text, file, False, SETTINGS)
        except Exception:  # noqa: BLE001 -- a file it cannot read is judged by no one
            return
        for invocation in invocations:
            if invocation.kind == "command" and not invocation.flags and invocation.config is None:
                yield Site(file, invocation.line, "(no --worker-tmp-dir)", "/tmp/wgunicorn-heartbeat", CODEMOD,
                           "Gunicorn's worker heartbeat file (no --worker-tmp-dir)",
                           read_only_rule="gunicorn-worker-tmp-read-only")

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] The container has /dev/shm (Docker and Kubernetes give every container one)"]


FIX = GunicornWorkerTmp()
