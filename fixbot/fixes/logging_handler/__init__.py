"""A logging configuration (Django's LOGGING, YAML, JSON, INI, a dictConfig) names a file handler that cannot open its file: send it to the console."""

from __future__ import annotations

import re
from typing import Any

from fixbot.fixes import Fix, NoPlan, boots, notes_from_other_kinds
from fixbot.formats import named
from fixbot.formats.logconfig.files import FORMAT_FILES
from fixbot.redact import redact

# `logging:` in .fixbot.yml -> the codemod it prefers.
STRATEGIES = {"console": "logging-console", "path": "logging-path"}
CODE = "file-handler-stream"  # the codemod for a handler the application's own code builds

_LOG_DIR = re.compile(r"^\s*mkdir\s+(?:-\w+\s+)*['\"]?(?P<dir>/[\w./-]*log[\w./-]*?)/?['\"]?\s*$", re.M)


class LoggingHandler(Fix):
    KIND = "logging-handler"
    # Its name until it covered every Python logging config. A fix of a Django settings module keeps it in its
    # branch name and fingerprint, so the pull requests opened before the rename are still found and updated.
    ALIASES = ("django-logging-handler",)
    FINGERPRINT_KEYS = ("handler", "path")
    SUBJECTS = {
        "logging-console": "fix(logging): send the '{handler}' log handler to the console",
        "logging-path": "fix(logging): keep Django's log files in a directory that exists",
        "file-handler-stream": "fix(logging): build a StreamHandler where the application built a file handler",
    }

    def subject(self, codemod, facts):
        if "handler" not in facts and codemod != CODE:  # fileConfig's failure names only the file; every file handler goes anyway
            return "fix(logging): send the logging config's file handlers to the console"
        return super().subject(codemod, facts)

    def preferred(self, config) -> str | None:
        return STRATEGIES[config.logging]

    def plan(self, finding, codemod, repo, config):
        from fixbot.fixes.logging_handler.locate import locate
        from fixbot.model import Step

        if codemod == CODE:
            return [_built_here(finding, repo)], notes_from_other_kinds(self.KIND, repo)

        frames = [str(f) for f in finding.facts.get("project_frames", [])]
        if frames and not any(repo.map_log_path(f.rsplit(":", 1)[0]) for f in frames):
            # The traceback ran code that is not in this repository: fixing whatever config it holds would be a guess.
            shown = redact(frames[0].rsplit(":", 1)[0])
            raise NoPlan(
                f"the log's traceback runs {shown}{f' (and {len(frames) - 1} more)' if len(frames) > 1 else ''}, "
                "which is no file of this repository: is this the repository that failed?"
            )
        target = locate(repo, finding.facts, frames, config.settings)
        if target is None:
            raise NoPlan(_nothing_found(finding, repo, frames))
        if not target.still_failing and finding.facts.get("handler"):
            _gone_from(repo, target, str(finding.facts["handler"]), finding.facts, frames)
        if target.django is None:
            if codemod == "logging-path" and not target.file.endswith(".py"):
                raise NoPlan(f"{target.file}: logging-path rewrites Python settings only; use --codemod logging-console")
            notes = notes_from_other_kinds(self.KIND, repo)
            return [Step(finding, codemod, target.file, target.why, {}, still_failing=target.still_failing)], notes
        located = target.django
        why = target.why
        importers = repo.importers_of(located.file, exclude=set())  # reads the folder's modules: once
        shared = [f for f in importers if f not in located.chain]
        if shared:
            why += (
                f" Fixed where it is defined, so {', '.join(shared)} (which import it too) get the fix as well:"
                " a broken file handler is broken for every environment that shares it."
            )
        # An import the rewrite left unused goes, unless a module nearby may get it through `import *`: the rule
        # `fixbot codemod` follows on disk (formats/python_tidy.star_imported), here over the tracked files.
        options: dict[str, Any] = {"star_imported": repo.star_imported(located.file)}
        if located.file != located.chain[-1] and codemod == "logging-console" and not shared and \
                set(located.mutations) <= {located.file}:
            # a module that changes the LOGGING it imports: what the active module produces, read through the
            # chain, decides whether a handler it adds to a list written in the base prints its lines twice there
            # (only where no other module changes LOGGING and none other imports this one: each would decide)
            options["produced"] = produced_logging(repo, located.chain[0])
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
        step = Step(finding, codemod, located.file, why, options, still_failing=located.still_failing,
                    published_as=self.ALIASES[0])
        return [step], notes

    SITE_FILES = ("*.py", *FORMAT_FILES)

    def site_options(self, repo, site):
        return {"star_imported": repo.star_imported(site.path)} if site.path.endswith(".py") else {}

    def sites(self, repo, file, text, walks):
        from fixbot.fixes.logging_handler import sites

        if file.lower().endswith(".py"):
            yield from sites.python_logging(repo, file, text, walks)
            yield from sites.python_dict_configs(repo, file, text)
            yield from sites.code_handlers(file, text)
        if named(file, FORMAT_FILES):
            yield from sites.logging_configs(repo, file, text)

    def check(self, path, before, after, codemod):
        if codemod == CODE:
            return _check_code(path, before, after)
        if not path.endswith(".py"):
            from fixbot.fixes.logging_handler.check import check_config

            return check_config(path, before, after)
        from fixbot.formats.logconfig.check import compare
        from fixbot.verify import VerifyFailed

        # Only what the rewrite broke: a derived module naming its base's handlers was so before it.
        broken, proven = compare(before, after, allow_file_handlers=codemod == "logging-path")
        if broken:
            raise VerifyFailed(f"{path}: the rewritten LOGGING is not valid for dictConfig: {broken[0]}")
        return proven

    def checklist(self, codemods, start=None):
        from fixbot.commands import command

        settings, manage = getattr(start, "settings", None), getattr(start, "manage", None)
        out = boots(start)
        if settings and manage:
            check = command("python", manage, "check", env={"DJANGO_SETTINGS_MODULE": settings})
            out.insert(0, f"- [ ] `{redact(check)}` passes")
        if codemods & {"logging-console", CODE}:
            out.append("- [ ] Logs now reach the container's stdout/stderr (`docker logs`, your log collector)")
        return out

    def checklist_for(self, codemods, paths, start=None):
        if any(p.endswith(".py") for p in paths):
            return self.checklist(codemods, start)
        return [  # no Django to check, but the program that loads the config
            *boots(start),
            "- [ ] Logs now reach the container's stdout/stderr (`docker logs`, your log collector)",
            "- [ ] Whatever read the old log file (logrotate, a sidecar, a shipper) reads the container's output now",
        ]


