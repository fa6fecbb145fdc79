"""Which of a repository's files its deploy runs: the ones `fixbot check` judges, so a stale or VM-only config is left out.

The deploy starts from the files that describe one (Dockerfiles, compose and Kubernetes YAML, Procfiles,
supervisord programs); a script runs when one of those (or a script that runs) names it, a Gunicorn config
module when a file that runs names it (`-c gunicorn.conf.py`, or Gunicorn's default `gunicorn.conf.py`), and a
Django settings file when it is in the star-import chain of a settings module the repository says it runs
(`DJANGO_SETTINGS_MODULE` / `--settings` in those files, else the default in `wsgi.py`/`manage.py`).
Only what a file says outside its comments counts; CI and test files (`.github/`, `docker-compose.test.yml`,
`tox.ini`) start no deploy, and a test-only settings module (`settings/test.py`, one only pytest.ini or
tox.ini names) is never the deployed one.
"""

from __future__ import annotations

import posixpath
import re

from fixbot.formats import named

ROOTS = ("dockerfile*", "*.dockerfile", "containerfile*", "docker-compose*.yml", "docker-compose*.yaml",
         "compose*.yml", "compose*.yaml", "procfile*", "supervisor*.conf", "*.ini", "*.yml", "*.yaml")
_SCRIPT = ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "startup", "run", "*.env", ".env")
# Scripts a platform that builds the repository itself may be told to start (`start.sh`, `bin/run.sh`).
STARTERS = ("start*.sh", "run*.sh", "entrypoint*.sh", "docker-entrypoint*.sh", "boot*.sh", "start", "run")
# Files of CI and tests, and documentation: they may start containers, never the deploy.
NOT_DEPLOY = re.compile(r"(?i)(?:^|/)(?:\.github|\.circleci|\.gitlab|\.buildkite|docs?|tests?|e2e|ci)/|"
                        r"(?:^|/)(?:\.gitlab-ci|\.travis|azure-pipelines|bitbucket-pipelines|\.drone|\.pre-commit-config|"
                        r"\.pre-commit-hooks|mkdocs|codecov|\.readthedocs|cloudbuild\.test)\.ya?ml$|"
                        r"(?:^|/)(?:tox|pytest)\.ini$|(?:^|/)setup\.cfg$|"
                        r"(?:^|/)[^/]*[._-](?:tests?|testing|ci|e2e)(?:[._-][^/]*)?$")
_COMMENT = re.compile(r"(?m)^[ \t]*[#;].*$|(?<=\s)#.*$")


def live(text: str) -> str:
    """A file's text without its comments (`# command: gunicorn -c old.py` names nothing), lines kept."""
    return _COMMENT.sub("", text)


def _mentions(text: str, file: str) -> bool:
    name = posixpath.basename(file)
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


def run_files(files: list[str], read, starters: bool = False) -> set[str]:
    """The deploy's own files and every script, config module or logging config (`--log-config logging.ini`) they
    reach by name, outside comments. `starters`: a declared platform that builds the repository may start a top
    level start script (STARTERS) by itself."""
    from fixbot.formats.logconfig.files import FORMAT_FILES

    used = {f for f in files if named(f, ROOTS) and not NOT_DEPLOY.search(f) and _deploy_text(f, read(f) or "")}
    if starters:
        used |= {f for f in files if named(f, STARTERS) and f.count("/") <= 1 and not NOT_DEPLOY.search(f)}
    candidates = [f for f in files if f not in used and (named(f, _SCRIPT + FORMAT_FILES) or _is_config_module(f))
                  and not NOT_DEPLOY.search(f)]
    texts: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for f in used - texts.keys():
            texts[f] = live(read(f) or "")
        for file in candidates:
            if file not in used and any(_mentions(t, file) for t in texts.values()):
                used.add(file)
                changed = True
    starts_gunicorn = any("gunicorn" in texts.get(f, "") for f in used)
    used |= {f for f in files if posixpath.basename(f) == "gunicorn.conf.py" and starts_gunicorn}
    return used


def _is_config_module(file: str) -> bool:
    return file.endswith(".py") and "gunicorn" in posixpath.basename(file).lower() or \
        posixpath.basename(file).lower().startswith("gunicorn")


