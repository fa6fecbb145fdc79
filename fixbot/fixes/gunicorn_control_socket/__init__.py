"""Gunicorn cannot open its control socket under an unwritable HOME (logged, not fatal): start it with --no-control-socket."""

from __future__ import annotations

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "gunicorn-no-control-socket"
SETTINGS = ("control_socket", "control_socket_disable")


class GunicornControlSocket(Fix):
    KIND = "gunicorn-control-socket"
    PROGRAM = "gunicorn"
    FINGERPRINT_KEYS = ("path",)
    SUBJECTS = {CODEMOD: "fix(deploy): Gunicorn opens no control socket under an unwritable HOME"}

    def plan(self, finding, codemod, repo, config):
        from fixbot.fixes.starts import gunicorn_starts
        from fixbot.model import Step

        commands = [s for s in gunicorn_starts(repo, SETTINGS) if not s.config_module
                    and any(i.kind == "command" for i in s.invocations)]
        if not commands:
            raise NoPlan("nothing in this repository starts Gunicorn on a command line to add --no-control-socket to")
        return [Step(finding, codemod, s.path, f"{s.path} starts Gunicorn, whose control socket has no writable "
                     f"place under {finding.facts.get('path')}.") for s in commands], []

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] Nothing runs `gunicornc` against this Gunicorn (the control socket is off)"]


FIX = GunicornControlSocket()