def produced_logging(repo, file: str) -> object:
    """The LOGGING the settings module `file` produces (its star imports followed, fixbot/settings_walk.py), as
    plain values, stdlib_read.UNKNOWN wherever it is not static."""
    from fixbot.errors import BadInput
    from fixbot.formats.logconfig.stdlib_read import UNKNOWN
    from fixbot.settings_find import module_name
    from fixbot.settings_walk import Walk

    def plain(value, depth: int = 0):
        if depth > 20:
            return UNKNOWN
        if isinstance(value, dict) and not getattr(value, "open", False):
            return {k: plain(v, depth + 1) for k, v in value.items() if isinstance(k, str)}
        if isinstance(value, (list, tuple)):
            return [plain(v, depth + 1) for v in value]
        return value if isinstance(value, (str, int, float, bool)) or value is None else UNKNOWN

    walk = Walk(repo)
    try:
        walk.visit(file, module_name(repo, file), ())
    except BadInput:
        return UNKNOWN
    return UNKNOWN if walk.opaque or walk.dynamic else plain(walk.logging)


def _built_here(finding, repo):
    """The step for a file handler the application built in its own code: the module of the frame that called into
    logging's handlers (`built_at`), rewritten by file-handler-stream."""
    from fixbot.formats.logconfig.code_handlers import find
    from fixbot.model import Step

    where = str(finding.facts.get("built_at", ""))
    file, _, line = where.rpartition(":")
    path = repo.map_log_path(file) if file else None
    if path is None:
        raise NoPlan(f"the log's traceback builds the file handler in {redact(file or where)}, which is no file of "
                     "this repository: is this the repository that failed?")
    text = repo.read_or_none(path) or ""
    built = [b for b in find(text)]
    still = (f"{path} still builds a {built[0].cls.rsplit('.', 1)[-1]} on line {built[0].line}" if built else "")
    why = (f"{path}:{line} builds the file handler that could not open {redact(str(finding.facts.get('path', '')))}"
           f" (the traceback's frame that called into logging); it becomes a StreamHandler there.")
    return Step(finding, CODE, path, why, {"star_imported": repo.star_imported(path)}, still_failing=still)


