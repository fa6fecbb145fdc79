"""Django's LOGGING names a file handler that cannot open its file: send it to the console, or to a directory that exists."""

from __future__ import annotations

import re
from typing import Any

from fixbot.fixes import BOOTS, Fix
from fixbot.redact import redact

# `logging:` in .fixbot.yml -> the codemod it prefers.
STRATEGIES = {"console": "logging-console", "path": "logging-path"}

_LOG_DIR = re.compile(r"^\s*mkdir\s+(?:-\w+\s+)*['\"]?(?P<dir>/[\w./-]*log[\w./-]*?)/?['\"]?\s*$", re.M)


class DjangoLoggingHandler(Fix):
    KIND = "django-logging-handler"
    FINGERPRINT_KEYS = ("handler", "path")
    SUBJECTS = {
        "logging-console": "fix(logging): send Django's '{handler}' log handler to the console",
        "logging-path": "fix(logging): keep Django's log files in a directory that exists",
    }

    def preferred(self, config) -> str | None:
        return STRATEGIES[config.logging]

    def plan(self, finding, codemod, repo):
        from fixbot.model import Step
        from fixbot.plan import NoPlan, notes_from_other_kinds
        from fixbot.settings_find import locate

        frames = [str(f) for f in finding.facts.get("project_frames", [])]
        if frames and not any(repo.map_log_path(f.rsplit(":", 1)[0]) for f in frames):
            # The traceback ran code that is not in this repository: fixing whatever settings it holds would be a guess.
            shown = redact(frames[0].rsplit(":", 1)[0])
            raise NoPlan(
                f"the log's traceback runs {shown}{f' (and {len(frames) - 1} more)' if len(frames) > 1 else ''}, "
                "which is no file of this repository: is this the repository that failed?"
            )
        located = locate(repo, finding.facts, frames, repo.settings)
        if located is None:
            choice = repo.settings_module(frames)
            if choice is None:
                raise NoPlan(
                    "cannot tell which Django settings module failed: no DJANGO_SETTINGS_MODULE in the deploy files, "
                    "wsgi.py, asgi.py or manage.py of this repository, and no settings module whose LOGGING holds "
                    "the failing handler"
                )
            raise NoPlan(f"{choice.file} (the active settings, as {choice.why}) and the modules it imports define no LOGGING")
        why = f"{located.why}."
        shared = repo.importers_of(located.file, exclude=set(located.chain))
        if shared:
            why += (
                f" Fixed where it is defined, so {', '.join(shared)} (which import it too) get the fix as well:"
                " a broken file handler is broken for every environment that shares it."
            )
        # An import the rewrite left unused goes, unless a sibling module may get it through `import *`.
        star_imported = located.file.endswith("__init__.py") or bool(repo.importers_of(located.file, exclude=set()))
        options: dict[str, Any] = {"star_imported": star_imported}
        if codemod == "logging-path":
            options["project"] = repo.root.name
            log_dir = _entrypoint_log_dir(repo)
            if log_dir:
                options["log_dir"] = log_dir
        notes = [
            f"{m}: changes LOGGING after it is defined; check it still applies"
            for m in located.mutations if m != located.file
        ]
        notes += notes_from_other_kinds(self.KIND, repo)
        return [Step(finding, codemod, located.file, why, options, still_failing=located.still_failing)], notes

    def check(self, path, before, after, codemod):
        if not path.endswith(".py"):
            return []
        from fixbot.codemods._logging_check import compare
        from fixbot.verify import VerifyFailed

        # Only what the rewrite broke: a derived module naming its base's handlers was so before it.
        broken, proven = compare(before, after, allow_file_handlers=codemod == "logging-path")
        if broken:
            raise VerifyFailed(f"{path}: the rewritten LOGGING is not valid for dictConfig: {broken[0]}")
        return proven

    def checklist(self, codemods):
        out = ["- [ ] `python manage.py check` passes with the deployed settings module", *BOOTS]
        if "logging-console" in codemods:
            out.append("- [ ] Logs now reach the container's stdout/stderr (`docker logs`, your log collector)")
        return out


def _entrypoint_log_dir(repo) -> str | None:
    for source in repo.deploy_files([]):
        match = _LOG_DIR.search(repo.read_or_none(source) or "")
        if match:
            return match["dir"]
    return None


FIX = DjangoLoggingHandler()