def _deploy_text(file: str, text: str) -> bool:
    """A YAML or INI file describes a deploy when it is compose, Kubernetes or supervisord."""
    if file.lower().endswith((".yml", ".yaml")) and not named(file, ROOTS[3:7]):
        return bool(re.search(r"(?m)^\s*(services|containers|command|args)\s*:", text))
    if file.lower().endswith(".ini") or named(file, ("supervisor*.conf",)):
        return "[program:" in text or "[supervisord]" in text  # supervisord's own config writes its log
    return True


def named_by(files: list[str], texts: list[str]) -> set[str]:
    """The logging configs (YAML, JSON, INI) that one of `texts` names: `fileConfig("logging.ini")` in settings."""
    from fixbot.formats.logconfig.files import FORMAT_FILES

    texts = [live(t) for t in texts]
    return {f for f in files if named(f, FORMAT_FILES) and any(_mentions(t, f) for t in texts)}


def settings_walks(repo, files: list[str], used: set[str], read, every: bool = False) -> list | None:
    """The settings modules the deploy runs, each walked to the LOGGING it produces (settings_walk.Walk); a chain
    that does not parse is left out. None when the repository names no settings module. `every`: the platform
    chooses the module, so where no deploy file names one, every settings module that is not test-only runs."""
    from fixbot.settings_walk import Walk

    modules = settings_modules(repo, files, used, read, every)
    if modules is None:
        return None
    walks = []
    for file, module in modules.items():
        walk = Walk(repo)
        try:
            walk.visit(file, module, ())
        except Exception:  # a chain that does not parse: its files are not judged
            continue
        walks.append(walk)
    return walks


def settings_modules(repo, files: list[str], used: set[str], read, every: bool = False) -> dict[str, str] | None:
    """{settings file: module} for each settings module the deploy runs, test-only ones left out; None when the
    repository names none."""
    from fixbot.settings_find import ENTRY_POINTS, SETDEFAULT, env_modules, module_name

    entries = [f for f in files if posixpath.basename(f) in ENTRY_POINTS]
    tests = test_modules(files, read) - {m["module"] for e in entries if (m := SETDEFAULT.search(read(e) or ""))}
    modules: dict[str, str] = {}
    for file in sorted(used):
        for module in env_modules(read(file) or ""):
            found = None if test_only(module) else repo.module_file(module, entries)
            if found:
                modules.setdefault(found, module)
    if not modules and every:
        for file in files:
            if _SETTINGS_FILE.search(file) and not NOT_DEPLOY.search(file) and _LOGGING.search(read(file) or ""):
                module = module_name(repo, file)
                if not test_only(module) and module not in tests:  # one only a test runner names is for tests
                    modules[file] = module
    if not modules:  # the default the entry points set: `os.environ.setdefault("DJANGO_SETTINGS_MODULE", …)`
        for entry in entries:
            match = SETDEFAULT.search(read(entry) or "")
            found = repo.module_file(match["module"], [entry]) if match and not test_only(match["module"]) \
                else None
            if found:
                modules.setdefault(found, match["module"])
    if not modules:
        return None
    return {file: module or module_name(repo, file) for file, module in modules.items()}


_SETTINGS_FILE = re.compile(r"(?:^|/)settings(?:/[^/]+|[^/]*)\.py$")
_LOGGING = re.compile(r"(?m)^LOGGING\s*(?::[^=\n]*)?=|^LOGGING\s*\[")
_TEST_NAME = re.compile(r"(?i)^(?:test|tests|testing)(?:_\w*)?$|^test\w*$|\w*_tests?$")


def test_modules(files: list[str], read) -> set[str]:
    """The settings modules that test runners name: pytest.ini, tox.ini, setup.cfg, pyproject.toml, conftest.py."""
    from fixbot.settings_find import env_modules

    runners = [f for f in files if posixpath.basename(f) in ("pytest.ini", "tox.ini", "setup.cfg", "pyproject.toml",
                                                               "conftest.py", "noxfile.py")]
    found: set[str] = set()
    for file in runners:
        text = read(file) or ""
        found.update(env_modules(text))
        found.update(re.findall(r"(?m)^\s*DJANGO_SETTINGS_MODULE\s*=\s*['\"]?([\w.]+)", text))
    return found


def test_only(module: str) -> bool:
    """Whether a settings module's name says it serves tests only: `settings.test`, `test_settings`, `settings_test`."""
    return bool(_TEST_NAME.match(module.rsplit(".", 1)[-1]))
