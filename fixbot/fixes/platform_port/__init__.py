"""The platform found nothing listening on its $PORT because the app bound the loopback: Gunicorn and uvicorn listen on 0.0.0.0:$PORT."""

from __future__ import annotations

import re

from fixbot.fixes import Fix, NoPlan, boots

CODEMOD = "bind-platform-port"
# A Space's README front matter: the port the Space's proxy sends requests to (7860 unless it says).
_APP_PORT = re.compile(r"(?m)\A---\s*\n(?:.*\n)*?app_port:\s*(\d+)\s*\n(?:.*\n)*?---")


class PlatformPort(Fix):
    KIND = "platform-port"
    FINGERPRINT_KEYS = ("platform", "bound")
    SUBJECTS = {CODEMOD: "fix(deploy): listen on 0.0.0.0:$PORT, where {platform} sends requests"}

    def plan(self, finding, codemod, repo, config):
        from fixbot.model import Step

        steps = [Step(finding, codemod, path, f"{path} {why}, which {finding.facts.get('platform')}'s router "
                      "cannot reach.") for path, why in _loopback_starts(repo)]
        if not steps:
            raise NoPlan("nothing in this repository starts Gunicorn or uvicorn on a command line bound to the "
                         f"loopback (the log says {finding.facts.get('bound')})")
        return steps, _space_note(repo, finding.facts.get("bound", ""))

    def checklist(self, codemods, start=None):
        return [*boots(start), "- [ ] The platform sets PORT (Heroku, Render and Cloud Run do); a run without it listens on the "
                "old port, now on every interface",
                "- [ ] After the deploy, the platform's log says the port was found (no R10 / port scan timeout)"]


def _loopback_starts(repo) -> list[tuple[str, str]]:
    """(path, why) of each tracked deploy file that starts Gunicorn or uvicorn where only the container reaches it."""
    from fixbot.formats.deploy import gunicorn, uvicorn

    found: dict[str, str] = {}
    for path in repo.candidates(gunicorn.files(rewritten=True)):
        text = repo.read_or_none(path) or ""
        for program, find in (("Gunicorn", lambda: gunicorn.find_invocations(text, path, False, {"bind"})),
                              ("uvicorn", lambda: uvicorn.find_invocations(text, path))):
            if program.lower() not in text.lower():
                continue
            try:
                invocations = find()
            except Exception:  # noqa: BLE001 -- unreadable: not a start fixbot can speak for
                continue
            for inv in invocations:
                values = {f.setting: f.value for f in inv.flags}
                if inv.kind != "command" or {"uds", "fd"} & values.keys():
                    continue
                address = values.get("bind", values.get("host", "127.0.0.1"))
                if program == "Gunicorn" and not inv.flags:
                    found.setdefault(path, "starts Gunicorn with no --bind (127.0.0.1:8000 where PORT is unset)")
                elif gunicorn.loopback(address):
                    found.setdefault(path, f"starts {program} on {address} (line {inv.line})")
    return list(found.items())


def _space_note(repo, bound: str) -> list[str]:
    """A Hugging Face Space routes to its README's app_port, not to $PORT: worth naming beside the fix."""
    text = repo.read_or_none("README.md") or ""
    match = _APP_PORT.search(text)
    port = bound.rsplit(":", 1)[-1].strip("/")
    if match and port.isdigit() and match[1] != port:
        return [f"README.md's app_port is {match[1]}, where the Space sends requests; the app bound port {port}: "
                f"the Space needs it to listen on {match[1]} (set PORT={match[1]} or app_port: {port})"]
    return []


FIX = PlatformPort()