def _check_code(path: str, before: str, after: str) -> list[str]:
    """file-handler-stream's proof: no construction writes a file any more, and every handler call the module made
    (setLevel, setFormatter, addFilter, addHandler) is still made."""
    import re

    from fixbot.formats.logconfig.code_handlers import find
    from fixbot.verify import VerifyFailed

    left = find(after)
    if left:
        raise VerifyFailed(f"{path}: line {left[0].line} still builds a {left[0].cls.rsplit('.', 1)[-1]}")
    calls = re.compile(r"\.(setLevel|setFormatter|addFilter|addHandler)\(")
    if sorted(calls.findall(before)) != sorted(calls.findall(after)):
        raise VerifyFailed(f"{path}: the rewrite changed the level, formatter, filters or attachment of a handler")
    made = len(find(before))
    return [f"no handler built in {path} writes to a file ({made} became StreamHandlers); every setLevel, "
            "setFormatter, addFilter and addHandler call stays"]


def _gone_from(repo, target, handler: str, facts: dict, frames: list[str]) -> None:
    """Already fixed only where a YAML or JSON config still names the handler, no longer writing the log's file
    (logging-console keeps the name there). Nothing holds the failure any more, so only tie-breakers chose this
    config: when it and every other config never name the handler at all, it may not be the one that failed (exit
    2). Not for Python configs and Django's LOGGING, from which logging-console removes the handler."""
    from fixbot.fixes.logging_handler.locate import HOW_TO_CHOOSE, Ambiguous, candidates

    if target.django is not None or not target.file.lower().endswith((".yaml", ".yml", ".json")):
        return
    if _config_names_handler(repo, target.file, handler):
        return
    if any(_config_names_handler(repo, c.file, handler) for c in candidates(repo, facts, frames)):
        return
    raise Ambiguous(f"cannot tell whether the failure is gone: nothing in this repository holds handler '{redact(handler)}' "
                    f"any more, and {target.file}, chosen only because {target.why.split('; ')[0].rstrip('.')}, never "
                    f"names it: it may not be the configuration that failed; {HOW_TO_CHOOSE}")


def _config_names_handler(repo, file: str, handler: str) -> bool:
    """Whether a YAML, JSON, INI or Python logging config names the handler (True too when fixbot cannot tell)."""
    from fixbot.formats.logconfig.configs import Unreadable, handlers_of

    text = repo.read_or_none(file)
    try:
        found = handlers_of(text, file) if text is not None else None
    except Unreadable:
        return True
    return (found is None and file.endswith(".py")) or handler in (found or {})


def _nothing_found(finding, repo, frames) -> str:
    program = finding.facts.get("program")
    if program in (None, "python", "django"):
        from fixbot.settings_find import settings_module

        choice = settings_module(repo, frames)
        if choice is not None:
            return f"{choice.file} (the active settings, as {choice.why}) and the modules it imports define no LOGGING"
    return (f"cannot tell which logging configuration failed: no Django settings module, YAML, JSON, INI or Python "
            f"logging config of this repository holds the handler{_shown(finding.facts)}, and no deploy file names "
            f"one (--log-config, logconfig)")


def _shown(facts) -> str:
    handler, path = facts.get("handler"), facts.get("path")
    return (f" '{redact(str(handler))}'" if handler else "") + (f" writing to {redact(str(path))}" if path else "")


def _entrypoint_log_dir(repo) -> str | None:
    for source in repo.deploy_files([]):
        match = _LOG_DIR.search(repo.read_or_none(source) or "")
        if match:
            return match["dir"]
    return None


FIX = LoggingHandler()
